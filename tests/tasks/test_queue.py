"""The background job queue: jobs wait in the database until a worker runs them."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tasks import TaskResultStatus

from claims.tasks import queue_ping
from tests.jobs import make_worker


def run_worker() -> None:
    """What `manage.py db_worker` does, once: run every waiting job, then stop."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


# The worker closes stale connections between jobs, as a long-running process must, so
# these tests commit instead of running inside one rolled-back transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_waits_in_the_database_until_a_worker_runs_it():
    result = queue_ping.enqueue(token="abc")
    result.refresh()
    assert result.status == TaskResultStatus.READY

    run_worker()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "abc"


@pytest.mark.django_db
def test_queue_check_fails_when_no_worker_runs():
    with pytest.raises(CommandError, match="no worker ran the ping job"):
        call_command("queue_check", wait=0.3)
    assert queue_ping.get_backend().supports_get_result


# The worker polls the queue on its own connection while the command enqueues and waits:
# overlapping connections, which the in-memory SQLite test database cannot hold.
@pytest.mark.postgresql_concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_queue_check_succeeds_with_a_worker_running(capsys):
    # db_worker's own loop, in a thread (signal handlers are the command's, not the loop's).
    worker = make_worker()

    def work():
        try:
            worker.run()
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        call_command("queue_check", wait=20)
    finally:
        worker.running = False
        thread.join()
    assert "worker ran the ping job" in capsys.readouterr().out
