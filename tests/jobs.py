"""Running background jobs inside a test, as the worker (`manage.py db_worker`) would."""

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def make_worker(**options) -> Worker:
    """A ``db_worker`` loop for the default backend, as the command builds it; ``options`` override."""
    defaults = {
        "queue_names": ["default"],
        "interval": 0.1,
        "batch": False,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
        "excluded_queue_names": [],
    }
    return Worker(**(defaults | options))


def run_jobs() -> int:
    """Run every waiting job, one after the other; returns how many ran.

    The worker's own loop also closes stale database connections between jobs, which would
    end a test's transaction: this runs its jobs the same way without that housekeeping.
    """
    worker = make_worker(interval=0, batch=True, queue_names=["*"])
    ran = 0
    while True:
        # Claimed under a row lock in a transaction of its own, as the worker does.
        with transaction.atomic():
            job = DBTaskResult.objects.ready().get_locked()
            if job is None:
                return ran
            job.claim(worker.worker_id)
        worker.run_task(job)
        ran += 1
