"""What the API shows of claims, verdicts, speakers, topics and ratings: each field declared once.

The serializers, the list JSON PostgreSQL builds, the plain-row lists of other databases
and the details' Last-Modified are all derived from these shapes (factcheck.api.shapes).
Add a public field here, in one line; nothing else needs to know.
"""

from django.urls import reverse
from rest_framework import serializers

from factcheck.api.shapes import Shape, computed, link, method, nested, serializer_for, value
from sources.api.shapes import PUBLISHER_BRIEF, SOURCE_BRIEF

from .. import visibility
from ..choices import VerdictStatus
from ..models import Appearance, Claim, Evidence, Rating, Speaker, Topic, Verdict

RATING_BRIEF = Shape("RatingBrief", Rating, (value("slug"), value("label"), value("value"), value("colour")))

RATING = Shape(
    "Rating",
    Rating,
    (
        value("slug"),
        link("rating", lookup="slug"),
        value("label"),
        value("value"),
        value("colour"),
        value("description"),
        value("position"),
    ),
)

TOPIC_BRIEF = Shape("TopicBrief", Topic, (value("slug"), value("name")))

TOPIC = Shape("Topic", Topic, (value("slug"), link("topic", lookup="slug"), value("name"), value("description")))

SPEAKER_BRIEF = Shape(
    "SpeakerBrief",
    Speaker,
    (value("id"), link("speaker"), value("name"), value("kind"), value("is_anonymous"), value("role")),
)

SPEAKER = SPEAKER_BRIEF.extend(
    "Speaker",
    value("affiliation"),
    value("wikidata_id"),
    # Set by the view from claims.selectors.track_records.
    value(
        "track_record",
        help_text="Published verdicts on this speaker's claims, counted per rating slug.",
        serializer_field=lambda **o: serializers.DictField(
            child=serializers.IntegerField(min_value=1), read_only=True, **o
        ),
    ),
    value("updated_at"),
)

VERDICT_SUMMARY = Shape(
    "VerdictSummary",
    Verdict,
    (
        value("id"),
        link("verdict"),
        value("status"),
        value("headline"),
        nested("rating", RATING_BRIEF, allow_null=True),
        value("published_at"),
        computed(
            "is_correction",
            "supersedes_id",
            sql="(%(expressions)s IS NOT NULL)",
            transform=lambda supersedes_id: supersedes_id is not None,
            serializer_field=serializers.BooleanField,
            help_text="This version corrects an earlier published one.",
        ),
    ),
)

# A verdict's claim: a withdrawn claim reads as it stood when retracted (claims.visibility).
CLAIM_BRIEF = Shape(
    "ClaimBrief", Claim, (value("id"), link("claim"), value("text", expression=visibility.claim_wording))
)

LISTED_VERDICT_HELP = (
    "The published verdict: this desk's own, else the latest review imported from another fact-checker; "
    "for desk members, the one in progress (null if none yet)."
)

CLAIM_SUMMARY = Shape(
    "ClaimSummary",
    Claim,
    (
        value("id"),
        link("claim"),
        value("text"),
        nested("speaker", SPEAKER_BRIEF, allow_null=True),
        value("made_on"),
        value("made_on_text"),
        value("made_in"),
        value("language"),
        nested("verdict", VERDICT_SUMMARY, "listed_verdict", allow_null=True, help_text=LISTED_VERDICT_HELP),
        value("updated_at"),
    ),
    doc="A claim in a list: brief speaker and its verdict (the published one, for the public).",
)

# The claim's own table is joined by the list query already: reading it there costs nothing.
VERDICT_LIST = VERDICT_SUMMARY.extend("VerdictList", nested("claim", CLAIM_BRIEF, joined=True), value("updated_at"))

EVIDENCE = Shape("Evidence", Evidence, (nested("source", SOURCE_BRIEF), value("stance"), value("quote"), value("note")))

APPEARANCE = Shape("Appearance", Appearance, (value("quote"), value("attributed_to"), nested("source", SOURCE_BRIEF)))


def _user_name(**options):
    return serializers.StringRelatedField(allow_null=True, **options)


VERDICT_INTERNAL = Shape(
    "VerdictInternal",
    Verdict,
    (
        value("internal_notes"),
        value("return_comment"),
        value("reviewer", serializer_field=_user_name),
        value("editor", serializer_field=_user_name),
        value("submitted_at"),
        value("version"),
    ),
    doc="What only the desk sees: shown to desk members, null for everyone else.",
)


def _corrected_by(verdict: Verdict, serializer):
    correction = getattr(verdict, "superseded_by", None)
    return serializer_for(VERDICT_SUMMARY)(correction, context=serializer.context).data if correction else None


def _claim_review_url(verdict: Verdict, serializer) -> str | None:
    if verdict.status != VerdictStatus.PUBLISHED:
        return None
    request = serializer.context["request"]
    return request.build_absolute_uri(reverse("api-v1:verdict-claim-review", args=[verdict.pk]))


def _internal(verdict: Verdict, serializer):
    if not visibility.sees_internal(serializer.context):
        return None
    return serializer_for(VERDICT_INTERNAL)(verdict, context=serializer.context).data


# Who published a review and how they rated it, shared by a verdict's detail and a claim's reviews.
IMPORTED_REVIEW_FIELDS = (
    nested(
        "reviewed_by",
        PUBLISHER_BRIEF,
        allow_null=True,
        help_text="The fact-checker who published an imported review; null for this desk's own.",
    ),
    value(
        "review_url",
        help_text="Where an imported review was published.",
        serializer_field=lambda **o: serializers.URLField(allow_blank=True, **o),
    ),
    value(
        "original_rating",
        "review_rating_label",
        help_text="An imported review's rating exactly as its author gave it (schema.org alternateName).",
        serializer_field=lambda **o: serializers.CharField(allow_blank=True, **o),
    ),
)


VERDICT_DETAIL = VERDICT_SUMMARY.extend(
    "VerdictDetail",
    value("explanation"),
    value("public_note"),
    *IMPORTED_REVIEW_FIELDS,
    value("first_published_at"),
    value("retracted_at"),
    nested("evidence", EVIDENCE, many=True),
    nested("corrects", VERDICT_SUMMARY, "supersedes", allow_null=True, help_text="The version this one corrects."),
    method(
        "corrected_by",
        _corrected_by,
        serializer_for(VERDICT_SUMMARY)(allow_null=True),
        path="superseded_by",
        help_text="The version that corrects this one, if any.",
    ),
    nested("claim", CLAIM_BRIEF),
    method(
        "claim_review_url",
        _claim_review_url,
        serializers.CharField(allow_null=True),
        help_text="This verdict as schema.org ClaimReview JSON-LD.",
    ),
    value("updated_at"),
    method(
        "internal",
        _internal,
        serializer_for(VERDICT_INTERNAL)(allow_null=True),
        help_text="Desk members only; null for everyone else.",
    ),
)

EARLIER_VERDICT = VERDICT_SUMMARY.extend("EarlierVerdict", value("public_note"), value("retracted_at"))

# Every standing review of a claim: the desk's own and those imported from other fact-checkers.
REVIEW = VERDICT_SUMMARY.extend(
    "Review",
    *IMPORTED_REVIEW_FIELDS,
)


def _fact_check_url(claim: Claim, serializer) -> str:
    return serializer.context["request"].build_absolute_uri(reverse("fact-check", args=[claim.pk]))


CLAIM_DETAIL = CLAIM_SUMMARY.extend(
    "ClaimDetail",
    nested("verdict", VERDICT_DETAIL, "listed_verdict", allow_null=True, help_text=LISTED_VERDICT_HELP),
    nested("topics", TOPIC_BRIEF, many=True),
    nested("appearances", APPEARANCE, many=True),
    nested(
        "reviews",
        REVIEW,
        many=True,
        help_text=(
            "Every published review of the claim, the one it is shown with first: this desk's own, then those "
            "imported from other fact-checkers, newest first."
        ),
    ),
    nested(
        "earlier_verdicts",
        EARLIER_VERDICT,
        many=True,
        help_text="Superseded and retracted versions, newest first, with their public notes.",
    ),
    nested(
        "retraction",
        EARLIER_VERDICT,
        allow_null=True,
        help_text=(
            "When the claim's fact-check was retracted and none stands now: the retraction, with its date and "
            "public note. The claim then shows its wording as retracted and nothing else of itself."
        ),
    ),
    method("fact_check_url", _fact_check_url, serializers.CharField(), help_text="The public fact-check page."),
    doc="A claim with everything public: where it appeared, its verdict with evidence, earlier versions.",
)
