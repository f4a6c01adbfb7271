"""Measure claim matching: quality (recall) of each method, speed of both endpoints, build time, memory.

    manage.py generate_claims --claims 1000000   # once, on a PostgreSQL database of its own
    manage.py benchmark_matching

It writes nothing: the paraphrase set's claims, the near misses and one published
fact-check (for the freshness test) are added in a transaction that is rolled back.

Quality: recall@1 and recall@10 of lexical only, semantic only and hybrid matching, in
one run, for
- appearance quotes -> their claim (a sample of the database's own appearances; a
  claim with exactly the same text as the expected one counts as found: the statement
  has been checked either way);
- the paraphrase set (claims/matching/paraphrases_<language>.tsv): fact-check headlines
  written as desks write them (a verdict, other words, the subject kept) for claims in
  English and in Spanish, each pair's claim added to the database among all the others,
  together with near misses (claims/matching/near_misses_<language>.txt: one claim on
  the same subject saying something else per pair), so that the subject alone does not
  find the answer;
- the reworded set (claims/matching/reworded_<language>.tsv): the same claims, with
  headlines that avoid the claim's words on purpose (synonyms, other names for the same
  things): a stress test of the semantic signal, beyond what fact-check headlines do.
Matching is over every claim (as the desk matches), so the pool is the whole table.

Speed: server time of ``/api/v1/claims/similar/`` and ``/api/v1/claims:search``
(in-process requests through the whole Django stack, anonymous), p50 and p95, after a
warm-up; the time from publishing a fact-check to finding it; the index build time
(read every claim, embed, partition) and memory.
"""

import csv
import resource
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from claims.choices import VerdictStatus
from claims.matching import index as matching_index
from claims.matching.selectors import METHODS, match_claims
from claims.models import Appearance, Claim, Rating, Verdict
from claims.services import public_record_changed

from ._inprocess import unthrottled

PARAPHRASES = Path(__file__).resolve().parents[2] / "matching"


def paraphrase_pairs(kind: str = "paraphrases") -> list[tuple[str, str, str]]:
    """(language, claim, headline) of every pair in claims/matching/<kind>_<language>.tsv."""
    pairs = []
    for path in sorted(PARAPHRASES.glob(f"{kind}_*.tsv")):
        language = path.stem.rsplit("_", 1)[1]
        with path.open(encoding="utf-8") as handle:
            pairs += [(language, row["claim"], row["headline"]) for row in csv.DictReader(handle, delimiter="\t")]
    return pairs


def near_misses() -> list[tuple[str, str]]:
    """(language, claim) of every line of claims/matching/near_misses_<language>.txt."""
    claims = []
    for path in sorted(PARAPHRASES.glob("near_misses_*.txt")):
        language = path.stem.rsplit("_", 1)[1]
        claims += [(language, line.strip()) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return claims


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _resident_mib() -> str:
    """This process's resident memory now (what a serving process holds), where the system tells it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return "?"
    return f"{kib / 1024:,.0f}"


class Command(BaseCommand):
    help = "Measure claim matching quality and speed (PostgreSQL; run on a copy of the database)."

    def add_arguments(self, parser):
        parser.add_argument("--quotes", type=int, default=1000, help="Appearance quotes to match.")
        parser.add_argument("--requests", type=int, default=200, help="Timed requests per endpoint.")
        parser.add_argument("--skip-quality", action="store_true", help="Measure speed, build time and memory only.")

    def handle(self, *args, quotes: int, requests: int, skip_quality: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark_matching measures PostgreSQL.")
        out = self.stdout.write
        claims = Claim.objects.count()
        out(f"{claims:,} claims on {connection.settings_dict['NAME']}")

        matching_index.reset_indexes()
        started = time.perf_counter()
        index = matching_index.semantic_index()
        built = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out(f"index build: {built:.1f} s for {index.count:,} claims ({index.count / built:,.0f} claims/s)")
        out(
            f"index memory: {index.nbytes / 2**20:,.0f} MiB of arrays (vectors {index.vectors.nbytes / 2**20:,.0f}, "
            f"posting lists {index.postings.nbytes / 2**20:,.0f}); process RSS {_resident_mib()} MiB "
            f"after the build (peak {rss:,.0f} MiB)"
        )

        pairs = paraphrase_pairs()
        reworded = paraphrase_pairs("reworded")
        if [claim for _, claim, _ in reworded] != [claim for _, claim, _ in pairs]:
            raise CommandError("The reworded set must hold the paraphrase set's claims, in the same order.")
        # Everything it adds is rolled back: the index and the in-process requests read
        # through this connection, so they see the added claims; nobody else does.
        with transaction.atomic():
            added = self._add_claims([(language, claim) for language, claim, _ in pairs] + near_misses())
            index.sync(force=True)
            if not skip_quality:
                self._quality(quotes, pairs, reworded, added[: len(pairs)])
            self._speed(pairs, requests)
            self._freshness()
            transaction.set_rollback(True)
        matching_index.reset_indexes()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out(f"process peak RSS at the end: {rss:,.0f} MiB")

    def _add_claims(self, claims) -> list[int]:
        with transaction.atomic():
            made = Claim.objects.bulk_create(Claim(text=claim, language=language) for language, claim in claims)
        return [claim.pk for claim in made]

    def _quality(self, quotes: int, pairs, reworded, added: list[int]) -> None:
        out = self.stdout.write
        sample = list(
            Appearance.objects.exclude(quote="")
            .exclude(claim_id__in=added)
            .order_by("?")
            .values_list("quote", "claim_id", "claim__text")[:quotes]
        )
        suites = {"quote -> claim": [(None, quote, claim_id, text) for quote, claim_id, text in sample]}
        for language in sorted({language for language, *_ in pairs}):
            suites[f"headline -> claim ({language})"] = [
                (language, headline, claim_id, claim)
                for (lang, claim, headline), claim_id in zip(pairs, added, strict=True)
                if lang == language
            ]
        suites["headline -> claim (all)"] = [
            suite_case for name, cases in suites.items() if name.startswith("headline") for suite_case in cases
        ]
        suites["headline -> claim, language not given"] = [
            (None, headline, claim_id, claim) for _, headline, claim_id, claim in suites["headline -> claim (all)"]
        ]
        for language in sorted({language for language, *_ in reworded}):
            suites[f"reworded -> claim ({language})"] = [
                (language, headline, claim_id, claim)
                for (lang, claim, headline), claim_id in zip(reworded, added, strict=True)
                if lang == language
            ]
        out("\nrecall@1 / recall@10 (all claims in the pool)")
        out(f"{'':42} " + "  ".join(f"{method:>15}" for method in METHODS))
        texts_cache: dict[int, str] = {}
        for name, cases in suites.items():
            cells = []
            for method in METHODS:
                first = top10 = 0
                for language, query, claim_id, text in cases:
                    ids = [m.claim_id for m in match_claims(query, language=language, public_only=False, method=method)]
                    hits = [i == claim_id or self._text(i, texts_cache) == text for i in ids]
                    first += bool(hits[:1] and hits[0])
                    top10 += any(hits)
                cells.append(f"{first / len(cases):.3f}/{top10 / len(cases):.3f}")
            out(f"{name + f' (n={len(cases)})':42} " + "  ".join(f"{cell:>15}" for cell in cells))
        # What the partitioned index loses against scoring every vector (a sample: scoring
        # every vector takes a while at a million claims).
        cases = suites["headline -> claim (all)"][::3]
        agree = 0.0
        for language, query, _, _ in cases:
            fast = [m.claim_id for m in match_claims(query, language=language, public_only=False, method="semantic")]
            exact = match_claims(query, language=language, public_only=False, method="semantic", exact=True)
            agree += len(set(fast) & {m.claim_id for m in exact}) / max(len(exact), 1)
        out(f"semantic top-10 found by the partitioned index vs scoring every vector: {agree / len(cases):.3f}")

    @staticmethod
    def _text(claim_id: int, cache: dict[int, str]) -> str:
        if claim_id not in cache:
            cache[claim_id] = Claim.objects.filter(pk=claim_id).values_list("text", flat=True).first() or ""
        return cache[claim_id]

    def _speed(self, pairs, requests: int) -> None:
        out = self.stdout.write
        client = Client()
        headlines = [headline for _, _, headline in pairs]
        quotes = list(Appearance.objects.exclude(quote="").order_by("?").values_list("quote", flat=True)[:requests])
        queries = (headlines + quotes)[:requests] or ["rockets"]
        out("\nserver time, anonymous, in-process (ms)")
        with override_settings(ALLOWED_HOSTS=["*"]), unthrottled():
            for label, path, key in (
                ("similar", "/api/v1/claims/similar/", "text"),
                ("claims:search", "/api/v1/claims:search", "query"),
            ):
                client.get(f"{path}?{urlencode({key: queries[0]})}", secure=True)
                durations = []
                for query in queries:
                    started = time.perf_counter()
                    response = client.get(f"{path}?{urlencode({key: query})}", secure=True)
                    durations.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"{path} answered {response.status_code}: {response.content[:200]!r}")
                out(
                    f"{label:14} p50 {statistics.median(durations):7.1f}  p95 {_percentile(durations, 0.95):7.1f}  "
                    f"max {max(durations):7.1f}  (n={len(durations)})"
                )

    def _freshness(self) -> None:
        """From publishing a fact-check to the public finding it by similarity."""
        text = "The lighthouse keeper's parrot predicted every storm of the decade correctly."
        client = Client()
        with override_settings(ALLOWED_HOSTS=["*"]), unthrottled():
            claim = Claim.objects.create(text=text)
            try:
                now = timezone.now()
                with transaction.atomic():
                    Verdict.objects.create(
                        claim=claim,
                        rating=Rating.objects.order_by("position").first(),
                        status=VerdictStatus.PUBLISHED,
                        published_at=now,
                        first_published_at=now,
                        headline="A parrot did not forecast the storms",
                    )
                    public_record_changed([claim.pk])
                published = time.perf_counter()
                url = f"/api/v1/claims/similar/?{urlencode({'text': 'parrot forecast storms lighthouse'})}"
                while time.perf_counter() - published < 10:
                    results = client.get(url, secure=True).json()["results"]
                    if any(item["id"] == claim.pk for item in results):
                        break
                    time.sleep(0.01)
                else:
                    raise CommandError("The new fact-check was not found within 10 s.")
                found = time.perf_counter() - published
                self.stdout.write(f"\npublished -> found by /claims/similar/: {found * 1000:.0f} ms")
            finally:
                Verdict.objects.filter(claim=claim).delete()
                claim.delete()
