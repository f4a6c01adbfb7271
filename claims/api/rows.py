"""List items built from plain rows: the same JSON as the serializers, without their cost.

A page of fifty claims is one query returning tuples; turning them into dicts here and
into JSON with orjson takes a fraction of what model instances and nested serializers
take. ``tests/api/test_rows.py`` holds these shapes identical to the serializers.
"""

from django.db.models import QuerySet
from django.urls import reverse

from ..models import Verdict

CLAIM_LIST_FIELDS = (
    "id",
    "status",
    "headline",
    "published_at",
    "supersedes_id",
    "rating__slug",
    "rating__label",
    "rating__value",
    "rating__colour",
    "claim_id",
    "claim__text",
    "claim__made_on",
    "claim__made_on_text",
    "claim__made_in",
    "claim__language",
    "claim__updated_at",
    "claim__speaker_id",
    "claim__speaker__name",
    "claim__speaker__kind",
    "claim__speaker__is_anonymous",
    "claim__speaker__role",
)

VERDICT_LIST_FIELDS = (
    "id",
    "status",
    "headline",
    "published_at",
    "supersedes_id",
    "rating__slug",
    "rating__label",
    "rating__value",
    "rating__colour",
    "claim_id",
    "claim__text",
    "updated_at",
)


class Links:
    """Absolute URL prefixes for one request, so each item's links are string concatenation."""

    def __init__(self, request):
        def prefix(name: str) -> str:
            return request.build_absolute_uri(reverse(f"api-v1:{name}-list"))

        self.claims, self.verdicts, self.speakers = prefix("claim"), prefix("verdict"), prefix("speaker")


def claim_rows(verdicts: QuerySet[Verdict]) -> QuerySet:
    """One row per claim: each listed claim is reached through its listed verdict."""
    return verdicts.values(*CLAIM_LIST_FIELDS)


def verdict_rows(verdicts: QuerySet[Verdict]) -> QuerySet:
    return verdicts.values(*VERDICT_LIST_FIELDS)


def _rating(row: dict) -> dict | None:
    if row["rating__slug"] is None:
        return None
    return {
        "slug": row["rating__slug"],
        "label": row["rating__label"],
        "value": row["rating__value"],
        "colour": row["rating__colour"],
    }


def _verdict_summary(row: dict, links: Links) -> dict:
    return {
        "id": row["id"],
        "url": f"{links.verdicts}{row['id']}/",
        "status": row["status"],
        "headline": row["headline"],
        "rating": _rating(row),
        "published_at": row["published_at"],
        "is_correction": row["supersedes_id"] is not None,
    }


def claim_item(row: dict, links: Links) -> dict:
    """Same output as ClaimSummarySerializer."""
    speaker_id = row["claim__speaker_id"]
    return {
        "id": row["claim_id"],
        "url": f"{links.claims}{row['claim_id']}/",
        "text": row["claim__text"],
        "speaker": None
        if speaker_id is None
        else {
            "id": speaker_id,
            "url": f"{links.speakers}{speaker_id}/",
            "name": row["claim__speaker__name"],
            "kind": row["claim__speaker__kind"],
            "is_anonymous": row["claim__speaker__is_anonymous"],
            "role": row["claim__speaker__role"],
        },
        "made_on": row["claim__made_on"],
        "made_on_text": row["claim__made_on_text"],
        "made_in": row["claim__made_in"],
        "language": row["claim__language"],
        "verdict": _verdict_summary(row, links),
        "updated_at": row["claim__updated_at"],
    }


def verdict_item(row: dict, links: Links) -> dict:
    """Same output as VerdictListSerializer."""
    return {
        **_verdict_summary(row, links),
        "claim": {"id": row["claim_id"], "url": f"{links.claims}{row['claim_id']}/", "text": row["claim__text"]},
        "updated_at": row["updated_at"],
    }
