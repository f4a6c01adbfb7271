"""Writing: reviews as claims, published verdicts and appearances, in bulk.

:class:`Writer` takes a batch of normalised reviews and, in a few queries whatever the
batch's size, finds the verdicts they already are (by review URL and claim), creates
the new claims, verdicts and appearances and updates what changed, each with history
(claims.bulk and simple-history's bulk update). Published verdicts are checked with the
services' rule for what a published verdict needs, and claims whose public record
changed are marked with ``services.public_record_changed``.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from claims.bulk import new_instance
from claims.choices import VerdictStatus
from claims.matching.imports import claims_to_link
from claims.models import Appearance, Claim, Verdict
from claims.ratingmap import RatingMapper
from claims.services import WorkflowError, missing_for_submission, public_record_changed

from .records import Review, publisher_key
from .related import RelatedRows
from .summary import ImportSummary


def _desk_claim_id(url: str) -> int | None:
    """The claim id when ``url`` is this desk's own fact-check page."""
    prefix = settings.FACTCHECK_DESK_URL.rstrip("/")
    if not url.startswith(prefix + "/"):
        return None
    try:
        match = resolve(url[len(prefix) :].split("?", 1)[0])
    except Resolver404:
        return None
    return match.kwargs.get("claim_id") if match.url_name == "fact-check" else None


def _ids(values: dict) -> dict:
    """Field values with related objects turned into ids (``speaker`` → ``speaker_id``)."""
    return {
        (f"{name}_id" if hasattr(value, "_meta") or name in RELATIONS else name): (
            value.pk if hasattr(value, "_meta") else value
        )
        for name, value in values.items()
    }


RELATIONS = {"speaker", "rating", "reviewed_by"}
# A claim created this long before its imported review was on file before the review
# (claims.matching.imports); an import writes a claim and its review moments apart.
JOINED_BEFORE = timedelta(minutes=1)

CLAIM_FIELDS = ["text", "speaker", "made_on", "made_on_text", "made_in", "language"]
VERDICT_FIELDS = [
    "rating",
    "headline",
    "explanation",
    "reviewed_by",
    "review_author_url",
    "review_byline",
    "review_rating_label",
    "review_rating_value",
    "review_best_rating",
    "review_worst_rating",
    "review_date_offset",
    "published_at",
    "first_published_at",
    "date_published_known",
]


def _differs(instance, values: dict, *, ignore_time: bool = False) -> bool:
    for name, value in values.items():
        if ignore_time and name in ("published_at", "first_published_at"):
            continue  # a review without a date keeps the time it was first imported
        field = instance._meta.get_field(name)
        if field.is_relation:
            # Compare ids: reading the related object would cost a query per review.
            if getattr(instance, field.attname) != (value.pk if value is not None else None):
                return True
            continue
        current = getattr(instance, name)
        if isinstance(current, Decimal) or isinstance(value, Decimal):
            if (current is None) != (value is None) or (current is not None and Decimal(current) != Decimal(value)):
                return True
        elif current != value:
            return True
    return False


def _assign(instance, values: dict, *, keep_time: bool = False):
    for name, value in values.items():
        if keep_time and name in ("published_at", "first_published_at"):
            continue
        setattr(instance, name, value)
    instance.updated_at = timezone.now()
    return instance


class Writer(RelatedRows):
    """Writes batches of reviews; see the module docstring."""

    def __init__(self, summary: ImportSummary, mapper: RatingMapper, reason: str, actor):
        super().__init__(summary, reason, actor)
        self.mapper = mapper

    def write(self, reviews: list[Review]) -> None:
        publishers = {work.publisher: "" for review in reviews for work in review.appearances if work.publisher}
        for review in reviews:
            # A fact-checker that also published an appearance keeps the URL its reviews give.
            if review.reviewer and (review.reviewer[1] or review.reviewer[0] not in publishers):
                publishers[review.reviewer[0]] = review.reviewer[1]
        self.publishers_for(publishers)
        speakers = self.speakers_for(review.speaker for review in reviews if review.speaker)
        sources = self.sources_for(work for review in reviews for work in review.appearances)

        existing = self._existing(reviews)
        desk_own = self._desk_own(reviews, existing)
        # A review of a claim already on file (in other words) joins that claim (claims.matching.imports).
        unknown = [review for review in reviews if review.key not in existing and review.key not in desk_own]
        on_file = dict(
            zip(
                (review.key for review in unknown),
                claims_to_link([(review.claim_text, review.language) for review in unknown]),
                strict=True,
            )
        )
        linked_claims: set[int] = set()
        new_claims, new_verdicts, new_reviews = [], [], []
        changed_claims: list[Claim] = []
        changed_verdicts: list[Verdict] = []
        appearance_pairs: list[tuple] = []
        for review in reviews:
            verdict = existing.get(review.key)
            if verdict is None and review.key in desk_own:
                # The desk's own review, exported and imported back: the desk's record stands,
                # whatever has happened to it since (corrected, retracted).
                self.summary.count("reviews", "unchanged")
                continue
            claim_fields = {
                "text": review.claim_text,
                "speaker": speakers[review.speaker.key] if review.speaker else None,
                "made_on": review.claim_date,
                "made_on_text": review.claim_date_text,
                "made_in": review.made_in,
                "language": review.language,
            }
            verdict_fields = self._verdict_fields(review)
            works = [sources[work.key] for work in review.appearances]
            if verdict is None:
                linked = on_file.get(review.key)
                if linked is not None:
                    claim = Claim(pk=linked)
                    linked_claims.add(linked)
                else:
                    claim = new_instance(Claim, **_ids(claim_fields))
                    new_claims.append(claim)
                verdict = new_instance(
                    Verdict, status=VerdictStatus.PUBLISHED, review_url=review.url, **_ids(verdict_fields)
                )
                new_verdicts.append((claim, verdict))
                new_reviews.append((claim, works))
                continue
            claim = verdict.claim
            if claim.created_at < verdict.created_at - JOINED_BEFORE:
                # The review joined a claim already on file (an import creates a claim and its
                # review together): the claim keeps its own words, speaker and date.
                self.summary.count("claims", "unchanged")
            elif _differs(claim, claim_fields):
                # A reworded claim (same review) is this claim, reworded: its history keeps the old words.
                changed_claims.append(_assign(claim, claim_fields))
            else:
                self.summary.count("claims", "unchanged")
            rating = verdict_fields["rating"]
            if (
                not verdict.review_rating_label
                and rating.pk == verdict.rating_id
                and review.rating_label == rating.label
            ):
                # The desk's export names a bare ratingValue with the desk's own label; that
                # label adds nothing to the review as its author gave it.
                verdict_fields["review_rating_label"] = ""
            keep_time = review.date_published is None and not verdict.date_published_known
            if _differs(verdict, verdict_fields, ignore_time=keep_time):
                changed_verdicts.append(_assign(verdict, verdict_fields, keep_time=keep_time))
            else:
                self.summary.count("reviews", "unchanged")
            appearance_pairs.extend((claim, source) for source in works)

        for verdict in [*(verdict for _, verdict in new_verdicts), *changed_verdicts]:
            # The services' rule for a published verdict holds for imported ones too.
            missing = list(missing_for_submission(verdict).values())
            if missing:
                raise WorkflowError(f"Cannot publish the review {verdict.review_url} without {', '.join(missing)}.")
        self._created(Claim, new_claims, "claims")
        self.new_claim_ids = {claim.pk for claim in new_claims}
        for claim, verdict in new_verdicts:
            verdict.claim_id = claim.pk
        self._created(Verdict, [verdict for _, verdict in new_verdicts], "reviews")
        for claim, works in new_reviews:
            appearance_pairs.extend((claim, source) for source in works)
        self._updated(Claim, changed_claims, [*CLAIM_FIELDS, "updated_at"], "claims")
        self._updated(Verdict, changed_verdicts, [*VERDICT_FIELDS, "updated_at"], "reviews")
        self._appearances(appearance_pairs)
        self.summary.count("claims", "linked", len(linked_claims))
        if linked_claims:
            public_record_changed(linked_claims, at=self.now)

    def _verdict_fields(self, review: Review) -> dict:
        match = self.mapper.map(review.rating_label, review.rating_value, review.best_rating, review.worst_rating)
        if not match.mapped:
            self.summary.unmapped_labels[review.rating_label or f"ratingValue {review.rating_value}"] += 1
        if match.disagrees:
            self.summary.disagreeing_values[f"{review.rating_label} (ratingValue {review.rating_value})"] += 1
        # Undated reviews: when the feed says it first listed them, else now.
        published = review.date_modified or review.date_published or review.date_created or self.now
        first = review.date_published or published
        return {
            "rating": match.rating,
            "headline": review.headline,
            "explanation": review.explanation,
            "reviewed_by": self.publishers[publisher_key(review.reviewer[0])] if review.reviewer else None,
            "review_author_url": review.reviewer[1] if review.reviewer else "",
            "review_byline": review.byline,
            "review_rating_label": review.rating_label,
            "review_rating_value": review.rating_value,
            "review_best_rating": review.best_rating,
            "review_worst_rating": review.worst_rating,
            "review_date_offset": review.date_offset,
            "published_at": max(published, first),
            "first_published_at": min(published, first),
            "date_published_known": review.date_published is not None,
        }

    @staticmethod
    def _existing(reviews: list[Review]) -> dict[tuple, Verdict]:
        """The verdicts these reviews already are, locked: by review URL, then claim or position.

        On a page of several reviews, a review whose claim's wording changed is the one at
        its position (in the order the verdicts were first imported); a page of one is one.
        """
        by_url: dict[str, list[Verdict]] = {}
        for verdict in (
            Verdict.objects.filter(review_url__in={r.url for r in reviews})
            .exclude(review_url="")  # the unique index's condition, so PostgreSQL uses it
            .select_related("claim")
            # An editor saving one of these in the admin meanwhile waits, then finds the
            # version bumped (see _updated) and is refused instead of reverting the import.
            .select_for_update(of=("self", "claim"))
            .order_by("id")
        ):
            by_url.setdefault(verdict.review_url, []).append(verdict)
        found: dict[tuple, Verdict] = {}
        reworded = []
        for review in reviews:
            verdicts = by_url.get(review.url, [])
            same = next((v for v in verdicts if v.claim.text == review.claim_text), None)
            if same is not None:
                found[review.key] = same
            elif verdicts:
                reworded.append(review)
        taken = {verdict.pk for verdict in found.values()}
        for review in reworded:
            verdicts = by_url[review.url]
            if review.position < len(verdicts) and verdicts[review.position].pk not in taken:
                found[review.key] = verdicts[review.position]
                taken.add(verdicts[review.position].pk)
        return found

    @staticmethod
    def _desk_own(reviews: list[Review], existing: dict) -> set[tuple]:
        """Keys of the reviews that are this desk's own fact-checks of the same claim."""
        desk_claims = {
            review.key: (claim_id, review.claim_text)
            for review in reviews
            if review.key not in existing and (claim_id := _desk_claim_id(review.url)) is not None
        }
        if not desk_claims:
            return set()
        own = set(
            Verdict.objects.filter(
                claim_id__in={claim_id for claim_id, _ in desk_claims.values()}, reviewed_by=None
            ).values_list("claim_id", "claim__text")
        )
        return {key for key, claim in desk_claims.items() if claim in own}

    def _appearances(self, pairs) -> None:
        pairs = list(dict.fromkeys((claim.pk, source.pk) for claim, source in pairs))
        if not pairs:
            return
        # Only claims that existed before this import can already have these appearances.
        claim_ids = {claim_id for claim_id, _ in pairs} - self.new_claim_ids
        have = set()
        if claim_ids:
            have = set(Appearance.objects.filter(claim_id__in=claim_ids, quote="").values_list("claim_id", "source_id"))
        new = [new_instance(Appearance, claim_id=c, source_id=s) for c, s in pairs if (c, s) not in have]
        self.summary.count("appearances", "unchanged", len(pairs) - len(new))
        self._created(Appearance, new, "appearances")
        # New appearances change what the public sees of an existing claim (see claims.signals).
        touched = {appearance.claim_id for appearance in new} - self.new_claim_ids
        if touched:
            public_record_changed(touched, at=self.now)
