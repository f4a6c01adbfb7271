"""The project package: settings, URLs and the entry points (wsgi, asgi).

Imported before anything else of the project (Django imports it to read the settings),
so process-wide settings of libraries that are read when they load are made here.
"""

import os

# NumPy's BLAS starts a thread per core for each product. The matching index's products are
# small (a query against a few thousand rows) and each app-server worker already has a core
# of its own: the threads only wait on each other and on the other workers, which
# doubled a search's time on a loaded two-core machine. Set before NumPy loads, once.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
