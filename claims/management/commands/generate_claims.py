"""Fill the database with a realistic synthetic desk for load testing and benchmarks.

    manage.py generate_claims --claims 1000000

Per million claims: 50,000 speakers, 1,400 publishers, 200,000 sources, about 1.45
million appearances, 720,000 verdicts in every workflow state, 1 million evidence links
and 2 million claim-topic links. Text is varied (see claims.synthetic). On PostgreSQL
rows are streamed with COPY (claims.bulk); elsewhere they are bulk-inserted. Rows are added to what
is there; run it on a database of its own.
"""

import random
import time
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from claims.bulk import insert_rows, new_instance
from claims.choices import SpeakerKind, Stance, VerdictStatus
from claims.models import Appearance, Claim, Evidence, Rating, Speaker, Topic, Verdict
from claims.synthetic import COUNTRIES, ROLES, TextFactory
from sources.choices import SourceKind
from sources.models import Publisher, Source

TOPIC_AREAS = [
    "Elections",
    "Economy",
    "Health",
    "Migration",
    "Crime",
    "Climate",
    "Energy",
    "War",
    "Education",
    "Housing",
    "Trade",
    "Diplomacy",
    "Sanctions",
    "Vaccines",
    "Food prices",
    "Taxes",
]
ANONYMOUS = [
    "A senior official",
    "An unnamed diplomat",
    "A government source",
    "A military official",
    "An aide",
    "A person familiar with the talks",
    "An intelligence official",
    "A party insider",
]
YEARS = 5


class Writer:
    """Collects rows per model and writes them in batches (claims.bulk: COPY on PostgreSQL)."""

    def __init__(self):
        self.rows: dict[type[models.Model], list[dict]] = defaultdict(list)
        self.counts: dict[type[models.Model], int] = defaultdict(int)

    def add(self, model, **row):
        self.rows[model].append(row)

    def flush(self):
        # Parents before children, so foreign keys always point at written rows.
        order: list[type[models.Model]] = [
            Publisher,
            Source,
            Speaker,
            Claim,
            Claim.topics.through,
            Appearance,
            Verdict,
            Evidence,
        ]
        for model in order:
            rows = self.rows.pop(model, [])
            if not rows:
                continue
            # Fields the generator does not set take their model defaults, as bulk_create would.
            insert_rows(model, [new_instance(model, **row) for row in rows], batch_size=500)
            self.counts[model] += len(rows)


class Command(BaseCommand):
    help = "Generate a synthetic desk of N claims with speakers, sources, appearances, verdicts and evidence."

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, default=10_000, help="How many claims (default 10,000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--batch-size", type=int, default=20_000, help="Claims per batch (default 20,000).")

    def handle(self, *args, claims: int, seed: int, batch_size: int, **options):
        if claims < 1:
            raise CommandError("--claims must be at least 1.")
        started = time.monotonic()
        self.random = random.Random(seed)
        self.text = TextFactory(seed)
        self.now = timezone.now()
        self.ratings = list(Rating.objects.order_by("position"))
        if not self.ratings:
            raise CommandError("The rating scale is missing: run migrate first.")
        writer = Writer()
        with transaction.atomic():
            self.reviewers, self.editors = self._staff()
            topic_ids = self._topics()
            self.next_id = {
                model: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
                for model in (Publisher, Source, Speaker, Claim, Appearance, Verdict, Evidence)
            }
            publisher_ids = self._publishers(writer, max(5, claims // 700))
            source_ids = self._sources(writer, max(10, claims // 5), publisher_ids)
            speakers = self._speakers(writer, max(10, claims // 20))
            writer.flush()
            for offset in range(0, claims, batch_size):
                for index in range(offset, min(claims, offset + batch_size)):
                    self._claim(writer, index, claims, speakers, source_ids, topic_ids)
                writer.flush()
                self.stdout.write(f"  {min(claims, offset + batch_size):,} / {claims:,} claims", ending="\r")
                self.stdout.flush()
            self._reset_sequences()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum would do on a desk that has lived a while: statistics, and the
            # visibility map that lets index-only scans skip the table (benchmarks otherwise
            # time a freshly loaded database's heap fetches). VACUUM cannot run in a transaction.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write("")
        for model, count in writer.counts.items():
            self.stdout.write(f"{model._meta.label:<28} {count:>12,}")
        self.stdout.write(f"done in {time.monotonic() - started:.1f}s")

    # Reference rows -----------------------------------------------------------------

    def _staff(self):
        User = get_user_model()
        groups = {name: Group.objects.get(name=name) for name in ("Reviewer", "Editor")}
        users: dict[str, list[int]] = {}
        for name, count in (("Reviewer", 12), ("Editor", 3)):
            users[name] = []
            for number in range(1, count + 1):
                user, created = User.objects.get_or_create(
                    username=f"load-{name.lower()}-{number}", defaults={"is_staff": True}
                )
                if created:
                    user.set_unusable_password()
                    user.save()
                user.groups.add(groups[name])
                users[name].append(user.pk)
        return users["Reviewer"], users["Editor"]

    def _topics(self):
        ids = []
        for area in TOPIC_AREAS:
            for country in [None, *COUNTRIES[:6]]:
                name = area if country is None else f"{area} in {country}"
                topic, _ = Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})
                ids.append(topic.pk)
        return ids

    def _take_ids(self, model, count):
        start = self.next_id[model]
        self.next_id[model] += count
        return range(start, start + count)

    def _moment(self, fraction: float):
        """A time in the last few years, later for larger fractions (ids grow with time)."""
        span = timedelta(days=365 * YEARS)
        jitter = timedelta(minutes=self.random.randint(0, 600))
        return min(self.now, self.now - span + span * fraction + jitter)

    def _publishers(self, writer, count):
        ids = self._take_ids(Publisher, count)
        for pk in ids:
            name, url = self.text.outlet(pk)
            writer.add(Publisher, id=pk, name=name, url=url, created_at=self.now, updated_at=self.now)
        return list(ids)

    def _sources(self, writer, count, publisher_ids):
        ids = self._take_ids(Source, count)
        for number, pk in enumerate(ids):
            title = self.text.headline()
            when = self._moment(number / count)
            writer.add(
                Source,
                id=pk,
                title=title[:500],
                url=f"https://news-{pk % 97}.example/{when:%Y/%m}/{slugify(title)[:60]}-{pk}",
                publisher_id=self._skewed(publisher_ids),
                kind=self.random.choices(
                    [
                        SourceKind.NEWS_ARTICLE,
                        SourceKind.BROADCAST,
                        SourceKind.SOCIAL_POST,
                        SourceKind.REPORT,
                        SourceKind.OFFICIAL_STATEMENT,
                    ],
                    weights=[70, 8, 12, 5, 5],
                )[0].value,
                published_on=when.date(),
                byline=self.text.person_name() if self.random.random() < 0.6 else "",
                language="en",
                archived_text="",
                archived_at=None,
                created_at=when,
                updated_at=when,
            )
        return list(ids)

    def _speakers(self, writer, count):
        speakers = []
        for pk in self._take_ids(Speaker, count):
            roll = self.random.random()
            if roll < 0.75:
                name, kind, anonymous = self.text.person_name(), SpeakerKind.PERSON, False
                role = self.text.pick(ROLES)
            elif roll < 0.95:
                name, kind, anonymous, role = self.text.organisation_name(), SpeakerKind.ORGANISATION, False, ""
            else:
                name, kind, anonymous = self.random.choice(ANONYMOUS), SpeakerKind.PERSON, True
                role = "unnamed"
            writer.add(
                Speaker,
                id=pk,
                name=name,
                kind=kind.value,
                is_anonymous=anonymous,
                role=role,
                affiliation=self.random.choice(COUNTRIES) if kind == SpeakerKind.PERSON else "",
                wikidata_id="",
                created_at=self.now,
                updated_at=self.now,
            )
            speakers.append((pk, name))
        return speakers

    def _skewed(self, items):
        """A few items are used a lot, most rarely (as with real speakers and outlets)."""
        return items[int(len(items) * self.random.random() ** 3)]

    # Claims ---------------------------------------------------------------------------

    def _claim(self, writer, index, total, speakers, source_ids, topic_ids):
        claim_id = self._take_ids(Claim, 1)[0]
        created = self._moment(index / total)
        speaker = self._skewed(speakers) if self.random.random() < 0.9 else None
        text = self.text.claim()
        roll = self.random.random()
        status = (
            None
            if roll < 0.35
            else VerdictStatus.PUBLISHED
            if roll < 0.77
            else VerdictStatus.DRAFT
            if roll < 0.84
            else VerdictStatus.IN_REVIEW
            if roll < 0.90
            else VerdictStatus.RETRACTED
            if roll < 0.93
            else VerdictStatus.SUPERSEDED
        )
        assigned = None
        if status in (None, VerdictStatus.DRAFT) and self.random.random() < 0.5:
            assigned = self.random.choice(self.reviewers)
        claim_row = {
            "id": claim_id,
            "text": text,
            "speaker_id": speaker[0] if speaker else None,
            "made_on": (created - timedelta(days=self.random.randint(0, 20))).date()
            if self.random.random() < 0.8
            else None,
            "made_on_text": "",
            "made_in": self.random.choice(["", "", "", "a press conference", "state TV", "a rally", "an interview"]),
            "language": "en",
            "assigned_to_id": assigned,
            "version": 1,
            "created_at": created,
            "updated_at": created + timedelta(hours=self.random.randint(0, 48)),
        }
        for topic_id in self.random.sample(topic_ids, self.random.randint(1, 3)):
            writer.add(Claim.topics.through, claim_id=claim_id, topic_id=topic_id)
        appearances = 1 + (self.random.random() < 0.35) + (self.random.random() < 0.1)
        for pk in self._take_ids(Appearance, appearances):
            writer.add(
                Appearance,
                id=pk,
                claim_id=claim_id,
                source_id=self._skewed(source_ids),
                quote=self.text.quote(text, speaker[1] if speaker else None),
                attributed_to=speaker[1] if speaker else "",
                created_at=created,
                updated_at=created,
            )
        if status is not None:
            last_public_change = self._verdicts(writer, claim_id, text, status, created, source_ids)
            # As in claims.services: publishing, correcting or retracting moves the claim's timestamp.
            if last_public_change:
                claim_row["updated_at"] = max(claim_row["updated_at"], last_public_change)
        writer.add(Claim, **claim_row)  # written before its children: Writer.flush orders by model

    def _verdicts(self, writer, claim_id, text, status, created, source_ids):
        reviewer = self.random.choice(self.reviewers)
        rating = self.random.choice(self.ratings)
        submitted = created + timedelta(hours=self.random.randint(1, 72))
        published = submitted + timedelta(hours=self.random.randint(1, 48))
        base = {
            "claim_id": claim_id,
            "headline": self.text.review_headline(text),
            "explanation": self.text.explanation(text),
            "internal_notes": "Check the original figures." if self.random.random() < 0.2 else "",
            "reviewer_id": reviewer,
            "return_comment": "",
            "version": 1,
            "created_at": created,
        }
        stages = []
        if status == VerdictStatus.DRAFT:
            draft_rating = rating.pk if self.random.random() < 0.5 else None
            stages.append(
                {
                    **base,
                    "status": status.value,
                    "rating_id": draft_rating,
                    "editor_id": None,
                    "submitted_at": None,
                    "published_at": None,
                    "first_published_at": None,
                    "retracted_at": None,
                    "public_note": "",
                    "supersedes_id": None,
                    "updated_at": created,
                }
            )
        elif status == VerdictStatus.IN_REVIEW:
            stages.append(
                {
                    **base,
                    "status": status.value,
                    "rating_id": rating.pk,
                    "editor_id": None,
                    "submitted_at": submitted,
                    "published_at": None,
                    "first_published_at": None,
                    "retracted_at": None,
                    "public_note": "",
                    "supersedes_id": None,
                    "updated_at": submitted,
                }
            )
        else:
            editor = self.random.choice(self.editors)
            published_row = {
                **base,
                "rating_id": rating.pk,
                "editor_id": editor,
                "submitted_at": submitted,
                "published_at": published,
                "first_published_at": published,
                "retracted_at": None,
                "public_note": "",
                "supersedes_id": None,
                "updated_at": published,
                "status": status.value,
            }
            if status == VerdictStatus.RETRACTED:
                retracted = published + timedelta(days=self.random.randint(1, 30))
                published_row.update(
                    retracted_at=retracted,
                    updated_at=retracted,
                    public_note="Retracted: the evidence did not support this verdict.",
                )
            stages.append(published_row)
            if status == VerdictStatus.SUPERSEDED:
                corrected = published + timedelta(days=self.random.randint(1, 60))
                stages.append(
                    {
                        **published_row,
                        "status": VerdictStatus.PUBLISHED.value,
                        "rating_id": self.random.choice(self.ratings).pk,
                        "published_at": corrected,
                        "updated_at": corrected,
                        "created_at": corrected,
                        "public_note": "Correction: an earlier version misstated a figure.",
                    }
                )
        previous = None
        last_public_change = None
        for row in stages:
            if row["published_at"]:
                last_public_change = max(filter(None, [last_public_change, row["updated_at"]]))
            pk = self._take_ids(Verdict, 1)[0]
            if previous is not None:
                row["supersedes_id"] = previous
            writer.add(Verdict, id=pk, **row)
            previous = pk
            if row["rating_id"] is not None:
                for evidence_pk in self._take_ids(Evidence, self.random.randint(1, 2)):
                    writer.add(
                        Evidence,
                        id=evidence_pk,
                        verdict_id=pk,
                        source_id=self._skewed(source_ids),
                        stance=self.random.choice(list(Stance)).value,
                        quote="",
                        note="The figures in this source.",
                        position=0,
                    )
        return last_public_change

    def _reset_sequences(self):
        statements = connection.ops.sequence_reset_sql(
            no_style(), [Publisher, Source, Speaker, Claim, Appearance, Verdict, Evidence, Claim.topics.through]
        )
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
