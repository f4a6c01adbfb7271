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
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Min, Q
from django.urls import Resolver404, resolve
from django.utils import timezone

from claims.bulk import Among, new_instance
from claims.choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from claims.matching.imports import Linking
from claims.models import Appearance, Claim, Verdict
from claims.ratingmap import RatingMapper
from claims.services import WorkflowError, missing_for_submission, public_record_changed

from .records import Review, publisher_key
from .related import RelatedRows, on_file
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
    ids = dict(values)
    for name, attname in RELATIONS.items():
        if name in ids:
            value = ids.pop(name)
            ids[attname] = value.pk if value is not None else None
    return ids


RELATIONS = {"speaker": "speaker_id", "rating": "rating_id", "reviewed_by": "reviewed_by_id"}
TIMES = ("published_at", "first_published_at")
# A claim created this long before its imported review was on file before the review
# (claims.matching.imports); an import writes a claim and its review moments apart.
JOINED_BEFORE = timedelta(minutes=1)


@cache
def _fields(model: type[models.Model]) -> dict[str, tuple[str, bool, bool]]:
    """By field name, (attname, whether a relation, whether a decimal): what comparing a value needs."""
    return {
        field.name: (field.attname, field.is_relation, isinstance(field, models.DecimalField))
        for field in model._meta.concrete_fields
    }


def _claim_key(claim: Claim) -> int:
    """A claim's id, or for one this batch creates, its identity until it has one."""
    return claim.pk if claim.pk is not None else -id(claim)


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
# What comparing a review with the one on file reads of them (see Writer._existing).
VERDICT_COLUMNS = ["id", "claim_id", "review_url", *(_fields(Verdict)[name][0] for name in VERDICT_FIELDS)]
CLAIM_COLUMNS = [_fields(Claim)[name][0] for name in CLAIM_FIELDS]


def _differs(model: type[models.Model], stored: dict, values: dict, *, ignore_time: bool = False) -> bool:
    """Whether ``values`` (field names) differ from ``stored`` (a row on file, by attname)."""
    fields = _fields(model)
    for name, value in values.items():
        if ignore_time and name in TIMES:
            continue  # a review without a date keeps the time it was first imported
        attname, relation, decimal = fields[name]
        current = stored[attname]
        if relation:
            # Compare ids: reading the related object would cost a query per review.
            if current != (value.pk if value is not None else None):
                return True
            continue
        if decimal or isinstance(current, Decimal) or isinstance(value, Decimal):
            if (current is None) != (value is None) or (current is not None and Decimal(current) != Decimal(value)):
                return True
        elif current != value:
            return True
    return False


def _locked(model: type[models.Model], ids: list[int]) -> dict[int, Any]:
    """Whole records of the few rows an import changes, for their history (already locked, see _existing)."""
    return {row.pk: row for row in model._default_manager.filter(Among(F("id"), ids))}


def _assign(instance, values: dict, *, keep_time: bool = False):
    for name, value in values.items():
        if keep_time and name in TIMES:
            continue
        setattr(instance, name, value)
    instance.updated_at = timezone.now()
    return instance


class Writer(RelatedRows):
    """Writes batches of reviews; see the module docstring."""

    def __init__(self, summary: ImportSummary, mapper: RatingMapper, reason: str, actor):
        super().__init__(summary, reason, actor)
        self.mapper = mapper
        self.linking = Linking()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        # The work a batch left running (embedding its claims for the next) ends with the import.
        self.linking.close(failed=error_type is not None)

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
        # The reviews of one claim (.records.Review.group) are one claim: the claim one of them
        # already reviews, else a new one; its fields are the group's first review's.
        group_fields: dict[tuple, dict] = {}
        group_claim: dict[tuple, Claim] = {}
        claims_on_file: dict[int, Claim] = {}  # the claims of the reviews on file, by id
        for review in reviews:
            if review.group not in group_fields:
                group_fields[review.group] = {
                    "text": review.claim_text,
                    "speaker": speakers[review.speaker.key] if review.speaker else None,
                    "made_on": review.claim_date,
                    "made_on_text": review.claim_date_text,
                    "made_in": review.made_in,
                    "language": review.language,
                }
            stored = existing.get(review.key)
            if stored is not None:
                claim_id = stored["claim_id"]
                if claim_id not in claims_on_file:
                    claims_on_file[claim_id] = on_file(Claim, id=claim_id)
                group_claim.setdefault(review.group, claims_on_file[claim_id])
        # A claim on file that one of them restates in other words is the group's claim
        # (claims.matching.imports): the review joins it rather than adding a duplicate.
        unplaced = {
            review.group: review
            for review in reviews
            if review.group not in group_claim and review.key not in existing and review.key not in desk_own
        }
        linked = self.linking.link([(review.claim_text, review.language) for review in unplaced.values()])
        linked_claims: set[int] = set()
        for group, claim_id in zip(unplaced, linked, strict=True):
            if claim_id is not None:
                group_claim[group] = Claim(pk=claim_id)
                linked_claims.add(claim_id)
        taken = self._taken(
            {
                group_claim[review.group].pk
                for review in reviews
                if review.key not in existing and review.group in group_claim
            }
        )
        new_claims, new_verdicts = [], []
        # Claims on file whose stored fields differ from a review's: claim id → (group, fields), in order.
        differing: dict[int, list[tuple[tuple, dict]]] = {}
        changed_verdicts: dict[int, tuple[dict, bool]] = {}  # verdict id → (fields, keep_time)
        appearance_pairs: list[tuple] = []
        joined: set[int] = set()  # existing claims a new review joins
        for review in reviews:
            stored = existing.get(review.key)
            if stored is None and review.key in desk_own:
                # The desk's own review, exported and imported back: the desk's record stands,
                # whatever has happened to it since (corrected, retracted).
                self.summary.count("reviews", "unchanged")
                continue
            claim_fields = group_fields[review.group]
            verdict_fields = self._verdict_fields(review)
            works = [sources[work.key] for work in review.appearances]
            if stored is None:
                reviewer = verdict_fields["reviewed_by"]
                reviewer_id = reviewer.pk if reviewer is not None else None
                claim = group_claim.get(review.group)
                if claim is not None and (_claim_key(claim), reviewer_id) in taken:
                    # A claim has one standing review per fact-checker: another review of it
                    # by the same one is kept, as a claim of its own.
                    note = "its fact-checker has another review of this claim: imported as a claim of its own"
                    self.summary.notes.append((review.where, note))
                    claim = None
                if claim is None:
                    claim = new_instance(Claim, **_ids(claim_fields))
                    new_claims.append(claim)
                    group_claim.setdefault(review.group, claim)
                elif claim.pk is not None:
                    joined.add(claim.pk)
                taken.add((_claim_key(claim), reviewer_id))
                verdict = new_instance(
                    Verdict, status=VerdictStatus.PUBLISHED, review_url=review.url, **_ids(verdict_fields)
                )
                new_verdicts.append((claim, verdict))
                appearance_pairs.extend((claim, source) for source in works)
                continue
            claim_id = stored["claim_id"]
            if stored["joined"]:
                # The review joined a claim already on file (an import creates a claim and its
                # review together): the claim keeps its own words, speaker and date.
                self.summary.count("claims", "unchanged")
            elif _differs(Claim, stored["claim"], claim_fields):
                differing.setdefault(claim_id, []).append((review.group, claim_fields))
            else:
                self.summary.count("claims", "unchanged")
            rating = verdict_fields["rating"]
            if (
                not stored["review_rating_label"]
                and rating.pk == stored["rating_id"]
                and review.rating_label == rating.label
            ):
                # The desk's export names a bare ratingValue with the desk's own label; that
                # label adds nothing to the review as its author gave it.
                verdict_fields["review_rating_label"] = ""
            keep_time = review.date_published is None and not stored["date_published_known"]
            if _differs(Verdict, stored, verdict_fields, ignore_time=keep_time):
                changed_verdicts[stored["id"]] = (verdict_fields, keep_time)
            else:
                self.summary.count("reviews", "unchanged")
            appearance_pairs.extend((claims_on_file[claim_id], source) for source in works)
        changed_claims = self._reworded(reviews, existing, differing)

        # Whole records only for what changes: their history rows hold every field.
        claims = _locked(Claim, list(changed_claims))
        verdicts = _locked(Verdict, list(changed_verdicts))
        for claim_id, claim_fields in changed_claims.items():
            _assign(claims[claim_id], claim_fields)
        for verdict_id, (verdict_fields, keep_time) in changed_verdicts.items():
            _assign(verdicts[verdict_id], verdict_fields, keep_time=keep_time)
        for verdict in [*(verdict for _, verdict in new_verdicts), *verdicts.values()]:
            # The services' rule for a published verdict holds for imported ones too.
            missing = list(missing_for_submission(verdict).values())
            if missing:
                raise WorkflowError(f"Cannot publish the review {verdict.review_url} without {', '.join(missing)}.")
        self._created(Claim, new_claims, "claims")
        self.new_claim_ids = {claim.pk for claim in new_claims}
        # Later batches may restate these: they are embedded for the index while the rest is written.
        self.linking.created(new_claims)
        for claim, verdict in new_verdicts:
            verdict.claim_id = claim.pk
        self._created(Verdict, [verdict for _, verdict in new_verdicts], "reviews")
        self._updated(Claim, list(claims.values()), [*CLAIM_FIELDS, "updated_at"], "claims")
        self._updated(Verdict, list(verdicts.values()), [*VERDICT_FIELDS, "updated_at"], "reviews")
        self._appearances(appearance_pairs)
        self.summary.count("claims", "linked", len(linked_claims & joined))
        # A new review of a claim already public changes what the public sees of it.
        if joined - set(changed_claims):
            public_record_changed(joined - set(changed_claims), at=self.now)

    @staticmethod
    def _taken(claim_ids: set[int]) -> set[tuple]:
        """(claim id, fact-checker id) for the reviews these claims already have that a new one
        may not join: a published review per fact-checker, and the desk's own current verdict
        (fact-checker None)."""
        if not claim_ids:
            return set()
        return set(
            Verdict.objects.filter(Among(F("claim_id"), list(claim_ids)))
            .filter(
                Q(status=VerdictStatus.PUBLISHED) | Q(reviewed_by__isnull=True, status__in=CURRENT_VERDICT_STATUSES)
            )
            .values_list("claim_id", "reviewed_by_id")
        )

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

    def _reworded(self, reviews: list[Review], existing: dict, differing: dict) -> dict[int, dict]:
        """The claims on file these reviews reword: claim id → the fields they take.

        A claim takes the wording of the review it was created with, never that of a review
        that joined it: not one that joined it a minute or more later (``joined``, see
        _existing), nor one that joined it moments after, as a later batch of the import that
        created it does. The review it was created with is its first; for a claim created for
        several reviews at once (one group), their group's.
        """
        if not differing:
            return {}
        first = dict(
            Verdict.objects.filter(Among(F("claim_id"), list(differing)))
            .order_by()
            .values("claim_id")
            .annotate(first=Min("id"))
            .values_list("claim_id", "first")
        )
        owning = {
            review.group
            for review in reviews
            if (stored := existing.get(review.key)) is not None and first.get(stored["claim_id"]) == stored["id"]
        }
        changed: dict[int, dict] = {}
        for claim_id, candidates in differing.items():
            fields = next((fields for group, fields in candidates if group in owning), None)
            if fields is None:
                self.summary.count("claims", "unchanged", len(candidates))
            else:
                changed[claim_id] = fields
        return changed

    @staticmethod
    def _existing(reviews: list[Review]) -> dict[tuple, dict]:
        """The verdicts these reviews already are, locked: by review URL, then claim or position.

        On a page of several reviews, a review whose claim's wording changed is the one at
        its position (in the order the verdicts were first imported); a page of one is one.
        Each is a row of what the import compares (``VERDICT_COLUMNS`` by attname, ``claim``:
        its claim's ``CLAIM_COLUMNS``, ``joined``: whether the claim was on file a minute or
        more before the review), not an instance: a batch of model instances with every
        column, times converted to aware datetimes, costs more than the comparison.
        """
        by_url: dict[str, list[dict]] = {}
        joined = ExpressionWrapper(Q(claim__created_at__lt=F("created_at") - JOINED_BEFORE), BooleanField())
        rows = (
            Verdict.objects.filter(Among(F("review_url"), list({r.url for r in reviews})))
            .exclude(review_url="")  # the unique index's condition, so PostgreSQL uses it
            # An editor saving one of these in the admin meanwhile waits, then finds the
            # version bumped (see _updated) and is refused instead of reverting the import.
            # (The query joins the verdicts and their claims alone: both are locked.)
            .select_for_update()
            .order_by("id")
            .annotate(joined=joined)
            .values_list(*VERDICT_COLUMNS, *(f"claim__{column}" for column in CLAIM_COLUMNS), "joined")
        )
        split, end = len(VERDICT_COLUMNS), len(VERDICT_COLUMNS) + len(CLAIM_COLUMNS)
        for row in rows:
            stored = dict(zip(VERDICT_COLUMNS, row[:split], strict=True))
            stored["claim"] = dict(zip(CLAIM_COLUMNS, row[split:end], strict=True))
            stored["joined"] = row[end]
            by_url.setdefault(stored["review_url"], []).append(stored)
        found: dict[tuple, dict] = {}
        reworded = []
        for review in reviews:
            verdicts = by_url.get(review.url, [])
            same = next((v for v in verdicts if v["claim"]["text"] == review.claim_text), None)
            if same is not None:
                found[review.key] = same
            elif verdicts:
                reworded.append(review)
        taken = {verdict["id"] for verdict in found.values()}
        for review in reworded:
            verdicts = by_url[review.url]
            if review.position < len(verdicts) and verdicts[review.position]["id"] not in taken:
                found[review.key] = verdicts[review.position]
                taken.add(verdicts[review.position]["id"])
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
            have = set(
                Appearance.objects.filter(Among(F("claim_id"), list(claim_ids)), quote="").values_list(
                    "claim_id", "source_id"
                )
            )
        new = [new_instance(Appearance, claim_id=c, source_id=s) for c, s in pairs if (c, s) not in have]
        self.summary.count("appearances", "unchanged", len(pairs) - len(new))
        self._created(Appearance, new, "appearances")
        # New appearances change what the public sees of an existing claim (see claims.signals).
        touched = {appearance.claim_id for appearance in new} - self.new_claim_ids
        if touched:
            public_record_changed(touched, at=self.now)
