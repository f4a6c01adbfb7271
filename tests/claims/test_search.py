"""Claim search: text, quotes and speaker names, kept current as they change.

The same assertions hold on PostgreSQL (stored search document maintained by triggers)
and on SQLite (substring fallback).
"""

import pytest
from django.db import connection

from claims.models import Appearance, Claim, Speaker
from claims.selectors import search_claims
from tests.factories import make_appearance, make_claim, make_source, make_speaker

pytestmark = pytest.mark.django_db


def found(term: str) -> set[str]:
    return set(search_claims(Claim.objects.all(), term).values_list("text", flat=True))


@pytest.fixture
def claim():
    speaker = make_speaker(name="Aurelia Montfort")
    claim = make_claim(text="The harbour handled nine million containers.", speaker=speaker)
    make_claim(text="An unrelated statement about orchards.")
    return claim


def test_finds_by_claim_text(claim):
    assert found("containers") == {claim.text}


def test_finds_by_speaker_name(claim):
    assert found("Montfort") == {claim.text}


def test_finds_by_quote_and_forgets_deleted_quotes(claim):
    appearance = make_appearance(claim, make_source(), "“Our cranes never stopped,” the port director said.")
    assert found("cranes") == {claim.text}
    appearance.delete()
    assert found("cranes") == set()


def test_edited_quote_is_searchable(claim):
    appearance = make_appearance(claim, make_source(), "first wording")
    Appearance.objects.filter(pk=appearance.pk).update(quote="dockworkers went on strike")
    assert found("dockworkers") == {claim.text}


def test_renamed_speaker_is_searchable(claim):
    Speaker.objects.filter(pk=claim.speaker_id).update(name="Aurelia Castellane")
    assert found("Castellane") == {claim.text}
    assert found("Montfort") == set()


def test_edited_claim_text_is_searchable(claim):
    claim.text = "The harbour handled eleven million pallets."
    claim.save()
    assert found("pallets") == {claim.text}


def test_search_composes_with_other_filters_and_subqueries(claim):
    ids = search_claims(Claim.objects.all(), "containers").values("pk")
    assert list(Claim.objects.filter(pk__in=ids).values_list("text", flat=True)) == [claim.text]


def test_blank_term_returns_everything(claim):
    assert search_claims(Claim.objects.all(), "   ").count() == 2


def test_postgresql_uses_the_stored_document(claim):
    sql = str(search_claims(Claim.objects.all(), "containers").query)
    if connection.vendor == "postgresql":
        assert "search_document @@ websearch_to_tsquery" in sql
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_document::text FROM claims_claim WHERE id = %s", [claim.pk])
            document = cursor.fetchone()[0]
        assert "'contain':" in document and "'montfort':" in document
    else:
        assert "LIKE" in sql


@pytest.fixture
def shelling():
    korea = make_claim(text="North Korea promised volunteers and artillery shells.", speaker=make_speaker(name="Igor"))
    iran = make_claim(text="Iran sold drones and artillery shells.")
    south = make_claim(text="Korea in the north and the south promised nothing.")
    make_appearance(south, make_source(), "volunteers were mentioned in passing")
    return korea, iran, south


def test_every_word_is_required(shelling):
    korea, iran, south = shelling
    assert found("promised volunteers") == {korea.text, south.text}
    assert found("shells drones") == {iran.text}
    assert found("promised drones") == set()


def test_a_quoted_phrase_is_one_term(shelling):
    korea, iran, _south = shelling
    assert found('"North Korea"') == {korea.text}
    assert found('"artillery shells" Iran') == {iran.text}


def test_a_minus_excludes(shelling):
    korea, _iran, south = shelling
    assert found("shells -Iran") == {korea.text}
    assert found('promised -"North Korea"') == {south.text}


def test_or_makes_either_do(shelling):
    korea, iran, south = shelling
    assert found("drones or volunteers") == {korea.text, iran.text, south.text}
    assert found("Iran or nothing") == {iran.text, south.text}


def test_searches_are_planned_without_parallel_workers(claim):
    # Parallel plans made free for this transaction only: the planner then parallelises any
    # scan it can. A search statement must still be planned serially (claims_serial_plan()).
    searched = search_claims(Claim.objects.all(), "containers")
    assert set(searched.values_list("text", flat=True)) == {claim.text}
    if connection.vendor != "postgresql":
        return  # no parallel plans to avoid: the portable path reads the rows one by one
    sql, params = searched.values("id").query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
            cursor.execute(f"SET LOCAL {setting} = 0")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")

        def plan(statement):
            cursor.execute(f"EXPLAIN {statement}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

        assert "Gather" not in plan(sql)
        # The same statement without the marker would be parallel: the test can tell.
        assert "Gather" in plan(sql.replace("AND claims_serial_plan()", ""))
