from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Length

from factcheck.history import History
from factcheck.weburls import WebURLField

from .choices import (
    CURRENT_VERDICT_STATUSES,
    ONCE_PUBLISHED_STATUSES,
    SpeakerKind,
    Stance,
    VerdictStatus,
)

wikidata_id_validator = RegexValidator(r"^Q[1-9][0-9]*$", "Enter a Wikidata item id such as Q42.")
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")


class Speaker(models.Model):
    """Who made a claim: a person, an organisation, or an attribution the source leaves unnamed.

    Anonymous attributions ("a US intelligence official") are real and common in
    reporting; they are recorded as speakers with ``is_anonymous`` set so that they can
    be shown and counted honestly, never merged with named people.
    """

    name = models.CharField(max_length=300, help_text="As the sources name the speaker.")
    kind = models.CharField(max_length=16, choices=SpeakerKind, default=SpeakerKind.PERSON)
    is_anonymous = models.BooleanField(
        default=False, help_text="The source does not name the speaker (e.g. 'a US official')."
    )
    role = models.CharField(max_length=300, blank=True, help_text="Role or title, e.g. 'National Security Advisor'.")
    affiliation = models.CharField(max_length=300, blank=True)
    wikidata_id = models.CharField("Wikidata id", max_length=20, blank=True, validators=[wikidata_id_validator])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = History()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="claims_speaker_by_name")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="claims_speaker_name_not_empty"),
            models.CheckConstraint(condition=models.Q(kind__in=SpeakerKind.values), name="claims_speaker_kind_valid"),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~models.Q(wikidata_id=""),
                name="claims_speaker_unique_wikidata_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class TopicManager(models.Manager["Topic"]):
    def get_by_natural_key(self, slug: str) -> "Topic":
        return self.get(slug=slug)


class Topic(models.Model):
    """A subject used to group claims (e.g. "Arms trade")."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TopicManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Claim(models.Model):
    """One checkable statement, worded neutrally (schema.org ClaimReview's ``claimReviewed``).

    Where the claim was made and in whose words is recorded on its appearances; the
    claim itself is the statement being checked.
    """

    text = models.TextField(help_text="The statement, worded neutrally.")
    speaker = models.ForeignKey(
        Speaker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="Empty when the source states it in its own voice.",
    )
    made_on = models.DateField(null=True, blank=True, help_text="When the claim was made, if the full date is known.")
    made_on_text = models.CharField(
        max_length=100,
        blank=True,
        help_text="The date as the source words it ('August 5', 'mid-July') when the full date is not known.",
    )
    made_in = models.CharField(
        max_length=300, blank=True, help_text="Where the claim was made, as reported (e.g. 'Russian state TV')."
    )
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 language tag.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="claims")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_index=False,  # covered by the claims_claim_queue index
        null=True,
        blank=True,
        related_name="assigned_claims",
        help_text="The reviewer whose queue this claim is in.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = History(m2m_fields=[topics])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The admin lists claims newest first; without this every page sorts the table.
            models.Index(F("created_at").desc(), F("id").desc(), name="claims_claim_newest_first"),
            # A reviewer's queue, oldest first, without sorting everything assigned to them.
            models.Index(fields=["assigned_to", "created_at", "id"], name="claims_claim_queue"),
            # The admin's "assigned to nobody", newest first, with other filters probed per
            # row: the walk reads this index alone instead of each claim's wide row.
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                condition=models.Q(assigned_to__isnull=True),
                name="claims_claim_unassigned_newest",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="claims_claim_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else f"{self.text[:79]}…"


class ReviewQueue(Claim):
    """The claims waiting for the logged-in reviewer (an admin view of Claim)."""

    class Meta:
        proxy = True
        verbose_name = "claim in my review queue"
        verbose_name_plural = "claims in my review queue"


class Appearance(models.Model):
    """A claim as it appears in one source: the verbatim quote and whom the source credits."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="appearances")
    quote = models.TextField(
        blank=True, help_text="Verbatim from the source; empty when only the place is known (imported reviews)."
    )
    attributed_to = models.CharField(
        max_length=300, blank=True, help_text="Whom the source credits with the claim, in the source's words."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History()

    class Meta:
        ordering = ["claim", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source"],
                condition=models.Q(quote=""),
                name="claims_appearance_one_unquoted_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} — “{self.quote[:60]}”" if self.quote else str(self.source)

    def clean(self) -> None:
        super().clean()
        if self.source_id is None:
            return
        errors = {}
        if self.quote and not self.source.contains_verbatim(self.quote):
            errors["quote"] = "This quote is not found verbatim in the source's archived text."
        if self.attributed_to and not self.source.contains_verbatim(self.attributed_to):
            errors["attributed_to"] = "This attribution is not found verbatim in the source's archived text."
        if errors:
            raise ValidationError(errors)


class RatingManager(models.Manager["Rating"]):
    def get_by_natural_key(self, slug: str) -> "Rating":
        return self.get(slug=slug)


class Rating(models.Model):
    """One step of the desk's verdict scale.

    The scale is data: labels, colours and descriptions are edited by the desk, while
    the slug stays stable for API clients. ``value`` places a rating on the
    true-to-false axis (higher is truer); ratings off that axis, such as "Disputed"
    or "Opinion", have none.
    """

    slug = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100, unique=True)
    value = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Position on the true-to-false axis (higher is truer); empty when off-axis.",
    )
    colour = models.CharField(max_length=7, validators=[colour_validator], help_text="#rrggbb")
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(help_text="Order in which the scale is shown.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(label=""), name="claims_rating_label_not_empty"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=1), name="claims_rating_value_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(models.lookups.Exact(Length("colour"), 7), colour__startswith="#"),
                name="claims_rating_colour_format",
            ),
            models.UniqueConstraint(fields=["value"], name="claims_rating_unique_value"),
        ]

    def __str__(self) -> str:
        return self.label

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Verdict(models.Model):
    """A reviewer's rating of a claim, with its public explanation and evidence.

    Verdicts move draft → in review → published. A published verdict is never
    edited in place: a correction publishes a new verdict that ``supersedes`` it (the
    old one is kept, marked superseded) and a retraction withdraws it; both carry a
    public note. Status only changes through ``claims.services``.

    A claim has at most one verdict of the desk's own standing (``reviewed_by`` empty)
    and, beside it, at most one published review imported from each other fact-checker
    (``reviewed_by``): a claim several fact-checkers reviewed is one claim with several
    reviews. Which one a claim is shown with is decided in ``claims.visibility``.
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="verdicts")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="verdicts")
    headline = models.CharField(max_length=300, blank=True)
    explanation = models.TextField(blank=True, help_text="Public: why the claim earns this rating.")
    internal_notes = models.TextField(blank=True, help_text="For the desk only; never published.")
    status = models.CharField(max_length=16, choices=VerdictStatus, default=VerdictStatus.DRAFT, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="verdicts_written"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="verdicts_approved"
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The published verdict this one corrects.",
    )
    public_note = models.TextField(blank=True, help_text="Public correction or retraction note (required for both).")
    return_comment = models.TextField(
        blank=True, help_text="For the desk only: why an editor sent the verdict back to its reviewer."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    first_published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the first version of this fact-check was published (kept by corrections).",
    )
    retracted_at = models.DateTimeField(null=True, blank=True)
    # Reviews imported from other fact-checkers (claims.importing); empty for the desk's own.
    reviewed_by = models.ForeignKey(
        "sources.Publisher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        help_text="The fact-checker who published this review, when it is not this desk.",
    )
    review_url = WebURLField(
        "review URL", max_length=2000, blank=True, help_text="Where the review was published, for imported reviews."
    )
    review_rating_label = models.CharField(
        max_length=1000, blank=True, help_text="The rating exactly as the review gave it (schema.org alternateName)."
    )
    review_rating_value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    review_best_rating = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    review_worst_rating = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    review_byline = models.CharField(
        max_length=300, blank=True, help_text="Who wrote the imported review (its Person authors), as it names them."
    )
    review_author_url = models.URLField(
        "review author URL", max_length=500, blank=True, help_text="The fact-checker's address as this review gave it."
    )
    review_date_offset = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text="The UTC offset, in minutes, the review's datePublished was given in; empty for a date alone.",
    )
    date_published_known = models.BooleanField(
        default=True,
        db_default=True,  # rows written with COPY or raw SQL get it too
        help_text="False for imported reviews that gave no date: the publication time is the import's.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = History()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(F("created_at").desc(), F("id").desc(), name="claims_verdict_newest_first"),
            # The desk home: a reviewer's drafts, those returned to them, and what waits for an
            # editor (claims.desk); each list walks its own small index and stops.
            models.Index(
                "reviewer",
                F("updated_at").desc(),
                F("id").desc(),
                condition=models.Q(status=VerdictStatus.DRAFT, return_comment=""),
                name="claims_verdict_drafts",
            ),
            models.Index(
                "reviewer",
                F("updated_at").desc(),
                F("id").desc(),
                condition=models.Q(status=VerdictStatus.DRAFT) & ~models.Q(return_comment=""),
                name="claims_verdict_returned",
            ),
            models.Index(
                "submitted_at", "id", condition=models.Q(status=VerdictStatus.IN_REVIEW), name="claims_verdict_waiting"
            ),
            # The claim list's filters on verdicts (claims.selectors.filter_by_verdicts): a status,
            # or a status and a rating, gives its claims without reading the verdicts' rows.
            models.Index(fields=["status", "rating", "claim"], name="claims_verdict_by_status"),
            # The public API lists fact-checks and verdicts newest first; only what was published.
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                condition=models.Q(status__in=ONCE_PUBLISHED_STATUSES),
                name="claims_verdict_public_newest",
            ),
        ]
        permissions = [
            ("submit_verdict", "Can submit a verdict for review"),
            ("change_others_verdict", "Can edit other reviewers' unpublished verdicts"),
            ("publish_verdict", "Can publish a verdict"),
            ("return_verdict", "Can return a verdict to its reviewer"),
            ("correct_verdict", "Can publish a correction of a verdict"),
            ("retract_verdict", "Can retract a verdict"),
            ("import_claimreview", "Can import reviews from ClaimReview data"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=VerdictStatus.values), name="claims_verdict_status_valid"
            ),
            # The desk's own verdict (reviewed_by empty): one standing or in progress per claim.
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(status=VerdictStatus.PUBLISHED, reviewed_by__isnull=True),
                name="claims_verdict_one_published_per_claim",
            ),
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(status__in=CURRENT_VERDICT_STATUSES, reviewed_by__isnull=True),
                name="claims_verdict_one_current_per_claim",
            ),
            # Reviews imported from other fact-checkers: one standing review per fact-checker
            # per claim, beside the desk's own (a claim several fact-checkers reviewed).
            models.UniqueConstraint(
                fields=["claim", "reviewed_by"],
                condition=models.Q(status=VerdictStatus.PUBLISHED, reviewed_by__isnull=False),
                name="claims_verdict_one_published_review_per_fact_checker",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=ONCE_PUBLISHED_STATUSES)
                | models.Q(rating__isnull=False, published_at__isnull=False),
                name="claims_verdict_published_has_rating_and_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=VerdictStatus.IN_REVIEW) | models.Q(rating__isnull=False),
                name="claims_verdict_in_review_has_rating",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=ONCE_PUBLISHED_STATUSES)
                | models.Q(first_published_at__isnull=False, first_published_at__lte=models.F("published_at")),
                name="claims_verdict_published_has_first_publication",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=VerdictStatus.RETRACTED)
                | (models.Q(retracted_at__isnull=False) & ~models.Q(public_note="")),
                name="claims_verdict_retracted_has_time_and_note",
            ),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(public_note=""),
                name="claims_verdict_correction_has_note",
            ),
            models.CheckConstraint(
                condition=~models.Q(supersedes=models.F("id")), name="claims_verdict_not_superseding_itself"
            ),
            # A review is identified by where it was published and the claim it reviews.
            models.UniqueConstraint(
                fields=["review_url", "claim"], condition=~models.Q(review_url=""), name="claims_verdict_unique_review"
            ),
        ]

    def __str__(self) -> str:
        rating = self.rating.label if self.rating is not None else "unrated"
        return f"{rating} ({self.get_status_display()}) — {self.claim}"

    @property
    def is_public(self) -> bool:
        return self.status in ONCE_PUBLISHED_STATUSES


class Evidence(models.Model):
    """A source cited by a verdict, with what it shows and, optionally, the passage relied on."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=16, choices=Stance, default=Stance.CONTEXT)
    quote = models.TextField(blank=True, help_text="Passage relied on, verbatim from the source.")
    note = models.TextField(blank=True, help_text="Public: what this source shows.")
    position = models.PositiveSmallIntegerField(default=0)

    history = History()

    class Meta:
        ordering = ["verdict", "position", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=models.Q(stance__in=Stance.values), name="claims_evidence_stance_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.source}"

    def clean(self) -> None:
        super().clean()
        if self.source_id is not None and self.quote and not self.source.contains_verbatim(self.quote):
            raise ValidationError({"quote": "This passage is not found verbatim in the source's archived text."})


class PublicRecordVersion(models.Model):
    """A single row whose ``version`` moves with every change the public can see.

    Whatever changes a published fact-check, a claim's public record, or a speaker,
    topic, rating, source or publisher the public sees moves it in the same transaction
    (``claims.public_version``); work the public cannot see (drafts, reviews, claims not
    yet published) leaves it alone. The public API's ETags are made from it with the
    request (``factcheck.api.revalidation``), so answering a conditional GET is one
    tiny read instead of building the page.

    The version is a time in microseconds, or one more than the last one if that is
    later: it never repeats, even if the row is lost and started again.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="claims_publicrecordversion_single_row")]

    def __str__(self) -> str:
        return f"public record version {self.version}"
