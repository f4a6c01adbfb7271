"""List pages and details run as statements PostgreSQL plans once per connection (factcheck.prepared).

A page asked for again is served by one prepared statement, with the same bytes as when
it was planned for each request; a changed record is read by it at once; where preparing
is off, nothing is prepared. A detail's lookups by key are prepared once and serve other
keys; the statements after it are sent as before. Other databases run the same pages
with Django's cursor. A connection keeps one cursor for its pages, made again for a new
connection, and the times it reads become page cursors as Django would write them.
"""

import base64
import json
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from django.db import connection

from claims.models import Verdict
from factcheck.prepared import COMPOSED, BoundedCache, prepared_cursor
from tests.api.helpers import API, published_fact_checks

pytestmark = pytest.mark.django_db


def _list(page_size: int) -> str:
    return f"{API}claims/?page_size={page_size}"


def _prepared(*patterns: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of the prepared statements whose text matches every LIKE pattern."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE "
            + " AND ".join("statement LIKE %s" for _ in patterns),
            list(patterns),
        )
        return cursor.fetchall()


def _plans(page_size: int) -> list[tuple[int, int]]:
    """The prepared claims list statements of that page size."""
    return _prepared("%array_agg(item ORDER BY page_position%", f"%LIMIT {page_size + 1}\n%")


@contextmanager
def _preparing_off():
    """The connection prepares nothing inside (DATABASE_PREPARE_THRESHOLD=off), as before outside."""
    connection.ensure_connection()
    if connection.vendor != "postgresql":
        yield
        return
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None
    try:
        yield
    finally:
        connection.connection.prepare_threshold = threshold


def test_a_page_asked_for_again_is_planned_once_and_reads_the_same(client):
    published_fact_checks(3, prefix="prepared")
    first = client.get(_list(2))
    assert first.status_code == 200
    for _ in range(8):
        assert client.get(_list(2)).content == first.content
    if connection.vendor == "postgresql":
        assert connection.connection.prepare_threshold is not None
        [(generic, custom)] = _plans(2)
        # Without parameters a statement has one plan, the generic one: planned once, then reused.
        assert custom == 0
        assert generic >= 8 - connection.connection.prepare_threshold
    # The prepared statement reads a change at once.
    published_fact_checks(1, prefix="newer")
    assert client.get(_list(2)).json()["results"][0]["text"].startswith("newer")


def test_nothing_is_prepared_where_preparing_is_off(client):
    published_fact_checks(2, prefix="unprepared")
    before = _plans(5)
    with _preparing_off():
        pages = {client.get(_list(5)).content for _ in range(8)}
    assert len(pages) == 1
    assert _plans(5) == before


def _detail_plans() -> list[tuple[int, int]]:
    """The prepared statements that look a claim up by its key."""
    return _prepared('%FROM "claims_claim" LEFT OUTER JOIN "claims_speaker"%', '%"claims_claim"."id" = $%')


def _detail(verdict) -> str:
    return f"{API}claims/{verdict.claim_id}/"


def test_a_detail_is_looked_up_by_a_statement_planned_once_for_every_key(client):
    verdicts = published_fact_checks(4, prefix="detail")
    # Each claim's detail as first built, before anything is prepared.
    first = {verdict.pk: client.get(_detail(verdict)).content for verdict in verdicts}
    assert all(b'"text":"detail claim number' in content for content in first.values())
    for _ in range(3):
        for verdict in verdicts:
            assert client.get(_detail(verdict)).content == first[verdict.pk]
    if connection.vendor == "postgresql":
        [(generic, custom)] = _detail_plans()
        # One statement for every claim, prepared once it had run prepare_threshold times
        # and then planned once for any key.
        assert generic + custom == 4 * 4 - connection.connection.prepare_threshold
        assert generic > 0
        # The request's own statements only: Django's cursors send their values inline again.
        assert issubclass(connection.connection.cursor_factory, psycopg.ClientCursor)
    # A change is read at once by the prepared statement.
    claim = verdicts[0].claim
    claim.made_in = "A changed place"
    claim.save()
    assert client.get(_detail(verdicts[0])).json()["made_in"] == "A changed place"


def test_a_missing_detail_leaves_the_connection_as_it_was(client):
    published_fact_checks(1, prefix="missing")
    for _ in range(8):
        assert client.get(f"{API}claims/987654321/").status_code == 404
    if connection.vendor == "postgresql":
        assert issubclass(connection.connection.cursor_factory, psycopg.ClientCursor)


def test_no_detail_is_prepared_where_preparing_is_off(client):
    [verdict] = published_fact_checks(1, prefix="detail-off")
    before = _detail_plans()
    with _preparing_off():
        details = {client.get(_detail(verdict)).content for _ in range(8)}
    assert len(details) == 1
    assert _detail_plans() == before


def test_values_are_quoted_once_per_statement_and_values(monkeypatch):
    """On PostgreSQL a statement sent again with the same values is not quoted again; other
    values, or equal values of another type, are; values that cannot be keyed are quoted
    every time. Elsewhere the values go to Django's cursor as parameters."""
    postgresql = connection.vendor == "postgresql"
    composed = []
    if postgresql:  # only PostgreSQL's operations quote values into the SQL
        compose_sql = connection.ops.compose_sql

        def counting(sql, params):
            composed.append(tuple(params))
            return compose_sql(sql, params)

        monkeypatch.setattr(connection.ops, "compose_sql", counting)
    monkeypatch.setattr(COMPOSED, "values", {})
    sql = "SELECT CAST(%s AS TEXT), %s, CAST(%s AS TEXT)"
    sent = [["50%", True, "a"], ["50%", True, "a"], ["50%", 1, "a"], ["50%", True, "b"], ["50%", True, "a"]]
    with prepared_cursor("default") as db:
        results = []
        for params in sent:
            db.execute(sql, params)
            results.append(db.fetchone())
        if postgresql:
            for _ in range(2):
                db.execute("SELECT %s::int[]", [[1, 2]])
            assert db.fetchone() == ([1, 2],)
    true = True if postgresql else 1  # SQLite has no boolean type
    assert results == [("50%", true, "a"), ("50%", true, "a"), ("50%", 1, "a"), ("50%", true, "b"), ("50%", true, "a")]
    once_each = [("50%", True, "a"), ("50%", 1, "a"), ("50%", True, "b"), ([1, 2],), ([1, 2],)]
    assert composed == (once_each if postgresql else [])


def test_the_statement_cache_keeps_the_newest():
    cache = BoundedCache(2)
    for key in "abc":
        assert cache.get(key, lambda key=key: key.upper()) == key.upper()
    assert list(cache.values) == ["b", "c"]
    assert cache.get("b", lambda: "built again") == "B"


def _kept_cursor():
    return getattr(connection, "_factcheck_prepared_cursor", (None, None))


def test_pages_are_read_with_the_cursor_the_connection_keeps(client):
    published_fact_checks(3, prefix="kept")
    first = client.get(_list(2)).content
    if connection.vendor == "postgresql":
        raw, cursor = _kept_cursor()
        assert raw is connection.connection
        assert client.get(_list(2)).content == first
        assert _kept_cursor()[1] is cursor
        # A cursor someone closed (an error, a test) is made again.
        cursor.close()
        assert client.get(_list(2)).content == first
        assert _kept_cursor()[1] is not cursor
        assert not _kept_cursor()[1].closed
    else:  # other databases read pages with Django's own cursors
        assert _kept_cursor() == (None, None)
        assert client.get(_list(2)).content == first


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_connection_reads_pages_with_a_cursor_of_its_own(client):
    published_fact_checks(2, prefix="reconnected")
    first = client.get(_list(1)).content
    connection.close()
    assert client.get(_list(1)).content == first
    if connection.vendor == "postgresql":
        assert _kept_cursor()[0] is connection.connection


@pytest.mark.parametrize("microsecond", [0, 678900])
def test_a_page_cursor_holds_the_time_as_django_reads_it(client, microsecond):
    verdicts = published_fact_checks(2, prefix="timed")
    Verdict.objects.filter(pk=verdicts[-1].pk).update(
        published_at=datetime(2030, 1, 2, 3, 4, 5, microsecond, tzinfo=UTC)
    )
    page = client.get(_list(1)).json()
    [item] = page["results"]
    assert item["verdict"]["id"] == verdicts[-1].pk
    raw = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
    position = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))["p"]
    assert position == Verdict.objects.get(pk=verdicts[-1].pk).published_at.isoformat()
    assert position == ("2030-01-02T03:04:05+00:00" if not microsecond else "2030-01-02T03:04:05.678900+00:00")
