"""The admin's ClaimReview import page: upload, dry run, confirm or cancel."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claims.models import Claim, Verdict
from claims.ratingmap import UNMAPPED_SLUG
from tests.importer.helpers import AFP, POLITIFACT, data_feed, review
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:claims_verdict_import")
CHANGELIST = reverse("admin:claims_verdict_changelist")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, data) -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def pending_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def check(client, *files, **fields):
    """Upload, let the worker run the dry run, and read the page that shows it."""
    response = client.post(IMPORT, {"files": list(files), **fields})
    if response.status_code != 302:
        return response
    assert run_jobs() == 1
    return client.get(IMPORT)


def confirm(client, token):
    """Confirm, let the worker import, and follow to the page that shows the result."""
    response = client.post(IMPORT, {"token": token, "confirm": "1"})
    run_jobs()
    return client.get(IMPORT, follow=True) if response.status_code == 302 else response


def test_editor_sees_the_import_link_reviewer_does_not(editor, reviewer):
    assert IMPORT in login(editor).get(CHANGELIST).content.decode()
    assert IMPORT not in login(reviewer).get(CHANGELIST).content.decode()
    assert login(reviewer).get(IMPORT).status_code == 403


def test_dry_run_writes_nothing_then_confirm_imports_with_history(editor, media):
    client = login(editor)
    before = Verdict.objects.count()
    response = check(client, upload("feed.json", data_feed(POLITIFACT, AFP)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dry run: nothing written. 2 record(s) read, 2 review(s) imported" in body
    assert "Import 2 reviews" in body
    assert Verdict.objects.count() == before
    assert len(pending_files(media)) == 1

    token = response.context["token"]
    result = confirm(client, token).content.decode()
    assert "Import finished" in result
    assert "2 record(s) read, 2 review(s) imported" in result
    assert Verdict.objects.count() == before + 2
    imported = Verdict.objects.get(review_url=POLITIFACT["url"])
    assert imported.history.get().history_user == editor
    assert pending_files(media) == []

    # The same confirmation again is refused: the upload is gone, nothing is written twice.
    response = client.post(IMPORT, {"token": token, "confirm": "1"}, follow=True)
    assert "no longer waiting" in response.content.decode()
    assert Verdict.objects.count() == before + 2


def test_invalid_record_refuses_everything_and_keeps_nothing(editor, media):
    client = login(editor)
    broken = review(AFP, claimReviewed="")
    response = check(client, upload("mixed.json", [POLITIFACT, broken]))
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "mixed.json" in body and "claimReviewed" in body
    assert "confirm-import" not in body
    assert pending_files(media) == []
    assert not Verdict.objects.filter(review_url=POLITIFACT["url"]).exists()


def test_skip_invalid_imports_the_rest(editor):
    client = login(editor)
    broken = review(AFP, claimReviewed="")
    response = check(client, upload("mixed.json", [POLITIFACT, broken]), skip_invalid="on")
    assert "1 invalid record(s)" in response.content.decode()
    confirm(client, response.context["token"])
    assert Verdict.objects.filter(review_url=POLITIFACT["url"]).exists()
    assert not Verdict.objects.filter(review_url=AFP["url"]).exists()


def test_publisher_name_credits_reviews_without_author(editor):
    client = login(editor)
    anonymous = review(POLITIFACT)
    del anonymous["author"]
    response = check(client, upload("anon.json", anonymous), publisher_name="Lead Stories")
    confirm(client, response.context["token"])
    assert Verdict.objects.get(review_url=POLITIFACT["url"]).reviewed_by.name == "Lead Stories"


def test_cancel_discards_the_upload(editor, media):
    client = login(editor)
    response = check(client, upload("feed.json", POLITIFACT))
    assert pending_files(media)
    response = client.post(IMPORT, {"token": response.context["token"], "cancel": "1"}, follow=True)
    assert "Import cancelled" in response.content.decode()
    assert pending_files(media) == []
    assert not Verdict.objects.filter(review_url=POLITIFACT["url"]).exists()


def test_another_session_cannot_confirm_someone_elses_upload(editor, other_editor):
    response = check(login(editor), upload("feed.json", POLITIFACT))
    stranger = login(other_editor)
    response = stranger.post(IMPORT, {"token": response.context["token"], "confirm": "1"}, follow=True)
    assert "no longer waiting" in response.content.decode()
    assert not Verdict.objects.filter(review_url=POLITIFACT["url"]).exists()


def test_wrong_file_types_and_missing_files_are_form_errors(editor):
    client = login(editor)
    response = check(client, SimpleUploadedFile("notes.txt", b"hello"))
    assert "Only .json, .jsonld, .html, .htm and .csv files" in response.content.decode()
    response = client.post(IMPORT, {})
    assert response.status_code == 200, response.status_code
    assert response.context["form"].errors["files"], response.content.decode()[-3000:]


def test_files_over_the_size_limit_are_refused(editor, settings):
    settings.FACTCHECK_IMPORT_MAX_BYTES = 1024 * 1024
    response = check(login(editor), upload("big.json", b" " * (1024 * 1024 + 1)))
    assert "larger than 1 MB" in response.content.decode()


def test_unmapped_labels_are_reported_in_the_dry_run(editor):
    odd = review(POLITIFACT, reviewRating={"@type": "Rating", "alternateName": "Four Pinocchios-ish"})
    client = login(editor)
    response = check(client, upload("odd.json", odd))
    assert "1 x Four Pinocchios-ish" in response.content.decode()
    confirm(client, response.context["token"])
    verdict = Verdict.objects.get(review_url=POLITIFACT["url"])
    assert (verdict.rating.slug, verdict.review_rating_label) == (UNMAPPED_SLUG, "Four Pinocchios-ish")


def test_several_files_import_together(editor):
    client = login(editor)
    response = check(client, upload("a.json", POLITIFACT), upload("b.json", AFP))
    confirm(client, response.context["token"])
    assert Claim.objects.filter(text=POLITIFACT["claimReviewed"]).exists()
    assert Claim.objects.filter(text=AFP["claimReviewed"]).exists()


def test_the_page_follows_the_background_job(editor, media):
    client = login(editor)
    assert client.post(IMPORT, {"files": [upload("feed.json", data_feed(POLITIFACT, AFP))]}).status_code == 302
    waiting = client.get(IMPORT).content.decode()
    assert "Waiting for a worker" in waiting
    assert 'http-equiv="refresh"' in waiting
    assert run_jobs() == 1
    for _ in range(2):  # the dry run's summary stays until confirmed or cancelled
        body = client.get(IMPORT).content.decode()
        assert "Import 2 reviews" in body
        assert 'http-equiv="refresh"' not in body


def test_the_date_order_and_language_chosen_apply_to_the_confirmed_import(editor):
    client = login(editor)
    record = review(POLITIFACT, datePublished="03/04/2024", inLanguage=None)

    refused = check(client, upload("ambiguous.json", record)).content.decode()
    assert "ambiguous" in refused and "03/04/2024" in refused

    response = check(client, upload("ambiguous.json", record), date_order="day", language="en-US")
    token = response.context["token"]
    confirm(client, token)

    verdict = Verdict.objects.get(review_url=POLITIFACT["url"])
    assert verdict.first_published_at.date().isoformat() == "2024-04-03"
    assert verdict.claim.language == "en-US"


def test_a_spreadsheet_whose_columns_disagree_is_refused_not_an_error_page(editor):
    content = (
        b"url,claimReviewed,author,author.name,reviewRating.alternateName\n"
        b"https://c.example/1,A claim.,Checker,Another checker,False\n"
    )

    response = check(login(editor), upload("sheet.csv", content))

    assert response.status_code == 200
    body = response.content.decode()
    assert "sheet.csv line 2" in body and "author.name" in body
    assert not Verdict.objects.exists()
