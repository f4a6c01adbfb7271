"""sitemap.xml lists every public page and no other; robots.txt points to it."""

import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import make_claim, make_verdict

from .helpers import published_fact_check, retract

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_urls(client) -> list[str]:
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    urls = []
    for location in ET.fromstring(index.content).findall("s:sitemap/s:loc", NS):
        page = client.get(location.text)
        assert page.status_code == 200
        urls += [loc.text for loc in ET.fromstring(page.content).findall("s:url/s:loc", NS)]
    return urls


def test_sitemap_lists_every_public_page_and_no_other(client, reviewer, editor):
    first = published_fact_check("Published one.", reviewer=reviewer, editor=editor)
    second = published_fact_check("Published two.", reviewer=reviewer, editor=editor)
    retracted = published_fact_check("Retracted one.", reviewer=reviewer, editor=editor)
    retract(retracted, editor=editor)
    draft = make_verdict(make_claim("Draft only."))

    urls = sitemap_urls(client)
    expected = ["http://testserver/", *(f"http://testserver/fact-checks/{v.claim_id}/" for v in (first, second))]
    assert sorted(urls) == sorted(expected)
    for url in urls:
        assert client.get(url).status_code == 200
    for hidden in (retracted.claim_id, draft.claim_id):
        assert client.get(reverse("fact-check", args=[hidden])).status_code == 404


def test_sitemap_splits_into_pages(client, reviewer, editor, monkeypatch):
    from integrations.sitemaps import FactCheckSitemap

    monkeypatch.setattr(FactCheckSitemap, "limit", 2)
    verdicts = [published_fact_check(f"Claim {n}.", reviewer=reviewer, editor=editor) for n in range(5)]
    urls = sitemap_urls(client)
    assert len(urls) == 6
    assert {f"http://testserver/fact-checks/{v.claim_id}/" for v in verdicts} < set(urls)


@override_settings(ALLOWED_HOSTS=["news.example"])
def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt", HTTP_HOST="news.example")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://news.example/sitemap.xml" in lines
