from django.db import models
from django.db.models.functions import Lower

from factcheck.history import History
from factcheck.weburls import WebURLField

from .choices import SourceKind


class Publisher(models.Model):
    """An outlet or organisation that publishes sources: a newspaper, broadcaster, agency."""

    name = models.CharField(max_length=200)
    url = WebURLField("homepage URL", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="sources_publisher_unique_name_ci"),
            models.CheckConstraint(condition=~models.Q(name=""), name="sources_publisher_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """A document in which a claim appears, or which a verdict cites as evidence.

    Fact-checkers archive what they cite because pages change: ``archived_text`` keeps
    the text of the document as it was read, and appearance quotes are checked
    against it.
    """

    title = models.CharField(max_length=500)
    url = WebURLField("URL", max_length=2000, blank=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, null=True, blank=True, related_name="sources")
    kind = models.CharField(max_length=32, choices=SourceKind, default=SourceKind.NEWS_ARTICLE)
    published_on = models.DateField(null=True, blank=True)
    byline = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 language tag, e.g. en, fr, pt-BR.")
    archived_text = models.TextField(
        blank=True, help_text="The document's text as archived; appearance quotes must be found in it verbatim."
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = History()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~models.Q(url=""), name="sources_source_unique_url"),
            models.CheckConstraint(condition=~models.Q(title=""), name="sources_source_title_not_empty"),
            models.CheckConstraint(condition=models.Q(kind__in=SourceKind.values), name="sources_source_kind_valid"),
        ]
        indexes = [
            # Sources without a URL (broadcasts, print) are matched by title when imported.
            models.Index(fields=["title"], condition=models.Q(url=""), name="sources_source_no_url_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def contains_verbatim(self, text: str) -> bool:
        """Whether ``text`` occurs verbatim in the archived text (True when nothing is archived)."""
        return not self.archived_text or text in self.archived_text
