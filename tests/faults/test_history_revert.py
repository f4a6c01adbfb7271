"""Reverting from the history page needs the change permission; claims and verdicts refuse it.

simple-history accepted a revert POST from anyone allowed to view a record's history, and a
revert of a claim or verdict failed half-way (a 500) outside the services' transaction.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from tests.factories import make_claim, make_source, make_speaker, make_verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(db):
    """Staff who may view sources and speakers, and change nothing."""
    user = get_user_model().objects.create_user(username="vera", password="vera", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_source", "view_speaker"]))
    return user


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def revert_form(record, url_base: str, fields: dict):
    history_id = record.history.earliest().history_id
    return f"{url_base}{record.pk}/history/{history_id}/", fields


def test_a_view_only_member_cannot_revert_a_source(viewer):
    source = make_source("Original title", url="https://example.org/a")
    source.title = "Edited title"
    source.save()
    url, _ = revert_form(source, "/admin/sources/source/", {})
    client = logged_in(viewer)
    assert client.get(url).status_code == 200  # may still look at the old version
    response = client.post(url, {"title": "Original title", "url": "https://example.org/a", "kind": source.kind})
    assert response.status_code == 403
    source.refresh_from_db()
    assert source.title == "Edited title"


def test_a_view_only_member_cannot_revert_a_speaker(viewer):
    speaker = make_speaker("Igor Korotchenko")
    speaker.name = "Someone else"
    speaker.save()
    url, _ = revert_form(speaker, "/admin/claims/speaker/", {})
    response = logged_in(viewer).post(url, {"name": "Igor Korotchenko", "kind": speaker.kind})
    assert response.status_code == 403
    speaker.refresh_from_db()
    assert speaker.name == "Someone else"


def test_an_editor_may_revert_a_source(editor):
    source = make_source("Original title", url="https://example.org/b")
    source.title = "Edited title"
    source.save()
    url, _ = revert_form(source, "/admin/sources/source/", {})
    form = logged_in(editor).get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = logged_in(editor).post(url, data)
    assert response.status_code == 302, response.content[:2000]
    source.refresh_from_db()
    assert source.title == "Original title"


def test_reverting_a_claim_or_a_verdict_is_refused_cleanly(editor, superuser, rating):
    claim = make_claim("First wording.")
    claim.text = "Second wording."
    claim.save()
    verdict = make_verdict(claim, headline="First headline")
    verdict.headline = "Second headline"
    verdict.save()
    for user in (editor, superuser):
        client = logged_in(user)
        for record, base in ((claim, "/admin/claims/claim/"), (verdict, "/admin/claims/verdict/")):
            url, _ = revert_form(record, base, {})
            page = client.get(url)
            assert page.status_code == 200
            assert page.context["revert_disabled"] is True
            assert client.post(url, {"text": "First wording.", "headline": "First headline"}).status_code == 403
    claim.refresh_from_db()
    verdict.refresh_from_db()
    assert (claim.text, verdict.headline) == ("Second wording.", "Second headline")
