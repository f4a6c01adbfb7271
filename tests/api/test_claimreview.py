"""schema.org ClaimReview: per claim, per verdict, as a DataFeed, and embedded in the public page."""

import json
import re
from datetime import UTC, date, datetime

import pytest
from django.conf import settings
from django.utils.dateparse import parse_datetime

from claims import services
from claims.choices import SpeakerKind, VerdictStatus
from claims.models import Rating, Verdict
from tests.api.helpers import API, body, get_json, publish, submit
from tests.factories import make_appearance, make_claim, make_publisher, make_source, make_speaker

pytestmark = pytest.mark.django_db

ANCHOR_CLAIM = 13
ANCHOR_VERDICT = 1
ANCHOR_TEXT = "North Korea promised 100,000 volunteers to fight in Russia's invasion of Ukraine."
ANCHOR_HEADLINE = "Russia's own Foreign Ministry disputed the claim that North Korea promised 100,000 “volunteers”"


def review(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/ld+json")
    return body(response)


def embedded_review(client, claim_id):
    response = client.get(f"/fact-checks/{claim_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.DOTALL)
    assert len(scripts) == 1
    return json.loads(scripts[0]), html


def desk_author():
    return {"@type": "Organization", "name": settings.FACTCHECK_DESK_NAME, "url": settings.FACTCHECK_DESK_URL}


class TestAnchor:
    def test_every_field_google_reads(self, client, demo_data):
        data = review(client, f"{API}claims/{ANCHOR_CLAIM}/claim-review/")
        assert data == {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"{settings.FACTCHECK_DESK_URL.rstrip('/')}/fact-checks/{ANCHOR_CLAIM}/",
            "claimReviewed": ANCHOR_TEXT,
            "author": desk_author(),
            # Published on 21 November 2026 (the demo's publication time), never corrected.
            "datePublished": "2026-11-21",
            "headline": ANCHOR_HEADLINE,
            # The verdict's public explanation.
            "reviewBody": Verdict.objects.get(pk=ANCHOR_VERDICT).explanation,
            # Disputed is off the true-false axis: a name, no number.
            "reviewRating": {"@type": "Rating", "alternateName": "Disputed"},
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Person", "name": "Igor Korotchenko", "jobTitle": "Russian talk show host"},
                # Where the claim was made, as the article says.
                "name": "Russian state TV",
                # The article gives "August 5" without a year: no datePublished but the date as
                # worded; the article itself is undated, so there is no firstAppearance either.
                "temporalCoverage": "August 5",
                "appearance": [
                    {
                        "@type": "CreativeWork",
                        "headline": "Russia Buying Millions of Artillery Shells, Rockets from North Korea",
                    }
                ],
            },
            "inLanguage": "en",
        }

    def test_verdict_endpoint_gives_the_same_review(self, client, demo_data):
        by_claim = review(client, f"{API}claims/{ANCHOR_CLAIM}/claim-review/")
        by_verdict = review(client, f"{API}verdicts/{ANCHOR_VERDICT}/claim-review/")
        assert by_verdict == by_claim
        detail = get_json(client, f"{API}verdicts/{ANCHOR_VERDICT}/")
        assert review(client, detail["claim_review_url"]) == by_claim

    def test_only_standing_published_verdicts_are_reviews(self, client, demo_data):
        # 4 superseded, 6 draft, 7 in review, 8 retracted; claims 3, 4 and 9 have no published verdict.
        for verdict in [4, 6, 7, 8]:
            assert client.get(f"{API}verdicts/{verdict}/claim-review/").status_code == 404
        for claim in [3, 4, 9, 2]:
            assert client.get(f"{API}claims/{claim}/claim-review/").status_code == 404
        assert review(client, f"{API}verdicts/5/claim-review/")["dateModified"]

    def test_json_is_served_too_when_asked_for(self, client, demo_data):
        response = client.get(f"{API}claims/{ANCHOR_CLAIM}/claim-review/", headers={"accept": "application/json"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert body(response)["claimReviewed"] == ANCHOR_TEXT


@pytest.fixture
def rich_claim(reviewer, editor):
    """A claim with a full date, a person with a role, and dated sources with URLs and publishers."""
    outlet = make_publisher(name="Daily Ledger", url="https://ledger.example.org/")
    wire = make_publisher(name="Wire Service")
    speaker = make_speaker(name="Ada Quill", role="Finance minister", affiliation="Treasury", wikidata_id="Q424242")
    claim = make_claim(text="Inflation fell to 2 percent in May.", speaker=speaker, made_on=date(2026, 6, 3))
    later = make_source(
        title="Minister hails inflation figures",
        url="https://ledger.example.org/inflation",
        publisher=outlet,
        published_on=date(2026, 6, 4),
    )
    earlier = make_source(
        title="Minister speaks", url="https://wire.example.org/1", publisher=wire, published_on=date(2026, 6, 3)
    )
    undated = make_source(title="Transcript")
    make_appearance(claim, later, "inflation fell to 2 percent")
    make_appearance(claim, earlier, "inflation is at 2 percent")
    make_appearance(claim, undated, "two percent")
    verdict = publish(
        claim, author=reviewer, editor=editor, rating="mostly-false", headline="Inflation was 2.4 percent"
    )
    return verdict


class TestRichClaim:
    def test_on_axis_rating_has_value_and_the_scale_bounds(self, client, rich_claim):
        data = review(client, f"{API}claims/{rich_claim.claim_id}/claim-review/")
        values = [value for value in Rating.objects.values_list("value", flat=True) if value is not None]
        assert data["reviewRating"] == {
            "@type": "Rating",
            "alternateName": "Mostly false",
            "ratingValue": Rating.objects.get(slug="mostly-false").value,
            "bestRating": max(values),
            "worstRating": min(values),
        }
        assert data["reviewRating"]["worstRating"] <= data["reviewRating"]["ratingValue"]
        assert data["reviewRating"]["ratingValue"] <= data["reviewRating"]["bestRating"]

    def test_the_bounds_follow_the_scale_as_the_desk_edits_it(self, client, rich_claim):
        Rating.objects.filter(slug="true").update(value=10, label="Entirely true")
        Rating.objects.filter(slug="half-true").update(value=None)
        Rating.objects.filter(slug="mostly-false").update(value=3, label="Largely false")
        data = review(client, f"{API}claims/{rich_claim.claim_id}/claim-review/")
        assert data["reviewRating"] == {
            "@type": "Rating",
            "alternateName": "Largely false",
            "ratingValue": 3,
            "bestRating": 10,
            "worstRating": 1,
        }

    def test_item_reviewed(self, client, rich_claim):
        item = review(client, f"{API}claims/{rich_claim.claim_id}/claim-review/")["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["datePublished"] == "2026-06-03"
        assert item["author"]["@type"] == "Person"
        assert item["author"]["name"] == "Ada Quill"
        assert item["author"]["jobTitle"] == "Finance minister"
        by_headline = {work["headline"]: work for work in item["appearance"]}
        assert set(by_headline) == {"Minister hails inflation figures", "Minister speaks", "Transcript"}
        assert all(work["@type"] == "CreativeWork" for work in item["appearance"])
        ledger = by_headline["Minister hails inflation figures"]
        assert ledger["url"] == "https://ledger.example.org/inflation"
        assert ledger["datePublished"] == "2026-06-04"
        assert ledger["publisher"] == {
            "@type": "Organization",
            "name": "Daily Ledger",
            "url": "https://ledger.example.org/",
        }
        assert by_headline["Minister speaks"]["publisher"] == {"@type": "Organization", "name": "Wire Service"}
        assert "url" not in by_headline["Transcript"] and "publisher" not in by_headline["Transcript"]
        # The earliest dated source is where the claim first appeared.
        assert item["firstAppearance"] == by_headline["Minister speaks"]

    def test_organisation_speaker(self, client, reviewer, editor):
        speaker = make_speaker(name="Bureau of Statistics", kind=SpeakerKind.ORGANISATION, role="Agency")
        verdict = publish(make_claim(text="Exports rose.", speaker=speaker), author=reviewer, editor=editor)
        author = review(client, f"{API}claims/{verdict.claim_id}/claim-review/")["itemReviewed"]["author"]
        assert author["@type"] == "Organization"
        assert author["name"] == "Bureau of Statistics"
        assert "jobTitle" not in author

    def test_claim_without_speaker_or_sources(self, client, reviewer, editor):
        verdict = publish(make_claim(text="Bread costs more."), author=reviewer, editor=editor, rating="true")
        data = review(client, f"{API}claims/{verdict.claim_id}/claim-review/")
        assert data["itemReviewed"] == {"@type": "Claim"}
        assert data["reviewRating"]["ratingValue"] == 5

    def test_correction_keeps_first_publication_and_adds_modification(self, client, rich_claim, editor):
        first_publication = datetime(2026, 6, 5, 9, 30, tzinfo=UTC)
        Verdict.objects.filter(pk=rich_claim.pk).update(
            published_at=first_publication, first_published_at=first_publication
        )
        url = f"{API}claims/{rich_claim.claim_id}/claim-review/"
        before = review(client, url)
        assert before["datePublished"] == "2026-06-05"
        assert "dateModified" not in before

        correction = services.verdict_correct(
            verdict=Verdict.objects.get(pk=rich_claim.pk),
            actor=editor,
            public_note="The figure was 2.4 percent, not 2.5.",
            changes={"headline": "Inflation was 2.4 percent, not 2"},
        )
        after = review(client, url)
        assert after["datePublished"] == "2026-06-05"
        assert parse_datetime(after["dateModified"]) == correction.published_at
        assert after["headline"] == "Inflation was 2.4 percent, not 2"
        assert review(client, f"{API}verdicts/{correction.pk}/claim-review/") == after
        assert client.get(f"{API}verdicts/{rich_claim.pk}/claim-review/").status_code == 404


class TestFeed:
    def test_feed_items_are_the_per_claim_reviews(self, client, demo_data, rich_claim):
        feed = review(client, f"{API}claim-reviews/")
        assert feed["@context"] == "https://schema.org"
        assert feed["@type"] == "DataFeed"
        published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED)
        assert len(feed["dataFeedElement"]) == published.count() == 5
        for element in feed["dataFeedElement"]:
            assert element["@type"] == "DataFeedItem"
            [item] = element["item"]
            claim_id = int(re.search(r"/fact-checks/(\d+)/$", item["url"]).group(1))
            single = review(client, f"{API}claims/{claim_id}/claim-review/")
            assert single.pop("@context") == "https://schema.org"
            assert item == single
            verdict = published.get(claim_id=claim_id)
            assert parse_datetime(element["dateCreated"]) == verdict.first_published_at
        assert parse_datetime(feed["dateModified"]) == max(verdict.updated_at for verdict in published)

    def test_feed_is_paginated_with_link_headers(self, client, demo_data):
        seen, pages = [], 0
        response = client.get(f"{API}claim-reviews/", {"page_size": 1})
        assert "prev" not in response.get("Link", "")
        while True:
            pages += 1
            assert response.status_code == 200
            seen.extend(element["item"][0]["claimReviewed"] for element in body(response)["dataFeedElement"])
            links = {rel: url for url, rel in re.findall(r'<([^>]+)>;\s*rel="([^"]+)"', response.get("Link", ""))}
            if pages > 1:
                assert "prev" in links
            if "next" not in links:
                break
            response = client.get(links["next"])
        assert pages == 4
        assert len(seen) == len(set(seen)) == 4
        assert ANCHOR_TEXT in seen

    def test_an_empty_feed(self, client, demo_data):
        response = client.get(f"{API}claim-reviews/", {"updated_since": "2100-01-01T00:00:00Z"})
        assert response.status_code == 200
        assert body(response)["dataFeedElement"] == []
        assert "dateModified" not in body(response)
        assert not response.has_header("Link")


class TestDeskIdentity:
    def test_name_and_address_come_from_settings(self, client, demo_data, settings):
        settings.FACTCHECK_DESK_NAME = "Harbour Fact Desk"
        settings.FACTCHECK_DESK_URL = "https://facts.example.org/"
        expected_author = {"@type": "Organization", "name": "Harbour Fact Desk", "url": "https://facts.example.org/"}
        data = review(client, f"{API}claims/{ANCHOR_CLAIM}/claim-review/")
        assert data["author"] == expected_author
        assert data["url"] == f"https://facts.example.org/fact-checks/{ANCHOR_CLAIM}/"
        feed = review(client, f"{API}claim-reviews/")
        assert {element["item"][0]["author"]["name"] for element in feed["dataFeedElement"]} == {"Harbour Fact Desk"}
        embedded, html = embedded_review(client, ANCHOR_CLAIM)
        assert embedded["author"] == expected_author
        assert "Harbour Fact Desk" in html

    def test_desk_address_with_a_path(self, client, demo_data, settings):
        # A desk published under a path keeps it: the review lives below the desk's address.
        settings.FACTCHECK_DESK_URL = "https://news.example.org/factcheck"
        data = review(client, f"{API}claims/{ANCHOR_CLAIM}/claim-review/")
        assert data["url"] == f"https://news.example.org/factcheck/fact-checks/{ANCHOR_CLAIM}/"


class TestPublicPage:
    def test_embeds_the_same_claim_review(self, client, demo_data):
        embedded, html = embedded_review(client, ANCHOR_CLAIM)
        assert embedded == review(client, f"{API}claims/{ANCHOR_CLAIM}/claim-review/")
        assert "Igor Korotchenko" in html
        assert "Disputed" in html

    def test_corrected_fact_check_page(self, client, demo_data):
        embedded, html = embedded_review(client, 7)
        assert embedded == review(client, f"{API}claims/7/claim-review/")
        assert "dateModified" in embedded
        assert "Correction: an earlier version of this fact-check cited only one of the two reports." in html

    @pytest.mark.parametrize("claim_id", [3, 9, 2, 999999])
    def test_unpublished_claims_have_no_page(self, client, demo_data, claim_id):
        # In review, draft, no verdict at all, no such claim.
        assert client.get(f"/fact-checks/{claim_id}/").status_code == 404

    def test_a_retracted_fact_check_keeps_its_page_without_claim_review(self, client, demo_data):
        response = client.get("/fact-checks/4/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "This fact-check was retracted" in html
        assert "application/ld+json" not in html

    def test_text_cannot_break_out_of_the_script(self, client, reviewer, editor):
        text = 'He said "</script><script>alert(1)</script>" & <b>more</b>.'
        verdict = publish(make_claim(text=text), author=reviewer, editor=editor)
        embedded, html = embedded_review(client, verdict.claim_id)
        assert embedded["claimReviewed"] == text
        assert "<script>alert(1)" not in html

    def test_home_lists_the_latest_published_fact_checks(self, client, demo_data, reviewer, editor):
        waiting = submit(make_claim(text="A claim still in review."), author=reviewer)
        response = client.get("/")
        assert response.status_code == 200
        html = response.content.decode()
        for claim_id in [13, 1, 11, 7]:
            assert f'href="/fact-checks/{claim_id}/"' in html
        assert f'href="/fact-checks/{waiting.claim_id}/"' not in html
        assert "A claim still in review." not in html
        assert 'href="/fact-checks/4/"' not in html
