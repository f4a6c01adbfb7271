"""Filter fields that refuse what they cannot honour exactly, with a 400 and a message.

django-filter's defaults are lenient where an API must not be: a number filter accepts
"1.5" and uses 1, a boolean filter ignores "maybe", and a datetime that cannot be
converted to UTC reaches the database and fails there.
"""

from datetime import UTC, datetime

import django_filters as filters
from django import forms
from django_filters.fields import IsoDateTimeField

MAX_ID = 2**63 - 1  # the largest id a database column holds


class IdFilter(filters.NumberFilter):
    """A row id: a whole number from 1 to 2**63 - 1."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    TRUE = {"true", "1"}
    FALSE = {"false", "0"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        lowered = str(value).lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class UTCDateTimeField(IsoDateTimeField):
    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows.
            return moment.astimezone(UTC)
        except OverflowError:
            # Before 0001-01-01 or after 9999-12-31 in UTC: no stored time lies beyond the
            # edge, so the edge compares exactly as the moment asked for would.
            edge = datetime.min if moment.year == 1 else datetime.max
            return edge.replace(tzinfo=UTC)


class DateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date and time that exists in UTC."""

    field_class = UTCDateTimeField
