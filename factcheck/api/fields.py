"""How the API writes date-times: ISO 8601 in UTC, as PostgreSQL writes them in JSON.

``2026-11-21T09:00:00+00:00``, with fractional seconds only when there are any and
without trailing zeros (``09:00:00.12+00:00``). List items built by the database and
everything the serializers produce share this one format.
"""

import copy
from datetime import UTC, datetime
from typing import ClassVar

from django.db import models
from rest_framework import serializers


def iso_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return f"{text}+00:00"


class DateTimeField(serializers.DateTimeField):
    def to_representation(self, value):
        return iso_datetime(value) if value else None


class ModelSerializer(serializers.ModelSerializer):
    """ModelSerializer writing date-times in the API's one format, building its fields once.

    DRF builds a ModelSerializer's fields by model introspection for every instance: a
    claim detail nests sixteen of them, and that alone cost more than its queries. The
    fields depend only on the class (its Meta and declared fields), so they are built
    once per class and copied, as DRF itself copies declared fields.
    """

    # Set on each class by get_fields, the first time it builds that class's fields.
    _built_fields: ClassVar[dict[str, serializers.Field]]

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return copy.deepcopy(built)
