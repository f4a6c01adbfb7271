"""Background jobs run by the queue (django-tasks, database backend; README: Production).

A job is a module-level function decorated with ``@task``; ``fn.enqueue(...)`` stores it
in the database and returns at once, and any running ``manage.py db_worker`` picks it up.
Arguments and return values must be JSON: pass ids, never model instances.
"""

from django_tasks import task


@task()
def queue_ping(*, token: str) -> str:
    """Answer with the token it was given: proves a worker is taking jobs (``manage.py queue_check``)."""
    return token
