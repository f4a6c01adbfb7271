"""Public shapes of the claims API.

These serializers define the API (and its OpenAPI schema). List endpoints for claims and
verdicts build the same shapes from plain rows (claims.api.rows) for speed; a test holds
the two to identical output.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from factcheck.api.fields import ModelSerializer
from sources.api.serializers import PublisherBriefSerializer, SourceBriefSerializer

from ..choices import VerdictStatus
from ..models import Appearance, Claim, Evidence, Rating, Speaker, Topic, Verdict


class RatingBriefSerializer(ModelSerializer):
    class Meta:
        model = Rating
        fields = ["slug", "label", "value", "colour"]


class RatingSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:rating-detail", lookup_field="slug")

    class Meta:
        model = Rating
        fields = ["slug", "url", "label", "value", "colour", "description", "position"]


class TopicSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:topic-detail", lookup_field="slug")

    class Meta:
        model = Topic
        fields = ["slug", "url", "name", "description"]


class TopicBriefSerializer(ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name"]


class SpeakerBriefSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:speaker-detail")

    class Meta:
        model = Speaker
        fields = ["id", "url", "name", "kind", "is_anonymous", "role"]


class SpeakerSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:speaker-detail")
    track_record = serializers.DictField(
        child=serializers.IntegerField(min_value=1),
        read_only=True,
        help_text="Published verdicts on this speaker's claims, counted per rating slug.",
    )

    class Meta:
        model = Speaker
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "is_anonymous",
            "role",
            "affiliation",
            "wikidata_id",
            "track_record",
            "updated_at",
        ]


class VerdictSummarySerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:verdict-detail")
    rating = RatingBriefSerializer(allow_null=True)
    is_correction = serializers.SerializerMethodField(help_text="This version corrects an earlier published one.")

    class Meta:
        model = Verdict
        fields = ["id", "url", "status", "headline", "rating", "published_at", "is_correction"]

    def get_is_correction(self, verdict: Verdict) -> bool:
        return verdict.supersedes_id is not None


class ClaimBriefSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:claim-detail")

    class Meta:
        model = Claim
        fields = ["id", "url", "text"]


class ClaimSummarySerializer(ModelSerializer):
    """A claim in a list: brief speaker and its verdict (the published one, for the public)."""

    url = serializers.HyperlinkedIdentityField(view_name="api-v1:claim-detail")
    speaker = SpeakerBriefSerializer(allow_null=True)
    verdict = VerdictSummarySerializer(
        source="listed_verdict",
        allow_null=True,
        help_text="The published verdict; for desk members, the one in progress (null if none yet).",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "text",
            "speaker",
            "made_on",
            "made_on_text",
            "made_in",
            "language",
            "verdict",
            "updated_at",
        ]


class VerdictListSerializer(VerdictSummarySerializer):
    claim = ClaimBriefSerializer()

    class Meta(VerdictSummarySerializer.Meta):
        fields = [*VerdictSummarySerializer.Meta.fields, "claim", "updated_at"]


class EvidenceSerializer(ModelSerializer):
    source = SourceBriefSerializer()

    class Meta:
        model = Evidence
        fields = ["source", "stance", "quote", "note"]


class AppearanceSerializer(ModelSerializer):
    source = SourceBriefSerializer()

    class Meta:
        model = Appearance
        fields = ["quote", "attributed_to", "source"]


class VerdictInternalSerializer(ModelSerializer):
    """What only the desk sees: shown to desk members, null for everyone else."""

    reviewer = serializers.StringRelatedField(allow_null=True)
    editor = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Verdict
        fields = ["internal_notes", "return_comment", "reviewer", "editor", "submitted_at", "version"]


class VerdictDetailSerializer(VerdictSummarySerializer):
    reviewed_by = PublisherBriefSerializer(
        allow_null=True, help_text="The fact-checker who published an imported review; null for this desk's own."
    )
    review_url = serializers.URLField(allow_blank=True, help_text="Where an imported review was published.")
    original_rating = serializers.CharField(
        source="review_rating_label",
        allow_blank=True,
        help_text="An imported review's rating exactly as its author gave it (schema.org alternateName).",
    )
    evidence = EvidenceSerializer(many=True)
    corrects = VerdictSummarySerializer(
        source="supersedes", allow_null=True, help_text="The version this one corrects."
    )
    corrected_by = serializers.SerializerMethodField(help_text="The version that corrects this one, if any.")
    claim = ClaimBriefSerializer()
    claim_review_url = serializers.SerializerMethodField(help_text="This verdict as schema.org ClaimReview JSON-LD.")
    internal = serializers.SerializerMethodField(help_text="Desk members only; null for everyone else.")

    class Meta(VerdictSummarySerializer.Meta):
        fields = [
            *VerdictSummarySerializer.Meta.fields,
            "explanation",
            "public_note",
            "reviewed_by",
            "review_url",
            "original_rating",
            "first_published_at",
            "retracted_at",
            "evidence",
            "corrects",
            "corrected_by",
            "claim",
            "claim_review_url",
            "updated_at",
            "internal",
        ]

    @extend_schema_field(VerdictSummarySerializer(allow_null=True))
    def get_corrected_by(self, verdict: Verdict):
        correction = getattr(verdict, "superseded_by", None)
        return VerdictSummarySerializer(correction, context=self.context).data if correction else None

    def get_claim_review_url(self, verdict: Verdict) -> str | None:
        if verdict.status != VerdictStatus.PUBLISHED:
            return None
        return self.context["request"].build_absolute_uri(reverse("api-v1:verdict-claim-review", args=[verdict.pk]))

    @extend_schema_field(VerdictInternalSerializer(allow_null=True))
    def get_internal(self, verdict: Verdict):
        if not self.context.get("desk_member"):
            return None
        return VerdictInternalSerializer(verdict, context=self.context).data


class EarlierVerdictSerializer(VerdictSummarySerializer):
    class Meta(VerdictSummarySerializer.Meta):
        fields = [*VerdictSummarySerializer.Meta.fields, "public_note", "retracted_at"]


class ClaimDetailSerializer(ClaimSummarySerializer):
    """A claim with everything public: where it appeared, its verdict with evidence, earlier versions."""

    verdict = VerdictDetailSerializer(
        source="listed_verdict",
        allow_null=True,
        help_text="The published verdict; for desk members, the one in progress (null if none yet).",
    )
    topics = TopicBriefSerializer(many=True)
    appearances = AppearanceSerializer(many=True)
    earlier_verdicts = EarlierVerdictSerializer(
        many=True, help_text="Superseded and retracted versions, newest first, with their public notes."
    )
    fact_check_url = serializers.SerializerMethodField(help_text="The public fact-check page.")

    class Meta(ClaimSummarySerializer.Meta):
        fields = [*ClaimSummarySerializer.Meta.fields, "topics", "appearances", "earlier_verdicts", "fact_check_url"]

    def get_fact_check_url(self, claim: Claim) -> str:
        return self.context["request"].build_absolute_uri(reverse("fact-check", args=[claim.pk]))
