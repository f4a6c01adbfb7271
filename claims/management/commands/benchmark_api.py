"""Time the claims API against its floor: one hand-written SQL statement building the same JSON.

    manage.py generate_claims --claims 1000000   # once, on a PostgreSQL database of its own
    manage.py benchmark_api [--runs 200] [--warmup 20] [--explain] [--stages]

Cases: the claims list unfiltered and with each list filter, full-text searches for a
mid- and a high-frequency word, a claim detail, and conditional GETs (304) of lists and
the detail, and the list and detail served again by ETag (kept, against the same GET
built). For each, the API (a real request given to the WSGI application as an app
server gives it, through every middleware and the view, in-process, anonymous; the
unfiltered list also through Django's test client) and its floor (the same JSON from one statement on the same
connection) are first checked to give the same JSON, then warmed up equally and timed
alternately, call for call, so both see the same machine; the floor is timed twice, as
sent (parsed and planned each time) and as a prepared statement. It prints the median
and interquartile range of each, and the API's ratio to both; a 304 is compared with
the 200 of the same URL. A case whose outputs differ gets no ratio, and the command
then exits non-zero. Searches print the plan of the API's statement; ``--explain``
prints every floor's and API statement's plan; ``--stages`` prints where a list
request's time goes (WSGI handler, middleware, DRF, the view, the page, the statement) beside
a trivial view's.
"""

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from claims.choices import VerdictStatus
from claims.models import Claim, Verdict
from claims.selectors import MatchesSearchDocument

from ._floors import DETAIL_FLOOR, FILTERS, LIST_FLOOR, URLS, pick_values
from ._inprocess import WSGIClient, kept_connections, unthrottled


@dataclass
class Spread:
    median: float
    q1: float
    q3: float

    @classmethod
    def of(cls, seconds: list[float]) -> "Spread":
        q1, median, q3 = statistics.quantiles([s * 1000 for s in seconds], n=4)
        return cls(median, q1, q3)

    def __str__(self) -> str:
        return f"{self.median:7.2f} [{self.q1:6.2f}-{self.q3:6.2f}]"


def interleaved(*functions: Callable, runs: int, warmup: int) -> list[Spread]:
    """Every callable warmed up ``warmup`` times, then timed in turn ``runs`` times each."""
    for _ in range(warmup):
        for function in functions:
            function()
    timings: list[list[float]] = [[] for _ in functions]
    for run in range(runs):
        # Rotate which goes first, so none always follows another's cache effects.
        shift = run % len(functions)
        order = list(zip(functions, timings, strict=True))
        for function, durations in order[shift:] + order[:shift]:
            started = time.perf_counter()
            function()
            durations.append(time.perf_counter() - started)
    return [Spread.of(durations) for durations in timings]


def normalised(value):
    """Compare JSON from PostgreSQL and from the API: same values, whatever the timestamp spelling."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


class Command(BaseCommand):
    help = "API against floor (median and IQR, interleaved) for every claims list filter, search, detail and 304."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=100, help="Timed runs per side and case (default 100).")
        parser.add_argument("--warmup", type=int, default=20, help="Untimed runs per side first (default 20).")
        parser.add_argument(
            "--search",
            default="school",
            help="A mid-frequency search term (default: school, in 1.4%% of generate_claims's claims).",
        )
        parser.add_argument("--common-search", default="said", help="A high-frequency search term (default: said).")
        parser.add_argument("--explain", action="store_true", help="Print each floor's and API statement's plan.")
        parser.add_argument(
            "--stages",
            action="store_true",
            help="Also print where a list request's time goes, stage by stage, beside a trivial view's.",
        )

    def handle(
        self, *args, runs: int, warmup: int, search: str, common_search: str, explain: bool, stages: bool, **options
    ):
        if connection.vendor != "postgresql":
            raise CommandError("The floor is PostgreSQL SQL: run this against PostgreSQL.")
        if not Verdict.objects.filter(status=VerdictStatus.PUBLISHED).exists():
            raise CommandError("No published verdicts: run generate_claims first.")
        values = pick_values(search)
        self.client: WSGIClient | Client = WSGIClient()
        self.stdout.write(
            f"{Verdict.objects.filter(status=VerdictStatus.PUBLISHED).count():,} published verdicts; "
            f"{warmup} warm-up and {runs} timed runs per side, interleaved; milliseconds, median [IQR]"
        )
        total_claims = Claim.objects.count()
        for term in (search, common_search):
            found = Claim.objects.filter(MatchesSearchDocument(term)).count()
            self.stdout.write(f"search {term!r}: {found:,} of {total_claims:,} claims ({found / total_claims:.1%})")
        options_used = connection.settings_dict["OPTIONS"]
        self.stdout.write(
            f"server_side_binding={options_used.get('server_side_binding', False)} "
            f"prepare_threshold={options_used.get('prepare_threshold')}; load average {os.getloadavg()[0]:.2f}"
        )
        self.stdout.write(
            f"{'case':<34} {'API':>22} {'floor':>22} {'ratio':>6} {'prepared floor':>22} {'ratio':>6} {'queries':>7}"
        )
        failures = []
        # Throttling stays in the request path; only its limit is lifted so the runs are not refused.
        # Every response is built (none served again by ETag) except in the "kept" cases.
        list_url = "/api/v1/claims/?page_size=50"
        with override_settings(ALLOWED_HOSTS=["*"], FACTCHECK_API_RESPONSE_CACHE_BYTES=0), unthrottled():
            with kept_connections():
                cases = [(parameter, values[parameter]) for parameter in FILTERS]
                cases.append(("q", common_search))
                for parameter, value in cases:
                    query = {"page_size": 50, **({parameter: value} if parameter else {})}
                    label = f"list {parameter}={value}"[:34] if parameter else "list (50, nested)"
                    sql = LIST_FLOOR.format(condition=FILTERS[parameter])
                    url = f"/api/v1/claims/?{urlencode(query)}"
                    params = {**URLS, **values, **({parameter: value} if parameter else {})}
                    if not self.compare(label, url, sql, params, runs, warmup, explain or parameter == "q"):
                        failures.append(label)
                detail = f"/api/v1/claims/{values['claim_id']}/"
                if not self.compare("claim detail", detail, DETAIL_FLOOR, {**URLS, **values}, runs, warmup, explain):
                    failures.append("claim detail")
                rated = f"/api/v1/claims/?{urlencode({'page_size': 50, 'rating': values['rating']})}"
                for label, url in (("304 list", list_url), ("304 list rating", rated), ("304 detail", detail)):
                    self.revalidation(label, url, runs, warmup)
                for label, url in (("kept list", list_url), ("kept detail", detail)):
                    self.kept(label, url, runs, warmup)
                if stages:
                    for url in (list_url, rated):
                        self.stages(url, runs * 5, warmup)
            # The unfiltered list through Django's test client too (this command's figures before
            # it sent requests to the WSGI application). Outside kept_connections: after each of
            # its requests the test client connects the receivers that one disconnects.
            self.client = Client()
            label = "list (50, nested), test client"
            list_floor = LIST_FLOOR.format(condition=FILTERS[""])
            if not self.compare(label, list_url, list_floor, {**URLS, **values}, runs, warmup, False):
                failures.append(label)
        self.stdout.write(f"load average {os.getloadavg()[0]:.2f} at the end")
        if failures:
            raise CommandError(f"The API and its floor gave different JSON for: {', '.join(failures)}.")

    def get(self, url: str, status: int = 200, **headers):
        response = self.client.get(url, headers=headers)
        if response.status_code != status:
            raise CommandError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
        return response

    def compare(self, label, url, sql, params, runs, warmup, explain) -> bool:
        def api():
            return self.get(url)

        def floor():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]

        connection.ensure_connection()
        # The same statement prepared once by the server (psycopg's own cursor, server-side
        # parameters). A connection whose prepare_threshold is None (Django's default) prepares
        # nothing, even when asked to: the floor's connection may prepare what is asked.
        if connection.connection.prepare_threshold is None:
            connection.connection.prepare_threshold = 0
        prepared_cursor = psycopg.Cursor(connection.connection)

        def prepared_floor():
            prepared_cursor.execute(sql, params, prepare=True)
            row = prepared_cursor.fetchone()
            assert row is not None  # the floor aggregates: always one row
            return row[0]

        with CaptureQueriesContext(connection) as queries:
            api_json = json.loads(api().content)
        # Counted now: every request clears the connection's query log.
        query_count = len(queries)
        api_sql = queries.captured_queries[-1]["sql"] if queries.captured_queries else ""
        if "results" in api_json:
            api_json = {"results": api_json["results"]}
        floor_json = json.loads(floor())
        if explain:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                self.stdout.write(f"  floor plan ({label}):")
                self.stdout.write("\n".join(f"    {row[0]}" for row in cursor.fetchall()))
                if api_sql.lstrip().upper().startswith("SELECT"):
                    # The statement as sent (its values inlined by the client-side binding).
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {api_sql}")
                    self.stdout.write(f"  API statement plan ({label}):")
                    self.stdout.write("\n".join(f"    {row[0]}" for row in cursor.fetchall()))
        if normalised(api_json) != normalised(floor_json) or json.loads(prepared_floor()) != floor_json:
            self.stdout.write(f"{label:<34} JSON differs from the floor: no ratio  ({url})")
            return False
        api_time, floor_time, prepared_time = interleaved(api, floor, prepared_floor, runs=runs, warmup=warmup)
        prepared_cursor.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [sql[:40] + "%"])
            if not cursor.fetchone()[0]:
                raise CommandError(f"{label}: the prepared floor was not prepared.")
        ratio = api_time.median / floor_time.median
        prepared_ratio = api_time.median / prepared_time.median
        self.stdout.write(
            f"{label:<34} {api_time!s:>22} {floor_time!s:>22} {ratio:>6.2f} {prepared_time!s:>22} "
            f"{prepared_ratio:>6.2f} {query_count:>7}"
        )
        return True

    def revalidation(self, label, url, runs, warmup) -> None:
        """A matching conditional GET against the full 200 of the same URL."""
        etag = self.get(url)["ETag"]

        def full():
            return self.get(url)

        def conditional():
            return self.get(url, 304, if_none_match=etag)

        with CaptureQueriesContext(connection) as queries:
            conditional()
        query_count = len(queries)
        revalidated, served = interleaved(conditional, full, runs=runs, warmup=warmup)
        ratio = revalidated.median / served.median
        label = f"{label} (vs its 200)"
        self.stdout.write(f"{label:<34} {revalidated!s:>22} {served!s:>22} {ratio:>6.2f} {'':>29} {query_count:>7}")

    def kept(self, label, url, runs, warmup) -> None:
        """A GET served again by ETag (factcheck.api.response_cache) against the same GET built."""
        kept_settings = override_settings(FACTCHECK_API_RESPONSE_CACHE_BYTES=32 * 2**20)
        built = self.get(url)

        def again():
            with kept_settings:
                return self.get(url)

        def full():
            return self.get(url)

        again()
        with CaptureQueriesContext(connection) as queries:
            served = again()
        query_count = len(queries)
        if served.content != built.content or served["ETag"] != built["ETag"]:
            raise CommandError(f"{url}: the kept response differs from the one built")
        kept_time, built_time = interleaved(again, full, runs=runs, warmup=warmup)
        label = f"{label} (vs its 200)"
        self.stdout.write(
            f"{label:<34} {kept_time!s:>22} {built_time!s:>22} {kept_time.median / built_time.median:>6.2f} "
            f"{'':>29} {query_count:>7}"
        )

    def stages(self, url: str, runs: int, warmup: int) -> None:
        """Where a list request's time goes: each stage's median over ``runs`` requests.

        Timed by wrapping, for these requests only, the methods each stage is made of; the
        wrappers cost about a microsecond each. A trivial view (``/healthz``) through the
        same client and middleware is timed alternately, as the request's fixed cost.
        """
        from django.core.handlers.base import BaseHandler
        from django.core.handlers.wsgi import WSGIHandler
        from rest_framework.response import Response
        from rest_framework.views import APIView

        from factcheck.api.pagination import KeysetPagination
        from factcheck.prepared import _Inlining

        # (class, attribute, whether it is a property): looked up on the class at each call.
        timed = {
            "whole": (WSGIHandler, "__call__", False),
            "handler": (BaseHandler, "get_response", False),
            "dispatch": (APIView, "dispatch", False),
            "initial": (APIView, "initial", False),
            "page": (KeysetPagination, "paginate_sql", False),
            "statement": (_Inlining, "execute", False),
            "rendering": (Response, "rendered_content", True),
        }
        durations: dict[str, list[float]] = {name: [] for name in timed}
        originals = {name: owner.__dict__[attribute] for name, (owner, attribute, _) in timed.items()}

        # Only the list's requests are recorded (the trivial view goes through the same methods).
        recording = [False]

        def timing(name, function):
            def run(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    if recording[0]:
                        durations[name].append(time.perf_counter() - started)

            return run

        trivial: list[float] = []
        for _ in range(warmup):
            self.get(url)
            self.get("/healthz")
        try:
            for name, (owner, attribute, is_property) in timed.items():
                original = originals[name]
                setattr(
                    owner, attribute, property(timing(name, original.fget)) if is_property else timing(name, original)
                )
            for _ in range(runs):
                recording[0] = True
                self.get(url)
                recording[0] = False
                started = time.perf_counter()
                self.get("/healthz")
                trivial.append(time.perf_counter() - started)
        finally:
            for name, (owner, attribute, _) in timed.items():
                setattr(owner, attribute, originals[name])
        missing = [name for name, values in durations.items() if not values]
        if missing:
            raise CommandError(f"{url}: no time recorded for {', '.join(missing)}")
        median = {name: statistics.median(values) * 1000 for name, values in durations.items()}
        self.stdout.write(f"stages of {url} ({runs} requests; median ms)")
        rows = [
            ("whole request", median["whole"]),
            ("  WSGI handler (environ in, response out)", median["whole"] - median["handler"]),
            ("  middleware, URL and view call", median["handler"] - median["dispatch"] - median["rendering"]),
            ("  rendering", median["rendering"]),
            ("  DRF checks (initial)", median["initial"]),
            ("  view and the rest of DRF", median["dispatch"] - median["initial"] - median["page"]),
            ("  page's Python", median["page"] - median["statement"]),
            ("  statement (quoting, round trip, PostgreSQL)", median["statement"]),
            ("a trivial view (/healthz), whole request", statistics.median(trivial) * 1000),
        ]
        for label, value in rows:
            self.stdout.write(f"  {label:<46} {value:6.3f}")

