from django.db import models


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    GROUP = "group", "Group of people"


class VerdictStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded by a correction"
    RETRACTED = "retracted", "Retracted"


# A claim has at most one verdict in one of these states at a time: the one being worked on
# or the one standing in public. Superseded and retracted verdicts are kept as the record.
CURRENT_VERDICT_STATUSES = (VerdictStatus.DRAFT, VerdictStatus.IN_REVIEW, VerdictStatus.PUBLISHED)
# States a verdict can only reach by having been published (they keep their publication time).
ONCE_PUBLISHED_STATUSES = (VerdictStatus.PUBLISHED, VerdictStatus.SUPERSEDED, VerdictStatus.RETRACTED)


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports the claim"
    CONTRADICTS = "contradicts", "Contradicts the claim"
    CONTEXT = "context", "Gives context"
