"""API filters for sources and publishers."""

import django_filters as filters

from factcheck.api.filters import DateTimeFilter, IdFilter

from .choices import SourceKind
from .models import Publisher, Source


class SourceFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="title", lookup_expr="icontains", max_length=200, help_text="Part of the title.")
    web_url = filters.CharFilter(field_name="url", max_length=2000, help_text="The document's exact address.")
    publisher = IdFilter(field_name="publisher_id", help_text="Publisher id.")
    kind = filters.ChoiceFilter(choices=SourceKind.choices)
    language = filters.CharFilter(max_length=35, help_text="BCP 47 language tag.")
    published_after = filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="published_on", lookup_expr="lte")
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Source
        fields: list[str] = []


class PublisherFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200, help_text="Part of the name.")

    class Meta:
        model = Publisher
        fields: list[str] = []
