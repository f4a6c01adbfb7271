"""A detail's serializer is built once per thread and represents every object as a new one would.

``factcheck.api.shapes.represent`` keeps one serializer per class and thread, its fields
bound once; each call sets the request's context. These tests hold its output to a
serializer made for the object, over objects of different kinds read one after the other
with different readers and hosts (a leak of one call's object or context into the next
would show), and from two threads at once.
"""

import threading

import pytest
from django.db import connection
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from claims import services
from claims.api.serializers import VerdictDetailSerializer
from claims.choices import VerdictStatus
from claims.models import Verdict
from claims.selectors import link_versions
from factcheck.api.shapes import represent
from tests.api.helpers import publish, published_fact_checks
from tests.factories import make_claim

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _context(host: str, *, desk_member: bool) -> dict:
    request = Request(APIRequestFactory().get("/api/v1/verdicts/", HTTP_HOST=host))
    return {"request": request, "desk_member": desk_member}


def _verdicts() -> list[Verdict]:
    """Every verdict, loaded as the verdict detail loads one, with its versions linked."""
    verdicts = list(
        Verdict.objects.select_related("rating", "reviewed_by", "claim", "reviewer", "editor")
        .prefetch_related("evidence__source__publisher")
        .order_by("pk")
    )
    by_claim: dict[int, list[Verdict]] = {}
    for verdict in verdicts:
        by_claim.setdefault(verdict.claim_id, []).append(verdict)
    for versions in by_claim.values():
        link_versions(versions)
    return verdicts


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.ALLOWED_HOSTS = [".example"]


@pytest.fixture
def various(reviewer, editor):
    """Published verdicts with evidence, and a corrected one with its correction."""
    published_fact_checks(2, prefix="represented")
    corrected = publish(make_claim(text="The bridge cost twice the budget."), author=reviewer, editor=editor)
    services.verdict_correct(
        verdict=corrected,
        actor=editor,
        public_note="The first version misread the total.",
        changes={"headline": "Corrected: the bridge cost 40% over budget"},
    )
    assert Verdict.objects.filter(status=VerdictStatus.SUPERSEDED).exists()
    return _verdicts()


def test_each_object_is_represented_as_a_new_serializer_would(various):
    readers = [("one.example", False), ("two.example", True), ("one.example", True), ("three.example", False)]
    for round_ in range(2):
        for index, verdict in enumerate(various):
            host, desk_member = readers[(index + round_) % len(readers)]
            context = _context(host, desk_member=desk_member)
            expected = VerdictDetailSerializer(verdict, context=context).data
            assert represent(VerdictDetailSerializer, verdict, context) == expected
            # What differs between readers differs here too.
            assert expected["url"].startswith(f"http://{host}/")
            assert (expected["internal"] is not None) == desk_member


def test_threads_represent_with_their_own_context(various):
    failures: list[str] = []

    def read(host: str, desk_member: bool) -> None:
        try:
            for _ in range(20):
                for verdict in various:
                    context = _context(host, desk_member=desk_member)
                    expected = VerdictDetailSerializer(verdict, context=context).data
                    if represent(VerdictDetailSerializer, verdict, context) != expected:
                        failures.append(f"{host}: verdict {verdict.pk}")
        except Exception as error:  # a failure in a thread is reported by the test, not lost
            failures.append(f"{host}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=args) for args in (("a.example", False), ("b.example", True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
