"""The claim list's filters: current status and rating, assignment, speaker, source, topic.

Each filter is an EXISTS subquery or a plain column test, so it stays an index probe on
large tables; lists of choices come from short tables (ratings, topics, the desk's staff).
"""

from admin_auto_filters.filters import AutocompleteFilter
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from ..choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from ..models import Appearance, Claim, Rating, Topic, Verdict
from ..selectors import filter_by_current_rating, filter_by_current_status

# A claim's status on the desk: its current verdict's, or retracted when every verdict was withdrawn.
DESK_STATUSES = (*CURRENT_VERDICT_STATUSES, VerdictStatus.RETRACTED)


class CurrentStatusFilter(admin.SimpleListFilter):
    title = "verdict status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("none", "No verdict yet"),
            *[(status.value, status.label) for status in VerdictStatus if status in DESK_STATUSES],
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return filter_by_current_status(queryset, None)
        if value in DESK_STATUSES:
            return filter_by_current_status(queryset, value)
        return queryset


class CurrentRatingFilter(admin.SimpleListFilter):
    title = "rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(rating.slug, rating.label) for rating in Rating.objects.all()]

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return filter_by_current_rating(queryset, value)
        return queryset


class HasVerdictFilter(admin.SimpleListFilter):
    title = "any verdict"
    parameter_name = "has_verdict"

    def lookups(self, request, model_admin):
        return [("yes", "Has a verdict (any state)"), ("no", "Has never had a verdict")]

    def queryset(self, request, queryset):
        verdicts = Verdict.objects.filter(claim=OuterRef("pk"))
        if self.value() == "yes":
            return queryset.filter(Exists(verdicts))
        if self.value() == "no":
            return queryset.filter(~Exists(verdicts))
        return queryset


class StaffUserFilter(admin.SimpleListFilter):
    """Filter on a user field by the desk's staff (a short list), never by scanning the table."""

    field: str

    def lookups(self, request, model_admin):
        users = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        return [("me", "Me"), ("nobody", "Nobody"), *[(str(user.pk), user.get_username()) for user in users]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(**{self.field: request.user})
        if value == "nobody":
            return queryset.filter(**{f"{self.field}__isnull": True})
        if value and value.isdigit():
            return queryset.filter(**{f"{self.field}_id": int(value)})
        return queryset


class AssignedReviewerFilter(StaffUserFilter):
    title = "assigned reviewer"
    parameter_name = "assigned"
    field = "assigned_to"


class VerdictReviewerFilter(StaffUserFilter):
    title = "reviewer"
    parameter_name = "reviewer"
    field = "reviewer"


class SpeakerFilter(AutocompleteFilter):
    title = "speaker"
    field_name = "speaker"


class SourceFilter(AutocompleteFilter):
    """Claims that appear in a source, picked by autocomplete (a table too large to list)."""

    title = "appears in source"
    field_name = "source"
    rel_model = Appearance  # type: ignore[assignment]  # the library declares None; any model is meant
    parameter_name = "source"

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(Exists(Appearance.objects.filter(claim=OuterRef("pk"), source_id=value)))
        return queryset


class TopicFilter(admin.SimpleListFilter):
    title = "topic"
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        return list(Topic.objects.values_list("slug", "name"))

    def queryset(self, request, queryset):
        if self.value():
            tagged = Claim.topics.through.objects.filter(claim=OuterRef("pk"), topic__slug=self.value())
            return queryset.filter(Exists(tagged))
        return queryset
