"""Public shapes of publishers and sources. Brief forms nest inside claims and verdicts."""

from rest_framework import serializers

from factcheck.api.fields import ModelSerializer

from ..models import Publisher, Source


class PublisherBriefSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:publisher-detail")

    class Meta:
        model = Publisher
        fields = ["id", "url", "name"]


class PublisherSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:publisher-detail")
    homepage = serializers.URLField(source="url", allow_blank=True, help_text="The outlet's own website.")

    class Meta:
        model = Publisher
        fields = ["id", "url", "name", "homepage", "updated_at"]


class SourceBriefSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-v1:source-detail")
    web_url = serializers.URLField(source="url", allow_blank=True, help_text="Address of the document, if it has one.")
    publisher = PublisherBriefSerializer(allow_null=True)

    class Meta:
        model = Source
        fields = ["id", "url", "title", "web_url", "publisher", "kind", "published_on"]


class SourceSerializer(SourceBriefSerializer):
    # Annotated by the view (sources.selectors.public_sources), so the text itself is never loaded.
    has_archive = serializers.BooleanField(read_only=True, help_text="The desk keeps an archived copy of the text.")

    class Meta(SourceBriefSerializer.Meta):
        fields = [*SourceBriefSerializer.Meta.fields, "byline", "language", "has_archive", "updated_at"]
