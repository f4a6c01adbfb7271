"""Serializers of publishers and sources, derived from their shapes (sources.api.shapes)."""

from factcheck.api.shapes import serializer_for

from .shapes import PUBLISHER, PUBLISHER_BRIEF, SOURCE, SOURCE_BRIEF

PublisherBriefSerializer = serializer_for(PUBLISHER_BRIEF)
PublisherSerializer = serializer_for(PUBLISHER)
SourceBriefSerializer = serializer_for(SOURCE_BRIEF)
SourceSerializer = serializer_for(SOURCE)
