"""Speakers, topics and the rating scale: the reference data verdicts point to."""

from django.contrib import admin

from factcheck.history_admin import HistoryAdmin
from factcheck.paginators import LargeTablePaginator

from ..models import Rating, Speaker, Topic
from .display import AdminStyles, colour_chip


@admin.register(Speaker)
class SpeakerAdmin(HistoryAdmin):
    list_display = ["name", "kind", "is_anonymous", "role", "affiliation", "wikidata_id"]
    list_filter = ["kind", "is_anonymous"]
    search_fields = ["name"]
    paginator = LargeTablePaginator
    show_full_result_count = False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["chip", "slug", "value", "position", "description"]
    list_editable = ["position"]
    ordering = ["position"]
    Media = AdminStyles

    @admin.display(description="rating")
    def chip(self, rating):
        return colour_chip(rating.label, rating.colour)

    def get_readonly_fields(self, request, obj=None):
        # API clients and ClaimReview consumers key on the slug: it never changes once used.
        return ["slug"] if obj and obj.verdicts.exists() else []
