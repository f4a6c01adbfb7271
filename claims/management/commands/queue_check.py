"""Check that a background worker is running: enqueue a ping job and wait for its answer."""

import secrets
import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from claims.tasks import queue_ping


class Command(BaseCommand):
    help = "Enqueue a ping job and wait for a worker to run it; exit 1 if none does in time."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=10.0, help="Seconds to wait for a worker (default 10).")

    def handle(self, *args, wait: float, **options):
        token = secrets.token_hex(8)
        result = queue_ping.enqueue(token=token)
        deadline = time.monotonic() + wait
        while True:
            result.refresh()
            if result.status == TaskResultStatus.SUCCESSFUL and result.return_value == token:
                self.stdout.write(f"worker ran the ping job {result.id}")
                return
            if result.is_finished:
                raise CommandError(f"the ping job {result.id} ended as {result.status}")
            if time.monotonic() >= deadline:
                raise CommandError(f"no worker ran the ping job {result.id} within {wait:g} s: is db_worker running?")
            time.sleep(0.2)
