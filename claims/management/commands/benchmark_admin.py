"""Time the admin pages a desk uses all day, on the current database.

The desk home (/admin/) is timed for a reviewer and an editor against its own, tighter
budget (100 ms).

    manage.py generate_claims --claims 1000000   # once, on a database of its own
    manage.py benchmark_admin

Requests go through the whole Django stack in-process (middleware, admin, templates),
logged in as a reviewer. Prints median, min and max milliseconds and the query count per
page; the target is well under one second per page at a million claims.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils.http import urlencode

from claims.choices import VerdictStatus
from claims.models import Appearance, Claim, Verdict
from factcheck.benchmarking import time_get

BUDGET_MS = 1000
DESK_BUDGET_MS = 100
PHRASE = '"artillery shells"'


class Command(BaseCommand):
    help = "Time the claim list, filtered lists, searches and change pages of the admin."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="Timed runs per page (default 5).")

    def handle(self, *args, runs: int, **options):
        total = Claim.objects.count()
        if total == 0:
            raise CommandError("No claims: run generate_claims first.")
        user = self._reviewer()
        client = Client()
        client.force_login(user)
        pages = self._pages(user)
        self.stdout.write(f"{connection.vendor}, {total:,} claims, {runs} runs per page, logged in as {user}")
        self.stdout.write(f"{'page':<44} {'median ms':>10} {'min':>8} {'max':>8} {'queries':>8}")
        worst = 0.0
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            for label, url in pages:
                timing = time_get(client, label, url, runs=runs)
                if timing.status != 200:
                    raise CommandError(f"{label}: {url} answered {timing.status}")
                worst = max(worst, timing.median_ms)
                self.stdout.write(
                    f"{label:<44} {timing.median_ms:>10.1f} {timing.min_ms:>8.1f} {timing.max_ms:>8.1f} "
                    f"{timing.queries:>8}"
                )
            desk = []
            for label, desk_user in (("desk home (reviewer)", user), ("desk home (editor)", self._editor())):
                desk_client = Client()
                desk_client.force_login(desk_user)
                timing = time_get(desk_client, label, reverse("admin:index"), runs=runs)
                if timing.status != 200:
                    raise CommandError(f"{label} answered {timing.status}")
                desk.append(timing.median_ms)
                self.stdout.write(
                    f"{label:<44} {timing.median_ms:>10.1f} {timing.min_ms:>8.1f} {timing.max_ms:>8.1f} "
                    f"{timing.queries:>8}"
                )
        verdict = "within" if worst < BUDGET_MS else "OVER"
        self.stdout.write(f"slowest median {worst:.1f} ms: {verdict} the {BUDGET_MS} ms budget")
        verdict = "within" if max(desk) < DESK_BUDGET_MS else "OVER"
        self.stdout.write(f"desk home slowest median {max(desk):.1f} ms: {verdict} the {DESK_BUDGET_MS} ms budget")

    def _reviewer(self):
        User = get_user_model()
        user = User.objects.filter(username="load-reviewer-1").first()
        if user is None:
            user, _ = User.objects.get_or_create(username="benchmark-reviewer", defaults={"is_staff": True})
            user.groups.add(Group.objects.get(name="Reviewer"))
        return user

    def _editor(self):
        User = get_user_model()
        user = User.objects.filter(username="load-editor-1").first()
        if user is None:
            user, _ = User.objects.get_or_create(username="benchmark-editor", defaults={"is_staff": True})
            user.groups.add(Group.objects.get(name="Editor"))
        return user

    def _pages(self, user):
        changelist = reverse("admin:claims_claim_changelist")
        latest_published = (
            Verdict.objects.filter(status=VerdictStatus.PUBLISHED).order_by("-id").select_related("claim").first()
        )
        claim = latest_published.claim if latest_published else Claim.objects.order_by("-id").first()
        assert claim is not None, "handle() refuses an empty database"
        speaker = (
            Claim.objects.filter(speaker__isnull=False)
            .order_by("-id")
            .values_list("speaker_id", "speaker__name")
            .first()
        )
        source_id = Appearance.objects.order_by("-id").values_list("source_id", flat=True).first()
        topic_id = Claim.topics.through.objects.order_by("-id").values_list("topic__slug", flat=True).first()
        rare_words = " ".join(claim.text.split()[:3]).strip(".,")
        pages = [
            ("claim list", changelist),
            ("claim list, page 20", f"{changelist}?p=20"),
            ("filter: published", f"{changelist}?status=published"),
            ("filter: in review", f"{changelist}?status=in_review"),
            ("filter: no verdict yet", f"{changelist}?status=none"),
            ("filter: rating false", f"{changelist}?rating=false"),
            ("filter: never had a verdict", f"{changelist}?has_verdict=no"),
            ("filter: assigned to me", f"{changelist}?assigned=me"),
            ("filter: topic", f"{changelist}?topic={topic_id}"),
            ("filter: source", f"{changelist}?source={source_id}"),
            ("filter: published + rating + topic", f"{changelist}?status=published&rating=false&topic={topic_id}"),
            ("search: common word (inflation)", f"{changelist}?q=inflation"),
            ('search: phrase ("artillery shells")', f"{changelist}?{urlencode({'q': PHRASE})}"),
            (f"search: claim words ({rare_words[:20]})", f"{changelist}?{urlencode({'q': rare_words})}"),
            ("search + filter: inflation, published", f"{changelist}?q=inflation&status=published"),
            ("claim change page", reverse("admin:claims_claim_change", args=[claim.pk])),
            ("my review queue", reverse("admin:claims_reviewqueue_changelist")),
            ("verdict list", reverse("admin:claims_verdict_changelist")),
            ("verdict list: in review", reverse("admin:claims_verdict_changelist") + "?status__exact=in_review"),
            (
                "autocomplete: claims (korea)",
                "/admin/autocomplete/?app_label=claims&model_name=verdict&field_name=claim&term=korea",
            ),
            (
                "autocomplete: sources (inflation)",
                "/admin/autocomplete/?app_label=claims&model_name=appearance&field_name=source&term=inflation",
            ),
        ]
        if speaker:
            pages.insert(10, ("filter: speaker", f"{changelist}?speaker__pk__exact={speaker[0]}"))
            pages.insert(
                15, (f"search: speaker name ({speaker[1][:16]})", f"{changelist}?{urlencode({'q': speaker[1]})}")
            )
            pages.append(
                (
                    "autocomplete: speakers",
                    "/admin/autocomplete/?app_label=claims&model_name=claim"
                    f"&field_name=speaker&term={speaker[1].split()[0]}",
                )
            )
        if latest_published:
            pages.append(("verdict change page", reverse("admin:claims_verdict_change", args=[latest_published.pk])))
        return pages
