"""Time the ClaimReview import on generated data: reviews per second into this database.

    manage.py benchmark_import --reviews 20000

Generates a schema.org DataFeed of varied ClaimReviews (several fact-checkers, ratings as
labels and as numbers, Person and Organization authors, 0 to 3 appearances each (1.2 on
average), speakers shared across reviews), imports it through the same code as
``import_claimreview``, and prints the time and the rate for a first import (everything
created) and a second one (everything unchanged), with the matching index already built (as
in a worker; its build time is printed apart). Everything is rolled back at the end
unless --keep is given.
"""

import os
import random
import time

from django.core.management.base import BaseCommand
from django.db import connection, router, transaction

from claims.importing import Input, import_claimreview
from claims.matching.index import semantic_index
from claims.models import Appearance, Claim, Speaker, Verdict
from claims.synthetic import ROLES, TextFactory
from sources.models import Publisher, Source

FACT_CHECKERS = [
    ("Checkdesk One", "https://checkdesk-one.example"),
    ("Verificado Dos", "https://verificado-dos.example"),
    ("Les Vérificateurs", "https://verificateurs.example"),
    ("Faktencheck Vier", "https://faktencheck-vier.example"),
    ("Fact Unit Five", "https://fact-unit-five.example"),
]
LABELS = [
    "False",
    "Mostly false",
    "Half true",
    "True",
    "Falso",
    "Verdadero a medias",
    "Faux",
    "Missing context",
    "Pants on Fire",
    "Misleading: the figure is from 2019, not this year",
    "Unproven",
]


class _Rollback(Exception):
    pass


def generate_feed(count: int, seed: int = 5) -> bytes:
    import orjson

    text = TextFactory(seed)
    chance = random.Random(seed)
    speakers = [text.person_name() for _ in range(max(10, count // 10))]
    outlets = [f"https://news-{n}.example/" for n in range(max(5, count // 50))]
    elements = []
    for index in range(count):
        checker, site = chance.choice(FACT_CHECKERS)
        claim = text.claim()
        rating: dict = {"@type": "Rating"}
        if chance.random() < 0.7:
            rating["alternateName"] = chance.choice(LABELS)
        if chance.random() < 0.5 or "alternateName" not in rating:
            rating.update(ratingValue=chance.randint(1, 5), bestRating=5, worstRating=1)
        appearances = [
            {
                "@type": "CreativeWork",
                "url": f"{chance.choice(outlets)}{index}-{n}",
                "headline": text.headline(),
                "datePublished": f"2025-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d}",
            }
            # Like real feeds: most reviews cite one appearance, some none, a few several.
            for n in range(chance.choices([0, 1, 2, 3], weights=[15, 55, 22, 8])[0])
        ]
        author = {"@type": "Person", "name": chance.choice(speakers), "jobTitle": chance.choice(ROLES)}
        if chance.random() < 0.2:
            author = {"@type": "Organization", "name": text.organisation_name()}
        elements.append(
            {
                "@type": "DataFeedItem",
                "dateCreated": f"2025-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d}T10:00:00Z",
                "item": [
                    {
                        "@context": "https://schema.org",
                        "@type": "ClaimReview",
                        "url": f"{site}/fact-checks/{index}",
                        "claimReviewed": claim,
                        "author": {"@type": "Organization", "name": checker, "url": site},
                        "datePublished": f"2025-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d}",
                        "headline": text.headline()[:300],
                        "reviewRating": rating,
                        "itemReviewed": {"@type": "Claim", "author": author, "appearance": appearances},
                        "inLanguage": chance.choice(["en", "en", "es", "fr", "de"]),
                    }
                ],
            }
        )
    return orjson.dumps({"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": elements})


class Command(BaseCommand):
    help = "Generate ClaimReview data and time importing it (reviews per second)."

    def add_arguments(self, parser):
        parser.add_argument("--reviews", type=int, default=20_000, help="How many reviews (default 20,000).")
        parser.add_argument("--keep", action="store_true", help="Keep the imported data instead of rolling back.")

    def handle(self, *args, reviews: int, keep: bool, **options):
        started = time.monotonic()
        feed = Input("generated-feed.json", generate_feed(reviews))
        self.stdout.write(
            f"generated {reviews:,} reviews ({len(feed.content) / 1e6:.1f} MB) in {time.monotonic() - started:.1f}s"
        )
        self.stdout.write(f"importing into {connection.vendor} ({connection.settings_dict['NAME']})")
        # Rows a rolled-back run leaves behind slow the next run's unique checks; start clean.
        self._vacuum()
        # A process builds its matching index once, as it first links or searches (minutes at a
        # million claims: claims.matching.index), and a worker importing feeds holds it already:
        # built here, timed apart from the imports.
        loading = time.monotonic()
        index = semantic_index(router.db_for_read(Claim))
        self.stdout.write(f"matching index: {index.count:,} claims on file, built in {time.monotonic() - loading:.1f}s")
        try:
            with transaction.atomic():
                for attempt in ("first import (all new)", "second import (all unchanged)"):
                    cpu = time.process_time()
                    summary = import_claimreview([feed])
                    cpu = time.process_time() - cpu
                    # The import runs inside this benchmark's transaction, so its commit has
                    # not happened: run the foreign-key checks a commit would, and count them.
                    checked = time.monotonic()
                    if connection.vendor == "postgresql":
                        with connection.cursor() as cursor:
                            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    seconds = summary.seconds + time.monotonic() - checked
                    rate = summary.imported / seconds
                    # The machine's load says how far the figure is the import's alone.
                    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
                    self.stdout.write(f"{attempt:<32} {seconds:7.2f}s  {rate:8,.0f} reviews/s  (load {load})")
                    created = summary.counts["reviews"]
                    self.stdout.write(
                        f"  reviews: {dict(created)}, linked claims: {summary.counts['claims']['linked']}"
                    )
                    # On a busy machine the wall-clock rate is the machine's share: this process's
                    # own CPU time (PostgreSQL's work not counted) is the importer's cost.
                    self.stdout.write(
                        f"  importer CPU {cpu:.2f}s: {summary.imported / cpu:,.0f} reviews per CPU-second"
                    )
                if not keep:
                    raise _Rollback
        except _Rollback:
            self.stdout.write("rolled back (use --keep to keep the data)")
            self._vacuum()

    @staticmethod
    def _vacuum():
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return
        models = [Publisher, Speaker, Source, Claim, Verdict, Appearance]
        histories = [model.history.model for model in models if hasattr(model, "history")]
        with connection.cursor() as cursor:
            for model in models + histories:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
