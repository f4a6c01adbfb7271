from django.contrib import admin

from factcheck.history_admin import HistoryAdmin
from factcheck.paginators import LargeTablePaginator

from .models import Publisher, Source


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ["name", "url"]
    search_fields = ["name"]


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "publisher", "kind", "published_on", "language", "has_archive"]
    list_filter = ["kind", "language"]
    list_select_related = ["publisher"]
    search_fields = ["title"]
    search_help_text = "Searches titles; paste a full URL to find a source by its address."
    autocomplete_fields = ["publisher"]
    paginator = LargeTablePaginator
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "url", "publisher", "kind", "published_on", "byline", "language"]}),
        ("Archive", {"fields": ["archived_text", "archived_at"]}),
    ]

    @admin.display(description="archived", boolean=True)
    def has_archive(self, source):
        return bool(source.archived_text)

    def get_queryset(self, request):
        # The list never shows archived text; don't fetch it for fifty rows per page.
        return super().get_queryset(request).defer("archived_text")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.startswith(("http://", "https://")):
            return queryset.filter(url=term), False
        return super().get_search_results(request, queryset, term)
