"""Background jobs run by the queue (django-tasks, database backend; README: Production).

A job is a module-level function decorated with ``@task``; ``fn.enqueue(...)`` stores it
in the database and returns at once, and any running ``manage.py db_worker`` picks it up.
Arguments and return values must be JSON: pass ids, never model instances.
"""

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks import task

from claims import importing


@task()
def queue_ping(*, token: str) -> str:
    """Answer with the token it was given: proves a worker is taking jobs (``manage.py queue_check``)."""
    return token


# How many records an import reads between two progress notes.
PROGRESS_EVERY = 2000
PROGRESS = "claimreview-progress"
# The most summary lines and errors a job keeps for the admin page.
MAX_LINES = 1000


def import_progress_path(job_id: str) -> str:
    return f"{PROGRESS}/{job_id}.txt"


def read_import_progress(job_id: str) -> int | None:
    """Records the running import job ``job_id`` has read so far (None before the first note)."""
    try:
        with default_storage.open(import_progress_path(job_id)) as handle:
            return int(handle.read() or 0)
    except (FileNotFoundError, ValueError):
        return None


@task(takes_context=True)
def import_claimreview_job(
    context,
    *,
    token: str,
    user_id: int | None,
    dry_run: bool,
    skip_invalid: bool,
    publisher_name: str,
    day_first: bool | None = None,
    language: str = "",
) -> dict:
    """An admin upload's dry run or import (claims.importing), run by the worker.

    The upload waits in the stash under ``token``; a confirmed import discards it, done or
    refused. Returns what the admin page shows: the summary's lines and errors, or that the
    import was refused.
    """
    job_id = str(context.task_result.id)
    actor = get_user_model().objects.filter(pk=user_id).first()
    read = 0

    def progress(records: int) -> None:
        nonlocal read
        read += records
        if read % PROGRESS_EVERY == 0:
            default_storage.delete(import_progress_path(job_id))
            default_storage.save(import_progress_path(job_id), ContentFile(str(read)))

    try:
        inputs = importing.unstash(token)
        try:
            summary = importing.import_claimreview(
                inputs,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                publisher_name=publisher_name,
                day_first=day_first,
                language=language,
                actor=actor,
                progress=progress,
            )
            refused = False
        except importing.ImportRefused as refusal:
            summary, refused = refusal.summary, True
    finally:
        default_storage.delete(import_progress_path(job_id))
        if not dry_run:
            importing.discard(token)
    lines = summary.lines()
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES:,} more lines."]
    return {"refused": refused, "imported": summary.imported, "error_count": len(summary.errors), "lines": lines}
