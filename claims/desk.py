"""Reads for the desk home: what needs a reviewer's or an editor's attention now.

Each section is a short list (``LIMIT`` rows) and a count that stops at ``COUNT_CAP``, as
the admin's lists do, so the home costs the same on a desk of a hundred claims or of
millions: every query walks an index and stops early (migration 0017 adds the partial
indexes for drafts and for verdicts waiting for an editor).
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from .choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from .models import Claim, Verdict

LIMIT = 8
COUNT_CAP = 100


@dataclass
class Section:
    """One list on the desk home."""

    key: str
    title: str
    empty: str
    rows: list[Any] = field(default_factory=list)
    count: int = 0
    more_url: str = ""

    @property
    def capped(self) -> bool:
        return self.count >= COUNT_CAP

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.count)


def _current_verdict() -> Exists:
    # The desk's own: a claim other fact-checkers reviewed is still the desk's to start.
    return Exists(Verdict.objects.filter(claim=OuterRef("pk"), status__in=CURRENT_VERDICT_STATUSES, reviewed_by=None))


def returned_to(user) -> QuerySet[Verdict]:
    """The user's drafts that an editor sent back, with a comment, most recent first."""
    return (
        Verdict.objects.filter(reviewer=user, status=VerdictStatus.DRAFT)
        .exclude(return_comment="")
        .order_by("-updated_at", "-id")
    )


def drafts_of(user) -> QuerySet[Verdict]:
    """The user's drafts nobody has returned, most recently edited first."""
    return Verdict.objects.filter(reviewer=user, status=VerdictStatus.DRAFT, return_comment="").order_by(
        "-updated_at", "-id"
    )


def waiting_for_an_editor() -> QuerySet[Verdict]:
    """Verdicts in review, the longest waiting first."""
    return Verdict.objects.filter(status=VerdictStatus.IN_REVIEW).order_by("submitted_at", "id")


def assigned_not_started(user) -> QuerySet[Claim]:
    """Claims in the user's queue that have no verdict in progress or standing."""
    return Claim.objects.filter(assigned_to=user).filter(~_current_verdict()).order_by("created_at", "id")


def recently_decided() -> QuerySet[Verdict]:
    """Verdicts published (first versions and corrections) or retracted, the latest first."""
    return Verdict.objects.filter(status__in=[VerdictStatus.PUBLISHED, VerdictStatus.RETRACTED]).order_by(
        "-updated_at", "-id"
    )


def new_unassigned() -> QuerySet[Claim]:
    """Claims nobody has taken and nobody has started a verdict for, the newest first."""
    unworked = ~Exists(Verdict.objects.filter(claim=OuterRef("pk")))
    return Claim.objects.filter(assigned_to__isnull=True).filter(unworked).order_by("-created_at", "-id")


def _fill(section: Section, queryset: QuerySet, related: list[str]) -> Section:
    section.rows = list(queryset.select_related(*related)[:LIMIT])
    # The count stops at the cap: beyond it the desk only needs to know there is a lot.
    section.count = len(section.rows) if len(section.rows) < LIMIT else queryset.order_by()[:COUNT_CAP].count()
    return section


def _list_url(name: str, **params) -> str:
    url = reverse(f"admin:claims_{name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def sections(user) -> list[Section]:
    """The desk home for ``user``: what was returned to them first, then their work, then the desk's."""
    verdict_rows = ["claim", "rating", "reviewer"]
    result = [
        _fill(
            Section(
                "returned",
                "Returned to me",
                "Nothing was returned to you.",
                more_url=_list_url("verdict", status__exact="draft", reviewer="me"),
            ),
            returned_to(user),
            verdict_rows,
        ),
        _fill(
            Section(
                "drafts",
                "My drafts",
                "You have no drafts.",
                more_url=_list_url("verdict", status__exact="draft", reviewer="me"),
            ),
            drafts_of(user),
            verdict_rows,
        ),
    ]
    if user.has_perm("claims.publish_verdict"):
        result.append(
            _fill(
                Section(
                    "waiting",
                    "Waiting for an editor",
                    "No verdict is waiting for an editor.",
                    more_url=_list_url("verdict", status__exact="in_review"),
                ),
                waiting_for_an_editor(),
                verdict_rows,
            )
        )
    result += [
        _fill(
            Section(
                "assigned",
                "Assigned to me, not started",
                "No claim is waiting in your queue.",
                more_url=_list_url("claim", assigned="me", status="none"),
            ),
            assigned_not_started(user),
            ["speaker"],
        ),
        _fill(
            Section(
                "recent",
                "Recently published, corrected and retracted",
                "Nothing has been published yet.",
                more_url=_list_url("verdict", o="-6"),
            ),
            recently_decided(),
            [*verdict_rows, "editor"],
        ),
        _fill(
            Section(
                "unassigned",
                "New unassigned claims",
                "Every claim has been taken.",
                more_url=_list_url("claim", assigned="nobody", has_verdict="no"),
            ),
            new_unassigned(),
            ["speaker"],
        ),
    ]
    return result
