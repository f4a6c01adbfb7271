"""API filters. Every filter a newsroom asks for, each backed by an index; bad values are 400s."""

from collections.abc import Iterable
from dataclasses import dataclass

import django_filters as filters
from django.db.models import Exists, OuterRef, QuerySet
from rest_framework.exceptions import ValidationError

from factcheck.api.filters import BooleanFilter, DateTimeFilter, IdFilter

from . import visibility
from .choices import VerdictStatus
from .models import Appearance, Claim, Rating, Speaker, Topic, Verdict
from .selectors import search_claims

SEARCH_HELP = (
    "Full-text search over claim text, quotes and speaker names. Web-search syntax: "
    '"a phrase", either or other, -excluded.'
)


@dataclass(frozen=True)
class SlugCheck:
    """Slugs a request names, to be found in ``queryset`` (an unknown slug is a 400).

    ``known`` is the query that finds them: run on its own, or read by the list's own
    statement (claims.api.views: one query per request).
    """

    parameter: str
    slugs: list[str]
    known: QuerySet

    def verify(self, known: Iterable[str]) -> None:
        found = set(known)
        unknown = [slug for slug in self.slugs if slug not in found]
        if unknown:
            name = self.known.model._meta.verbose_name
            raise ValidationError({self.parameter: [f"Unknown {name}: {', '.join(unknown)}."]})


def validated_slugs(queryset, value: str, parameter: str, deferred: list[SlugCheck] | None = None) -> list[str]:
    """Comma-separated slugs, each checked against ``queryset``: now, or with the page when
    ``deferred`` collects the checks (the slugs then filter the page all the same; an
    unknown one makes the request a 400 before its page is shown)."""
    slugs = [slug.strip() for slug in value.split(",") if slug.strip()]
    check = SlugCheck(parameter, slugs, queryset.filter(slug__in=slugs).order_by().values("slug"))
    if deferred is not None:
        deferred.append(check)
    else:
        check.verify(check.known.values_list("slug", flat=True))
    return slugs


def _claim_in_source(queryset, claim_ref, source_id):
    return queryset.filter(Exists(Appearance.objects.filter(claim=OuterRef(claim_ref), source_id=source_id)))


def _claim_from_publisher(queryset, claim_ref, publisher_id):
    appearances = Appearance.objects.filter(claim=OuterRef(claim_ref), source__publisher_id=publisher_id)
    return queryset.filter(Exists(appearances))


def _claim_tagged(queryset, claim_ref, slugs):
    tagged = Claim.topics.through.objects.filter(claim=OuterRef(claim_ref), topic__slug__in=slugs)
    return queryset.filter(Exists(tagged))


class VerdictRowsFilterSet(filters.FilterSet):
    """Filters shared by the claims and verdicts lists; both list rows of verdicts."""

    q = filters.CharFilter(method="filter_search", max_length=200, help_text=SEARCH_HELP)
    rating = filters.CharFilter(
        method="filter_rating",
        max_length=500,
        help_text="Rating slug; several separated by commas (false,mostly-false).",
    )
    speaker = IdFilter(field_name="claim__speaker_id", help_text="Speaker id.")
    topic = filters.CharFilter(
        method="filter_topic", max_length=500, help_text="Topic slug; several separated by commas (any of them)."
    )
    source = IdFilter(method="filter_source", help_text="Claims that appear in this source (id).")
    publisher = IdFilter(
        method="filter_publisher", help_text="Claims that appear in a source from this publisher (id)."
    )
    language = filters.CharFilter(field_name="claim__language", max_length=35, help_text="BCP 47 language tag.")
    published_after = DateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = DateTimeFilter(field_name="published_at", lookup_expr="lt")

    # Set by a view that reads the slug checks with its page (None: check at once).
    deferred_checks: list[SlugCheck] | None = None
    # Set by a view whose rows are all published verdicts (claims.selectors.search_claims).
    published_only = False

    class Meta:
        model = Verdict
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return search_claims(queryset, value, through="claim", published_only=self.published_only)

    def filter_rating(self, queryset, name, value):
        slugs = validated_slugs(Rating.objects.all(), value, name, self.deferred_checks)
        return queryset.filter(rating__slug__in=slugs)

    def filter_topic(self, queryset, name, value):
        topics = visibility.visible_topics(desk_member=visibility.is_desk_member(self.request.user))
        return _claim_tagged(queryset, "claim_id", validated_slugs(topics, value, name, self.deferred_checks))

    def filter_source(self, queryset, name, value):
        return _claim_in_source(queryset, "claim_id", value) if value is not None else queryset

    def filter_publisher(self, queryset, name, value):
        return _claim_from_publisher(queryset, "claim_id", value) if value is not None else queryset


class ClaimFilterSet(VerdictRowsFilterSet):
    """Claims list. Anonymous callers only ever see claims with a published verdict."""

    made_after = filters.DateFilter(field_name="claim__made_on", lookup_expr="gte", help_text="Made on or after.")
    made_before = filters.DateFilter(field_name="claim__made_on", lookup_expr="lte", help_text="Made on or before.")
    updated_since = DateTimeFilter(
        field_name="claim__updated_at",
        lookup_expr="gte",
        help_text="Claims whose public record changed at or after this time (incremental sync).",
    )
    status = filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in (VerdictStatus.PUBLISHED, VerdictStatus.IN_REVIEW, VerdictStatus.DRAFT)],
        method="filter_status",
        help_text="Status of the claim's verdict. Desk members only; everyone else always gets published.",
    )

    def filter_status(self, queryset, name, value):
        # The view narrows the queryset to published verdicts for the public; this only
        # narrows further, so it can never widen what a caller sees.
        return queryset.filter(status=value)


class VerdictFilterSet(VerdictRowsFilterSet):
    """Verdicts list. The public also gets retracted ones, whose claim may have no published verdict left.

    What the public may filter and search of such a claim is decided in claims.visibility.
    """

    claim = IdFilter(field_name="claim_id", help_text="Claim id.")
    status = filters.MultipleChoiceFilter(
        choices=VerdictStatus.choices,
        help_text=(
            "Verdict status; repeat for several. Public: published, superseded, retracted. "
            "Desk members may also ask for draft and in_review."
        ),
    )
    updated_since = DateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Verdicts changed at or after this time."
    )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        used = [name for name in visibility.CLAIM_ONLY_FILTERS if self.form.cleaned_data.get(name) not in (None, "")]
        desk_member = visibility.is_desk_member(self.request.user)
        return visibility.hide_claims_without_publication(queryset, desk_member=desk_member, used=used)

    def filter_search(self, queryset, name, value):
        public = visibility.search_as_public(visibility.is_desk_member(self.request.user))
        return search_claims(queryset, value, through="claim", public=public, published_only=self.published_only)


class SpeakerFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200, help_text="Part of the name.")
    kind = filters.ChoiceFilter(choices=Speaker._meta.get_field("kind").choices)
    is_anonymous = BooleanFilter()
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Speaker
        fields: list[str] = []


class TopicFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200, help_text="Part of the name.")

    class Meta:
        model = Topic
        fields: list[str] = []


class ClaimReviewFeedFilterSet(filters.FilterSet):
    updated_since = DateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Reviews published or corrected at or after this time."
    )
    published_after = DateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = DateTimeFilter(field_name="published_at", lookup_expr="lt")

    class Meta:
        model = Verdict
        fields: list[str] = []
