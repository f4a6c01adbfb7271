"""gunicorn's settings for this app (read from the working directory, or with -c).

The API answers an over-long query string itself, with its documented JSON 400 (it reads
at most factcheck.api.views.MAX_QUERY_LENGTH characters, up to 12 bytes each once
percent-encoded); gunicorn's own 4,094-byte request-line limit would answer first, with
an HTML error. The proxy in front bounds request lines (e.g. nginx's
large_client_header_buffers): give it at least 80 KB.
"""

import os

limit_request_line = 0

# The configuration the load benchmark found best on 2 cores (README: Throughput under
# load): a process per core carries the Python, threads overlap the database's and Redis's
# round trips. Command-line options (--workers, --threads) override these.
worker_class = "gthread"
workers = len(os.sched_getaffinity(0))
threads = 4

# Load the app once in the master (factcheck.wsgi warms it up: the OpenAPI document, the
# matching model) and fork the workers from it: no worker's first callers wait for that,
# and the workers share its memory. Code changes need a restart, not a HUP.
preload_app = True

# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new
# connections over them. On one shared socket the worker awake first accepts a burst of
# connections: measured with 16 keep-alive connections (a proxy's or a CDN's), all 16 went
# to one worker in 3 runs of 10 and throughput fell to one core's (1,760-2,520 requests/s
# for /healthz instead of 5,330-6,430); with a socket per worker, 12 runs of 12 split
# 4-12 to 8-8 and gave 5,870-6,800. The kernel's spreading is per connection: a worker
# restarted resets the connections waiting on its socket, and a second server started on
# the same port by the same user shares it instead of failing (stop the old one first).
reuse_port = True
