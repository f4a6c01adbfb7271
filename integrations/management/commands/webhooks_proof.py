"""manage.py webhooks_proof: delivery under failure, measured (README: Webhooks).

Runs TRANSITIONS verdict transitions (publish, correct, retract) through the services
against a receiver on 127.0.0.1 that fails a share of requests at random, with WORKERS
queue workers (``manage.py db_worker``) delivering. Half-way through it kills the
receiver and one worker (SIGKILL) and starts them again. Then it waits until every
delivery is settled and prints, from the receiver's own log: events, events received
with a 2xx (none may be missing), duplicates (and that each carried the same webhook-id
and body), signatures that failed to verify, and the delay from each transition's commit
to its first attempt (median, p95, max).

It writes claims, verdicts and users: run it on a scratch database only.
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from claims import services
from claims.models import Claim, Rating, Verdict
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookEventType, WebhookSubscription

RECEIVER = Path(settings.BASE_DIR) / "scripts" / "webhook_receiver.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def summary(delays: list[float]) -> str:
    p95 = delays[max(0, int(len(delays) * 0.95) - 1)]
    return f"median {statistics.median(delays):.3f}, p95 {p95:.3f}, max {delays[-1]:.3f}"


class Command(BaseCommand):
    help = "Prove webhook delivery under a failing, restarted receiver and a killed worker; print the figures."

    def add_arguments(self, parser):
        parser.add_argument("--transitions", type=int, default=1000)
        parser.add_argument("--fail-rate", type=float, default=0.3)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--timeout", type=int, default=900, help="Seconds to wait for every delivery to settle.")
        parser.add_argument("--scratch-database", action="store_true", help="Confirm the database may be written to.")

    def handle(self, *args, transitions, fail_rate, workers, timeout, scratch_database, **options):
        if not scratch_database:
            raise CommandError("This writes claims, verdicts and users: pass --scratch-database on a scratch database.")
        if not settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE:
            raise CommandError("The receiver is on 127.0.0.1: set FACTCHECK_WEBHOOK_ALLOW_PRIVATE=1.")
        self.processes: dict[str, subprocess.Popen] = {}
        # Stopped from outside (timeout, Ctrl-C): still stop the receiver and the workers.
        signal.signal(signal.SIGTERM, lambda *args: sys.exit("Stopped."))
        log_path = Path(tempfile.mkstemp(prefix="webhook-receiver-", suffix=".jsonl")[1])
        port = free_port()
        WebhookSubscription.objects.filter(name="delivery proof").delete()
        subscription = WebhookSubscription.objects.create(
            name="delivery proof", url=f"http://127.0.0.1:{port}/hooks", events=WebhookEventType.values
        )
        receiver_args = [sys.executable, str(RECEIVER), str(port), subscription.secret, str(log_path), str(fail_rate)]
        worker_args = [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "-v", "0"]
        try:
            self._start("receiver", receiver_args)
            for number in range(workers):
                self._start(f"worker{number}", worker_args)
            commits = self._run_transitions(
                transitions, halfway=lambda: self._kill_and_restart(receiver_args, worker_args)
            )
            self._wait_until_settled(set(commits), timeout)
            first_attempts = {}
            for event_id, moment in WebhookDelivery.objects.filter(subscription=subscription).values_list(
                "event_id", "first_attempt_at"
            ):
                if moment is None:  # settled deliveries have all been attempted
                    raise CommandError(f"The delivery of event {event_id} was never attempted.")
                first_attempts[f"msg_{event_id.hex}"] = moment.timestamp()
        finally:
            for process in self.processes.values():
                process.kill()
                process.wait()
            subscription.delete()
        self._report(commits, first_attempts, log_path)

    # Processes -----------------------------------------------------------------------

    def _start(self, name: str, args: list[str]) -> None:
        self.processes[name] = subprocess.Popen(args, cwd=settings.BASE_DIR, env=os.environ.copy())
        if name == "receiver":
            time.sleep(0.5)

    def _kill_and_restart(self, receiver_args, worker_args) -> None:
        self.stdout.write("Killing the receiver and worker0 (SIGKILL), restarting them in 2 s.")
        for name in ("receiver", "worker0"):
            self.processes[name].send_signal(signal.SIGKILL)
            self.processes[name].wait()
        time.sleep(2)
        self._start("receiver", receiver_args)
        self._start("worker0", worker_args)

    # Transitions ---------------------------------------------------------------------

    def _people(self):
        User = get_user_model()
        editor_group = Group.objects.get(name="Editor")
        people = []
        for username in ("proof-reviewer", "proof-editor"):
            user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            user.groups.add(editor_group)
            people.append(User.objects.get(pk=user.pk))  # fresh permission cache
        return people

    def _run_transitions(self, count: int, halfway) -> dict[str, float]:
        """Publish, correct and retract until ``count`` transitions; {webhook-id: commit time}."""
        reviewer, editor = self._people()
        ratings = list(Rating.objects.exclude(slug="unmapped"))
        commits: dict[str, float] = {}
        standing: list[Verdict] = []
        started = time.time()
        n = 0
        while len(commits) < count:
            n += 1
            step = len(commits) % 5
            if step in (0, 1) or not standing:
                claim = Claim.objects.create(text=f"Proof claim {n} at {started:.0f}.")
                verdict = Verdict(claim=claim, rating=ratings[n % len(ratings)], headline=f"Proof {n}", explanation="x")
                services.verdict_save(verdict=verdict, actor=reviewer)
                services.verdict_submit(verdict=verdict, actor=reviewer)
                standing.append(services.verdict_publish(verdict=verdict, actor=editor))
            elif step in (2, 3):
                old = standing.pop(0)
                standing.append(
                    services.verdict_correct(
                        verdict=old, actor=editor, public_note="Corrected.", changes={"headline": f"Corrected {n}"}
                    )
                )
            else:
                services.verdict_retract(verdict=standing.pop(0), actor=editor, public_note="Retracted.")
            committed = time.time()
            event = WebhookEvent.objects.order_by("-created_at").only("id").first()
            if event is None:
                raise CommandError("The transition recorded no webhook event.")
            commits[event.webhook_id] = committed
            if len(commits) == count // 2:
                halfway()
        rate = count / (time.time() - started)
        self.stdout.write(f"{count} transitions committed ({rate:.1f} per second).")
        return commits

    def _wait_until_settled(self, webhook_ids: set[str], timeout: int) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, subscription__name="delivery proof")
            if not pending.exists():
                return
            time.sleep(1)
        raise CommandError(f"Deliveries still pending after {timeout} s.")

    # Figures -------------------------------------------------------------------------

    def _report(self, commits: dict[str, float], first_attempts: dict[str, float], log_path: Path) -> None:
        records = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
        log_path.unlink()
        by_id: dict[str, list[dict]] = {}
        for record in records:
            by_id.setdefault(record["id"], []).append(record)
        delivered = {webhook_id for webhook_id, seen in by_id.items() if any(200 <= r["status"] < 300 for r in seen)}
        missing = set(commits) - delivered
        unknown = set(by_id) - set(commits)
        duplicates = {
            webhook_id for webhook_id in delivered if sum(200 <= r["status"] < 300 for r in by_id[webhook_id]) > 1
        }
        differing_bodies = {
            webhook_id for webhook_id, seen in by_id.items() if len({r["body_sha256"] for r in seen}) > 1
        }
        unverified = sum(not record["verified"] for record in records)
        attempted = sorted(first_attempts[webhook_id] - commits[webhook_id] for webhook_id in commits)
        arrived = sorted(
            min(r["arrived"] for r in by_id[webhook_id]) - commits[webhook_id]
            for webhook_id in commits
            if webhook_id in by_id
        )
        failed = sum(record["status"] >= 300 for record in records)
        self.stdout.write(
            "\n".join(
                [
                    f"events committed:                  {len(commits)}",
                    f"requests received:                 {len(records)} ({failed} answered with an error on purpose)",
                    f"events received with a 2xx:        {len(delivered & set(commits))}",
                    f"events lost:                       {len(missing)}",
                    f"unknown webhook-ids received:      {len(unknown)}",
                    f"events accepted more than once:    {len(duplicates)} (same webhook-id by construction)",
                    f"webhook-ids with differing bodies: {len(differing_bodies)}",
                    f"signatures that did not verify:    {unverified}",
                    f"commit -> first attempt (s):       {summary(attempted)}",
                    f"commit -> first arrival (s):       {summary(arrived)} (later while the receiver was down)",
                ]
            )
        )
        if missing or differing_bodies or unverified or unknown:
            raise CommandError("Delivery proof failed.")
