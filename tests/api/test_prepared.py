"""List pages run as statements PostgreSQL plans once per connection (factcheck.prepared).

A page asked for again is served by one prepared statement, with the same bytes as when
it was planned for each request; a changed record is read by it at once; where preparing
is off, nothing is prepared. Other databases run the same pages with Django's cursor.
"""

import pytest
from django.db import connection

from tests.api.helpers import API, published_fact_checks

pytestmark = pytest.mark.django_db


def _list(page_size: int) -> str:
    return f"{API}claims/?page_size={page_size}"


def _plans(page_size: int) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of the prepared claims list statements of that page size."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ["%array_agg(item ORDER BY page_position%", f"%LIMIT {page_size + 1}\n%"],
        )
        return cursor.fetchall()


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
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold if connection.vendor == "postgresql" else None
    before = _plans(5)
    try:
        if connection.vendor == "postgresql":
            connection.connection.prepare_threshold = None
        pages = {client.get(_list(5)).content for _ in range(8)}
    finally:
        if connection.vendor == "postgresql":
            connection.connection.prepare_threshold = threshold
    assert len(pages) == 1
    assert _plans(5) == before
