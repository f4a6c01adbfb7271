"""Time the claims API against its floor: one hand-written SQL statement building the same JSON.

    manage.py generate_claims --claims 1000000   # once, on a PostgreSQL database of its own
    manage.py benchmark_api

For the claims list (a page of 50 with nested speaker and verdict), one claim's detail,
and a full-text search, it prints the median time of the API (a real request through
the whole Django stack, in-process, anonymous), the median time of the floor statement
on the same connection, and their ratio. Before timing, it checks that the floor
builds the same JSON as the API, so the comparison is fair.
"""

import json
import statistics
import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from rest_framework.throttling import AnonRateThrottle

from claims.choices import VerdictStatus
from claims.models import Verdict

BASE = "http://testserver/api/v1/"

LIST_ITEM = """
    json_build_object(
        'id', c.id, 'url', %(claims)s || c.id || '/', 'text', c.text,
        'speaker', CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object(
            'id', s.id, 'url', %(speakers)s || s.id || '/', 'name', s.name, 'kind', s.kind,
            'is_anonymous', s.is_anonymous, 'role', s.role) END,
        'made_on', c.made_on, 'made_on_text', c.made_on_text, 'made_in', c.made_in, 'language', c.language,
        'verdict', json_build_object(
            'id', v.id, 'url', %(verdicts)s || v.id || '/', 'status', v.status, 'headline', v.headline,
            'rating', CASE WHEN r.id IS NULL THEN NULL ELSE json_build_object(
                'slug', r.slug, 'label', r.label, 'value', r.value, 'colour', r.colour) END,
            'published_at', v.published_at, 'is_correction', v.supersedes_id IS NOT NULL),
        'updated_at', c.updated_at)
"""

LIST_FLOOR = f"""
SELECT json_build_object('results', coalesce(json_agg(page.item ORDER BY page.published_at DESC), '[]'::json))::text
FROM (
    SELECT v.published_at, {LIST_ITEM} AS item
    FROM claims_verdict v
    JOIN claims_claim c ON c.id = v.claim_id
    LEFT JOIN claims_rating r ON r.id = v.rating_id
    LEFT JOIN claims_speaker s ON s.id = c.speaker_id
    WHERE v.status = 'published' {{search}}
    ORDER BY v.published_at DESC
    LIMIT 50
) page
"""

SEARCH_CONDITION = "AND c.search_document @@ websearch_to_tsquery('english'::regconfig, %(q)s)"

SOURCE_BRIEF = """
    json_build_object(
        'id', so.id, 'url', %(sources)s || so.id || '/', 'title', so.title, 'web_url', so.url,
        'publisher', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object(
            'id', p.id, 'url', %(publishers)s || p.id || '/', 'name', p.name) END,
        'kind', so.kind, 'published_on', so.published_on)
"""

DETAIL_FLOOR = f"""
SELECT json_build_object(
    'id', c.id, 'url', %(claims)s || c.id || '/', 'text', c.text,
    'speaker', CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object(
        'id', s.id, 'url', %(speakers)s || s.id || '/', 'name', s.name, 'kind', s.kind,
        'is_anonymous', s.is_anonymous, 'role', s.role) END,
    'made_on', c.made_on, 'made_on_text', c.made_on_text, 'made_in', c.made_in, 'language', c.language,
    'verdict', json_build_object(
        'id', v.id, 'url', %(verdicts)s || v.id || '/', 'status', v.status, 'headline', v.headline,
        'rating', json_build_object('slug', r.slug, 'label', r.label, 'value', r.value, 'colour', r.colour),
        'published_at', v.published_at, 'is_correction', v.supersedes_id IS NOT NULL,
        'explanation', v.explanation, 'public_note', v.public_note, 'first_published_at', v.first_published_at,
        'retracted_at', v.retracted_at,
        'evidence', coalesce((
            SELECT json_agg(json_build_object(
                'source', {SOURCE_BRIEF}, 'stance', e.stance, 'quote', e.quote, 'note', e.note)
                ORDER BY e.position, e.id)
            FROM claims_evidence e JOIN sources_source so ON so.id = e.source_id
            LEFT JOIN sources_publisher p ON p.id = so.publisher_id
            WHERE e.verdict_id = v.id), '[]'::json),
        'corrects', (
            SELECT json_build_object('id', o.id, 'url', %(verdicts)s || o.id || '/', 'status', o.status,
                'headline', o.headline, 'rating', json_build_object('slug', orr.slug, 'label', orr.label,
                'value', orr.value, 'colour', orr.colour), 'published_at', o.published_at,
                'is_correction', o.supersedes_id IS NOT NULL)
            FROM claims_verdict o JOIN claims_rating orr ON orr.id = o.rating_id WHERE o.id = v.supersedes_id),
        'corrected_by', NULL,
        'claim', json_build_object('id', c.id, 'url', %(claims)s || c.id || '/', 'text', c.text),
        'claim_review_url', %(verdicts)s || v.id || '/claim-review/',
        'updated_at', v.updated_at,
        'internal', NULL),
    'updated_at', c.updated_at,
    'topics', coalesce((
        SELECT json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY t.name)
        FROM claims_claim_topics ct JOIN claims_topic t ON t.id = ct.topic_id WHERE ct.claim_id = c.id), '[]'::json),
    'appearances', coalesce((
        SELECT json_agg(json_build_object('quote', a.quote, 'attributed_to', a.attributed_to,
            'source', {SOURCE_BRIEF}) ORDER BY a.id)
        FROM claims_appearance a JOIN sources_source so ON so.id = a.source_id
        LEFT JOIN sources_publisher p ON p.id = so.publisher_id
        WHERE a.claim_id = c.id), '[]'::json),
    'earlier_verdicts', coalesce((
        SELECT json_agg(json_build_object('id', o.id, 'url', %(verdicts)s || o.id || '/', 'status', o.status,
            'headline', o.headline, 'rating', json_build_object('slug', orr.slug, 'label', orr.label,
            'value', orr.value, 'colour', orr.colour), 'published_at', o.published_at,
            'is_correction', o.supersedes_id IS NOT NULL, 'public_note', o.public_note,
            'retracted_at', o.retracted_at) ORDER BY o.published_at DESC)
        FROM claims_verdict o JOIN claims_rating orr ON orr.id = o.rating_id
        WHERE o.claim_id = c.id AND o.status IN ('superseded', 'retracted')), '[]'::json),
    'fact_check_url', 'http://testserver/fact-checks/' || c.id || '/'
)::text
FROM claims_claim c
JOIN claims_verdict v ON v.claim_id = c.id AND v.status = 'published'
JOIN claims_rating r ON r.id = v.rating_id
LEFT JOIN claims_speaker s ON s.id = c.speaker_id
WHERE c.id = %(claim_id)s
"""

URLS = {
    "claims": f"{BASE}claims/",
    "speakers": f"{BASE}speakers/",
    "verdicts": f"{BASE}verdicts/",
    "sources": f"{BASE}sources/",
    "publishers": f"{BASE}publishers/",
}


def _normalise(value):
    """Compare JSON from PostgreSQL and from the API: same values, whatever the timestamp spelling."""
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def _interleaved_medians(first, second, runs: int) -> tuple[float, float]:
    """Median milliseconds of two callables, run alternately so both see the same machine load."""
    first()
    second()
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for function, durations in ((first, timings[0]), (second, timings[1])):
            started = time.perf_counter()
            function()
            durations.append(time.perf_counter() - started)
    return statistics.median(timings[0]) * 1000, statistics.median(timings[1]) * 1000


class Command(BaseCommand):
    help = "Print API time, floor time and their ratio for the claims list, a claim detail and a search."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=100, help="Timed runs per measurement (default 100).")
        parser.add_argument("--search", default="inflation", help="Search term (default: inflation).")

    def handle(self, *args, runs: int, search: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The floor is PostgreSQL SQL: run this against PostgreSQL.")
        published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED).order_by("-published_at").first()
        if published is None:
            raise CommandError("No published verdicts: run generate_claims first.")
        claim_id = (
            Verdict.objects.filter(status=VerdictStatus.PUBLISHED, supersedes__isnull=False)
            .order_by("-published_at")
            .values_list("claim_id", flat=True)
            .first()
            or published.claim_id
        )
        cases = [
            ("claims list (50, nested)", "/api/v1/claims/?page_size=50", LIST_FLOOR.format(search=""), {}),
            (
                f"search q={search}",
                f"/api/v1/claims/?page_size=50&q={search}",
                LIST_FLOOR.format(search=SEARCH_CONDITION),
                {"q": search},
            ),
            ("claim detail", f"/api/v1/claims/{claim_id}/", DETAIL_FLOOR, {"claim_id": claim_id}),
        ]
        client = Client()
        self.stdout.write(
            f"{Verdict.objects.filter(status=VerdictStatus.PUBLISHED).count():,} published verdicts; "
            f"{runs} runs each; API through the full Django stack (anonymous), floor on the same connection"
        )
        self.stdout.write(f"{'case':<28} {'API ms':>8} {'floor ms':>9} {'ratio':>6}  same JSON")
        # Throttling stays in the request path; only its limit is lifted so the runs are not refused.
        with override_settings(ALLOWED_HOSTS=["*"]), _unthrottled():
            for label, url, sql, params in cases:
                params = {**URLS, **params}

                def api(url=url):
                    response = client.get(url)
                    if response.status_code != 200:
                        raise CommandError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
                    return response

                def floor(sql=sql, params=params):
                    with connection.cursor() as cursor:
                        cursor.execute(sql, params)
                        return cursor.fetchone()[0]

                api_json = json.loads(api().content)
                floor_json = json.loads(floor())
                if "results" in api_json:
                    api_json = {"results": api_json["results"]}
                same = _normalise(api_json) == _normalise(floor_json)
                api_ms, floor_ms = _interleaved_medians(api, floor, runs)
                self.stdout.write(
                    f"{label:<28} {api_ms:>8.2f} {floor_ms:>9.2f} {api_ms / floor_ms:>6.2f}  {'yes' if same else 'NO'}"
                )


class _unthrottled:
    def __enter__(self):
        self.rate = getattr(AnonRateThrottle, "rate", None)
        AnonRateThrottle.rate = "1000000/second"

    def __exit__(self, *exc):
        if self.rate is None:
            del AnonRateThrottle.rate
        else:
            AnonRateThrottle.rate = self.rate
