"""The embeddable card, its framing headers, and oEmbed."""

import pytest
from django.urls import reverse

from tests.factories import make_claim, make_verdict

from .helpers import published_fact_check, retract

pytestmark = pytest.mark.django_db


def test_embed_card_shows_claim_rating_headline_and_link(client, reviewer, editor):
    verdict = published_fact_check("North Korea promised volunteers.", reviewer=reviewer, editor=editor)
    response = client.get(reverse("fact-check-embed", args=[verdict.claim_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "North Korea promised volunteers." in html
    assert '<span class="rating"' in html and ">False</span>" in html
    assert f'href="http://testserver/fact-checks/{verdict.claim_id}/" target="_blank"' in html


def test_only_the_embed_may_be_framed(client, reviewer, editor):
    verdict = published_fact_check("Framed.", reviewer=reviewer, editor=editor)
    embed = client.get(reverse("fact-check-embed", args=[verdict.claim_id]))
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    # The rest of the policy stays as strict as everywhere else.
    assert "script-src 'self'" in embed["Content-Security-Policy"]
    for url in (reverse("fact-check", args=[verdict.claim_id]), reverse("home"), "/api/v1/claims/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_unpublished_and_retracted_fact_checks_have_no_embed(client, reviewer, editor):
    draft = make_verdict(make_claim("Draft."))
    retracted = published_fact_check("Gone.", reviewer=reviewer, editor=editor)
    retract(retracted, editor=editor)
    for claim_id in (draft.claim_id, retracted.claim_id):
        assert client.get(reverse("fact-check-embed", args=[claim_id])).status_code == 404


def test_oembed_answers_for_a_fact_check_url(client, reviewer, editor):
    verdict = published_fact_check("Embeddable.", reviewer=reviewer, editor=editor)
    url = f"http://testserver/fact-checks/{verdict.claim_id}/"
    response = client.get("/oembed", {"url": url, "maxwidth": "400"})
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["title"] == "Embeddable."
    assert data["width"] == 400 and data["height"] == 320
    assert f'src="http://testserver/fact-checks/{verdict.claim_id}/embed/"' in data["html"]
    # The embed's own address works too.
    assert client.get("/oembed", {"url": url + "embed/", "maxwidth": "400"}).json()["html"] == data["html"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"url": "http://testserver/fact-checks/1/", "format": "xml"}, 501),
        ({"url": "http://testserver/fact-checks/1/", "maxwidth": "wide"}, 400),
        ({"url": "http://elsewhere.example/fact-checks/1/"}, 404),
        ({"url": "http://testserver/admin/"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, params, status):
    response = client.get("/oembed", params)
    assert response.status_code == status
    assert response.json()["detail"]


def test_oembed_of_a_draft_is_not_found(client):
    draft = make_verdict(make_claim("Secret draft."))
    response = client.get("/oembed", {"url": f"http://testserver/fact-checks/{draft.claim_id}/"})
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()
