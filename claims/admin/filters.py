"""The claim list's filters: current status and rating, assignment, speaker, source, topic.

Each filter is an EXISTS subquery or a plain column test, so it stays an index probe on
large tables (the filters on verdicts make one EXISTS together); lists of choices come
from short tables (ratings, topics, the desk's staff).
"""

from admin_auto_filters.filters import AutocompleteFilter
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery

from ..choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from ..models import Appearance, Claim, Rating, Topic
from ..selectors import NO_VERDICT, filter_by_verdicts

# A claim's status on the desk: its current verdict's, or retracted when every verdict was withdrawn.
DESK_STATUSES = (*CURRENT_VERDICT_STATUSES, VerdictStatus.RETRACTED)


class VerdictFilter(admin.SimpleListFilter):
    """One of the list's filters on verdicts: status, rating, any verdict.

    They test the same rows, so the list applies them together, once, as one condition
    (``selectors.filter_by_verdicts``): the first of them that has a value on the page
    applies every one's condition, the others leave the list as it is.
    """

    def __init__(self, request, params, model, model_admin):
        # The admin hands each filter only the parameters the filters before it left.
        self.page_parameters = request.GET
        self.siblings = [f for f in model_admin.list_filter if isinstance(f, type) and issubclass(f, VerdictFilter)]
        super().__init__(request, params, model, model_admin)

    @classmethod
    def condition(cls, value: str | None) -> dict:
        """The keyword arguments of ``filter_by_verdicts`` this filter's value stands for."""
        raise NotImplementedError

    def queryset(self, request, queryset):
        chosen = [(f, f.condition(self.page_parameters.get(f.parameter_name))) for f in self.siblings]
        chosen = [(f, condition) for f, condition in chosen if condition]
        if not chosen or chosen[0][0] is not type(self):
            return queryset
        return filter_by_verdicts(queryset, **{key: value for _, c in chosen for key, value in c.items()})


class CurrentStatusFilter(VerdictFilter):
    title = "verdict status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (NO_VERDICT, "No verdict yet"),
            *[(status.value, status.label) for status in VerdictStatus if status in DESK_STATUSES],
        ]

    @classmethod
    def condition(cls, value):
        return {"status": value} if value == NO_VERDICT or value in DESK_STATUSES else {}


class CurrentRatingFilter(VerdictFilter):
    title = "rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(rating.slug, rating.label) for rating in Rating.objects.all()]

    @classmethod
    def condition(cls, value):
        return {"rating": value} if value else {}


class HasVerdictFilter(VerdictFilter):
    title = "any verdict"
    parameter_name = "has_verdict"

    def lookups(self, request, model_admin):
        return [("yes", "Has a verdict (any state)"), ("no", "Has never had a verdict")]

    @classmethod
    def condition(cls, value):
        return {"has_verdict": value == "yes"} if value in ("yes", "no") else {}


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
            # The slug is looked up once per statement; each claim is then one index probe.
            topic = Subquery(Topic.objects.filter(slug=self.value()).values("pk"))
            tagged = Claim.topics.through.objects.filter(claim=OuterRef("pk"), topic=topic)
            return queryset.filter(Exists(tagged))
        return queryset
