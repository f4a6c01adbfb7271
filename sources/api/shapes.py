"""What the API shows of publishers and sources: each field declared once (factcheck.api.shapes).

The brief forms nest inside claims, verdicts and evidence.
"""

from rest_framework import serializers

from factcheck.api.shapes import Shape, link, nested, value

from ..models import Publisher, Source

PUBLISHER_BRIEF = Shape("PublisherBrief", Publisher, (value("id"), link("publisher"), value("name")))

PUBLISHER = Shape(
    "Publisher",
    Publisher,
    (
        value("id"),
        link("publisher"),
        value("name"),
        value(
            "homepage",
            "url",
            help_text="The outlet's own website.",
            serializer_field=lambda **o: serializers.URLField(allow_blank=True, **o),
        ),
        value("updated_at"),
    ),
)

SOURCE_BRIEF = Shape(
    "SourceBrief",
    Source,
    (
        value("id"),
        link("source"),
        value("title"),
        value(
            "web_url",
            "url",
            help_text="Address of the document, if it has one.",
            serializer_field=lambda **o: serializers.URLField(allow_blank=True, **o),
        ),
        nested("publisher", PUBLISHER_BRIEF, allow_null=True),
        value("kind"),
        value("published_on"),
    ),
)

SOURCE = SOURCE_BRIEF.extend(
    "Source",
    value("byline"),
    value("language"),
    # Annotated by the view (sources.selectors.with_archive_flag), so the text itself is never loaded.
    value(
        "has_archive",
        help_text="The desk keeps an archived copy of the text.",
        serializer_field=lambda **o: serializers.BooleanField(read_only=True, **o),
    ),
    value("updated_at"),
)
