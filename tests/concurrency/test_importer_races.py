"""The ClaimReview import racing itself and the desk.

Two imports of the same data at once (an editor confirming in the admin while a cron
job runs the command, or two editors confirming the same upload) must end with each
review once, and each import either done or refused with a clear message, never a
database error. An import that updates a claim or verdict someone has open must not be
overwritten by their save: the later save is refused, as for any other edit.

The two-import tests force the interleaving in which both imports read what exists
before either writes: a third connection holds the table they write first in SHARE
mode (reads go on, writes queue), and lets go once both imports wait on it.
"""

import re
import threading
from datetime import date

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from claims.importing import Input, import_claimreview
from claims.models import Appearance, Claim, Verdict
from sources.models import Publisher
from tests.admin.helpers import change_form_data
from tests.concurrency.helpers import WAIT_SECONDS, Outcome, wait_for, waiting_on_lock
from tests.importer.helpers import DECODEURS, POLITIFACT, json_input, review

REFUSED = "Your changes were not saved"


def imports_meeting_at(table: str, *inputs: list[Input]) -> list[Outcome]:
    """Run one import per ``inputs`` in its own thread while ``table`` is held in SHARE mode;
    release it once every import is waiting to write to it."""
    locked, release = threading.Event(), threading.Event()
    outcomes = [Outcome() for _ in inputs]

    def hold_table() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE MODE")
                locked.set()
                release.wait(WAIT_SECONDS)
        finally:
            locked.set()
            connections.close_all()

    def run(files: list[Input], outcome: Outcome) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome.backend_pid = cursor.fetchone()[0]
            outcome.value = import_claimreview(files)
        except Exception as error:  # the outcome under test
            outcome.error = error
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_table, daemon=True)
    holder.start()
    threads = []
    try:
        wait_for(locked.is_set, f"{table} is locked")
        threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in zip(inputs, outcomes, strict=True)]
        for thread in threads:
            thread.start()
        wait_for(
            lambda: all(
                not thread.is_alive() or (outcome.backend_pid and waiting_on_lock(outcome.backend_pid))
                for thread, outcome in zip(threads, outcomes, strict=True)
            ),
            f"every import waits to write to {table}",
        )
        waited = [thread.is_alive() for thread in threads]
    finally:
        release.set()
    for thread in [holder, *threads]:
        thread.join(WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in [holder, *threads]), "an import is stuck (deadlock?)"
    assert all(waited), f"not every import reached {table}: {[o.error for o in outcomes]}"
    return outcomes


def assert_done_or_cleanly_refused(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        assert not isinstance(outcome.error, DatabaseError), (
            f"a database error escaped the import (a 500 in the admin, a traceback from the command): {outcome.error!r}"
        )
    assert any(outcome.ok for outcome in outcomes), [repr(outcome.error) for outcome in outcomes]


ANOTHER = review(
    POLITIFACT,
    url="https://www.politifact.com/factchecks/2024/mar/08/joe-biden/biden-wages-inflation/",
    claimReviewed="Says wages are rising faster than prices.",
    headline="Wages have outpaced inflation since mid-2023",
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgresql_concurrency
def test_a_new_review_imported_twice_at_once_is_created_once():
    # The fact-checker, the speaker and the appearance's source are already known: the
    # new review needs only a claim, its verdict and an appearance.
    import_claimreview([json_input("politifact.json", [POLITIFACT])])
    feed = [json_input("politifact-latest.json", [POLITIFACT, ANOTHER])]

    outcomes = imports_meeting_at(Claim._meta.db_table, feed, feed)

    assert_done_or_cleanly_refused(outcomes)
    assert Verdict.objects.filter(review_url=ANOTHER["url"]).count() == 1
    assert Claim.objects.filter(text=ANOTHER["claimReviewed"]).count() == 1
    assert Appearance.objects.filter(claim__text=ANOTHER["claimReviewed"]).count() == 1
    assert Verdict.objects.filter(review_url=POLITIFACT["url"]).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgresql_concurrency
def test_a_new_fact_checker_imported_twice_at_once():
    feed = [json_input("politifact.json", [POLITIFACT])]

    outcomes = imports_meeting_at(Publisher._meta.db_table, feed, feed)

    # The unique constraints keep the publisher, the source and the speaker single...
    assert Publisher.objects.filter(name="PolitiFact").count() == 1
    assert Verdict.objects.filter(review_url=POLITIFACT["url"]).count() == 1
    # ...but the import that lost must not fail with the database's error.
    assert_done_or_cleanly_refused(outcomes)


# An import updates what someone has open --------------------------------------------------


@pytest.mark.django_db
def test_a_claim_form_opened_before_an_import_updated_the_claim_is_refused(editor):
    import_claimreview([json_input("politifact.json", [POLITIFACT])])
    claim = Claim.objects.get(text=POLITIFACT["claimReviewed"])
    client = Client()
    client.force_login(editor)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    opened = client.get(url)

    # Upstream, the fact-checker corrects the date the claim was made; the desk re-imports.
    upstream = review(POLITIFACT, itemReviewed={**POLITIFACT["itemReviewed"], "datePublished": "2024-03-06"})
    import_claimreview([json_input("politifact.json", [upstream])])
    claim.refresh_from_db()
    assert claim.made_on == date(2024, 3, 6)

    response = client.post(url, change_form_data(opened, text="Says 15 million jobs were created in three years."))

    claim.refresh_from_db()
    # The form still carries 2024-03-07: saving it would put the old date back unseen.
    assert claim.made_on == date(2024, 3, 6), "the editor's save reverted the import's update"
    assert response.status_code == 200
    assert REFUSED in response.content.decode()


@pytest.mark.django_db
def test_a_correction_opened_before_an_import_updated_the_verdict_is_refused(editor):
    import_claimreview([json_input("decodeurs.json", [DECODEURS])])
    verdict = Verdict.objects.get(review_url=DECODEURS["url"])
    client = Client()
    client.force_login(editor)
    url = reverse("admin:claims_verdict_correct", args=[verdict.pk])
    opened = client.get(url)
    form = opened.context["form"]

    upstream = review(DECODEURS, headline="Normes agricoles : la France n\u2019est pas plus sévère que ses voisins")
    import_claimreview([json_input("decodeurs.json", [upstream])])
    verdict.refresh_from_db()
    assert verdict.headline == upstream["headline"]

    loaded_version = re.search(r'name="loaded_version" value="(\d+)"', opened.content.decode())[1]
    response = client.post(
        url,
        {
            "rating": str(form.initial["rating"].pk),
            "headline": form.initial["headline"],  # as the editor saw it
            "explanation": "The European rules apply in every member state alike.",
            "internal_notes": "",
            "public_note": "Correction: an explanation added.",
            "loaded_version": loaded_version,
        },
    )

    # The correction would publish the headline the editor saw, dropping the update unseen.
    assert not Verdict.objects.filter(supersedes=verdict).exists(), "a correction of a stale version was published"
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
