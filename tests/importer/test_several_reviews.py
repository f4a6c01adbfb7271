"""One claim, several reviews: a claim other fact-checkers reviewed, and the desk's own verdict beside them.

Google Fact Check Tools answers ``claims:search`` with claims, each with the reviews of
every fact-checker that checked it. Imported, that is one claim with one published
review per fact-checker, each with its own publisher, address, rating and date; the
desk may still publish its own verdict on the claim, which the claim is then shown with.
"""

import copy
import json

import pytest
from django.db import IntegrityError, transaction

from claims import services
from claims.choices import VerdictStatus
from claims.importing import Input
from claims.models import Claim, Verdict
from sources.models import Publisher
from tests.api.helpers import publish
from tests.importer.helpers import command, json_input, run

pytestmark = pytest.mark.django_db

API = "/api/v1/"
FULL_FACT_URL = "https://fullfact.org/online/vaccine-microchip/"
MALDITA_URL = "https://maldita.es/malditobulo/20210505/vacunas-microchip/"
CLAIM_TEXT = "Vaccines contain microchips to track people."

ONE_CLAIM_TWO_REVIEWS = {
    "claims": [
        {
            "text": CLAIM_TEXT,
            "claimant": "Social media users",
            "claimDate": "2021-05-02T00:00:00Z",
            "claimReview": [
                {
                    "publisher": {"name": "Full Fact", "site": "fullfact.org"},
                    "url": FULL_FACT_URL,
                    "title": "Covid-19 vaccines do not contain microchips",
                    "reviewDate": "2021-05-04T10:12:00Z",
                    "textualRating": "False",
                    "languageCode": "en",
                },
                {
                    # Only the site: the fact-checker is named after it.
                    "publisher": {"site": "maldita.es"},
                    "url": MALDITA_URL,
                    "title": "No, las vacunas no llevan microchips",
                    "reviewDate": "2021-05-05T08:00:00Z",
                    "textualRating": "Engañoso",
                    "languageCode": "es",
                },
            ],
        }
    ],
    "nextPageToken": "CAo",
}


def import_response(data=ONE_CLAIM_TWO_REVIEWS):
    return run(json_input("factchecktools.json", data))


def exported_reviews() -> list[dict]:
    out, _ = command("export_claimreview")
    return [element["item"][0] for element in json.loads(out)["dataFeedElement"]]


class TestImport:
    def test_one_claim_with_two_reviews_each_with_its_own_fact_checker(self):
        summary = import_response()

        assert not summary.errors and summary.imported == 2
        (claim,) = Claim.objects.all()
        assert claim.text == CLAIM_TEXT and claim.speaker.name == "Social media users"
        reviews = {
            verdict.review_url: verdict
            for verdict in Verdict.objects.filter(claim=claim, status=VerdictStatus.PUBLISHED).select_related(
                "reviewed_by", "rating"
            )
        }
        assert set(reviews) == {FULL_FACT_URL, MALDITA_URL}
        full_fact, maldita = reviews[FULL_FACT_URL], reviews[MALDITA_URL]
        assert (full_fact.reviewed_by.name, full_fact.review_rating_label, full_fact.rating.slug) == (
            "Full Fact",
            "False",
            "false",
        )
        assert (maldita.reviewed_by.name, maldita.review_rating_label) == ("maldita.es", "Engañoso")
        assert maldita.review_author_url == "https://maldita.es/"
        assert full_fact.published_at.isoformat() == "2021-05-04T10:12:00+00:00"
        assert maldita.published_at.isoformat() == "2021-05-05T08:00:00+00:00"
        assert summary.counts["claims"] == {"created": 1}
        assert summary.counts["reviews"] == {"created": 2}

    def test_both_reviews_are_exported_with_their_fact_checker_address_and_rating(self):
        import_response()

        exported = {item["url"]: item for item in exported_reviews()}

        assert set(exported) == {FULL_FACT_URL, MALDITA_URL}
        assert exported[FULL_FACT_URL]["author"] == {
            "@type": "Organization",
            "name": "Full Fact",
            "url": "https://fullfact.org/",
        }
        assert exported[MALDITA_URL]["author"] == {
            "@type": "Organization",
            "name": "maldita.es",
            "url": "https://maldita.es/",
        }
        assert exported[FULL_FACT_URL]["reviewRating"]["alternateName"] == "False"
        assert exported[MALDITA_URL]["reviewRating"]["alternateName"] == "Engañoso"
        assert exported[FULL_FACT_URL]["datePublished"] == "2021-05-04T10:12:00+00:00"
        assert exported[MALDITA_URL]["datePublished"] == "2021-05-05T08:00:00+00:00"
        assert {item["claimReviewed"] for item in exported.values()} == {CLAIM_TEXT}

    def test_importing_the_response_again_changes_nothing(self):
        import_response()
        before = list(Verdict.objects.order_by("id").values("id", "claim_id", "version", "updated_at"))

        summary = import_response()

        assert summary.counts["reviews"] == {"unchanged": 2}
        assert "created" not in summary.counts.get("claims", {})
        assert list(Verdict.objects.order_by("id").values("id", "claim_id", "version", "updated_at")) == before
        assert Claim.objects.count() == 1

    def test_its_export_imported_again_changes_nothing(self):
        import_response()
        out, _ = command("export_claimreview")

        summary = run(Input("export.json", out.encode()))

        assert summary.counts["reviews"] == {"unchanged": 2}
        assert Claim.objects.count() == 1 and Verdict.objects.count() == 2

    def test_a_new_review_of_the_claim_joins_it(self):
        first = copy.deepcopy(ONE_CLAIM_TWO_REVIEWS)
        del first["claims"][0]["claimReview"][1]
        import_response(first)
        (claim,) = Claim.objects.all()

        summary = import_response()

        assert summary.counts["reviews"] == {"created": 1, "unchanged": 1}
        assert set(Verdict.objects.values_list("claim_id", flat=True)) == {claim.pk}
        assert Verdict.objects.get(review_url=MALDITA_URL).claim_id == claim.pk

    def test_two_reviews_by_one_fact_checker_are_two_claims_and_a_note(self):
        data = copy.deepcopy(ONE_CLAIM_TWO_REVIEWS)
        data["claims"][0]["claimReview"][1]["publisher"] = {"name": "Full Fact", "site": "fullfact.org"}

        summary = import_response(data)

        assert not summary.errors
        assert Claim.objects.filter(text=CLAIM_TEXT).count() == 2
        assert Verdict.objects.filter(status=VerdictStatus.PUBLISHED).count() == 2
        [where] = [where for where, note in summary.notes if "another review" in note]
        assert where == "factchecktools.json claim 1 review 2"
        # And again: nothing new.
        assert import_response(data).counts["reviews"] == {"unchanged": 2}


class TestTheDeskBesideThem:
    def test_the_desk_publishes_its_own_verdict_on_the_claim(self, reviewer, editor):
        import_response()
        claim = Claim.objects.get()

        own = publish(claim, author=reviewer, editor=editor, rating="mostly-false")

        assert own.status == VerdictStatus.PUBLISHED and own.reviewed_by is None
        assert Verdict.objects.filter(claim=claim, status=VerdictStatus.PUBLISHED).count() == 3
        # Its own verdict is still one at a time.
        with pytest.raises(services.WorkflowError):
            publish(claim, author=reviewer, editor=editor)

    def test_correcting_an_imported_review_beside_the_desks_verdict_is_refused(self, reviewer, editor):
        import_response()
        claim = Claim.objects.get()
        publish(claim, author=reviewer, editor=editor)
        full_fact = Verdict.objects.get(review_url=FULL_FACT_URL)

        # A correction is the desk's own verdict, and the desk's verdict already stands.
        with pytest.raises(services.WorkflowError, match="desk's own"):
            services.verdict_correct(verdict=full_fact, actor=editor, public_note="A note.")

        full_fact.refresh_from_db()
        assert full_fact.status == VerdictStatus.PUBLISHED
        assert Verdict.objects.filter(claim=claim, status=VerdictStatus.PUBLISHED).count() == 3

    def test_the_database_keeps_one_standing_review_per_fact_checker(self):
        import_response()
        full_fact = Verdict.objects.get(review_url=FULL_FACT_URL)

        with pytest.raises(IntegrityError), transaction.atomic():
            Verdict.objects.create(
                claim=full_fact.claim,
                rating=full_fact.rating,
                status=VerdictStatus.PUBLISHED,
                reviewed_by=full_fact.reviewed_by,
                review_url="https://fullfact.org/another/",
                published_at=full_fact.published_at,
                first_published_at=full_fact.published_at,
            )
        other = Publisher.objects.create(name="Another checker")
        Verdict.objects.create(
            claim=full_fact.claim,
            rating=full_fact.rating,
            status=VerdictStatus.PUBLISHED,
            reviewed_by=other,
            review_url="https://another.example/1",
            published_at=full_fact.published_at,
            first_published_at=full_fact.published_at,
        )


class TestTheApi:
    def test_the_claim_is_listed_once_with_its_latest_review_then_with_the_desks_own(self, client, reviewer, editor):
        import_response()
        claim = Claim.objects.get()

        listed = client.get(f"{API}claims/").json()["results"]
        assert [item["id"] for item in listed] == [claim.pk]
        assert listed[0]["verdict"]["id"] == Verdict.objects.get(review_url=MALDITA_URL).pk

        own = publish(claim, author=reviewer, editor=editor, rating="mostly-false")
        listed = client.get(f"{API}claims/").json()["results"]
        assert [(item["id"], item["verdict"]["id"]) for item in listed] == [(claim.pk, own.pk)]
        by_update = client.get(f"{API}claims/?ordering=-updated_at").json()["results"]
        assert [item["id"] for item in by_update] == [claim.pk]

        detail = client.get(f"{API}claims/{claim.pk}/").json()
        assert detail["verdict"]["id"] == own.pk
        assert [review["id"] for review in detail["reviews"]] == [
            own.pk,
            Verdict.objects.get(review_url=MALDITA_URL).pk,
            Verdict.objects.get(review_url=FULL_FACT_URL).pk,
        ]
        assert [review["reviewed_by"] and review["reviewed_by"]["name"] for review in detail["reviews"]] == [
            None,
            "maldita.es",
            "Full Fact",
        ]
        assert (
            client.get(f"{API}claims/{claim.pk}/claim-review/?format=json")
            .json()["url"]
            .endswith(f"/fact-checks/{claim.pk}/")
        )

    def test_every_page_shows_the_latest_review_whichever_fact_checker_came_first(self, client):
        # The older review's fact-checker is on file first (the lower id): recency decides, not that.
        Publisher.objects.create(name="Full Fact", url="https://fullfact.org")
        import_response()
        claim = Claim.objects.get()
        maldita, full_fact = (Verdict.objects.get(review_url=url) for url in (MALDITA_URL, FULL_FACT_URL))
        assert full_fact.reviewed_by_id < maldita.reviewed_by_id
        assert full_fact.published_at < maldita.published_at

        assert client.get(f"{API}claims/").json()["results"][0]["verdict"]["id"] == maldita.pk
        assert client.get(f"{API}claims/{claim.pk}/").json()["verdict"]["id"] == maldita.pk
        review = client.get(f"{API}claims/{claim.pk}/claim-review/?format=json").json()
        assert review["url"] == MALDITA_URL
        page = client.get(f"/fact-checks/{claim.pk}/")
        assert page.status_code == 200
        assert MALDITA_URL.encode() in page.content

    def test_every_review_is_in_the_feed_and_in_claims_search(self, client):
        import_response()

        feed = client.get(f"{API}claim-reviews/?format=json").json()
        assert {element["item"][0]["url"] for element in feed["dataFeedElement"]} == {FULL_FACT_URL, MALDITA_URL}
        verdicts = client.get(f"{API}verdicts/").json()["results"]
        assert len(verdicts) == 2


class TestWhereAndWhenTheClaimWasMade:
    def test_made_in_and_made_on_text_survive_export_and_import(self):
        data = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": "https://checkers.example/2023/korotchenko/",
            "claimReviewed": "North Korea promised 100,000 volunteers.",
            "author": {"@type": "Organization", "name": "Example Checkers"},
            "reviewRating": {"@type": "Rating", "alternateName": "False"},
            "itemReviewed": {"@type": "Claim", "name": "Russian state TV", "datePublished": "2023"},
        }
        run(json_input("review.json", data))
        claim = Claim.objects.get()
        assert (claim.made_in, claim.made_on, claim.made_on_text) == ("Russian state TV", None, "2023")

        (exported,) = exported_reviews()
        assert exported["itemReviewed"]["name"] == "Russian state TV"
        assert exported["itemReviewed"]["temporalCoverage"] == "2023"
        assert "datePublished" not in exported["itemReviewed"]

        # Into another desk: the claim keeps where and when it was made.
        Verdict.objects.all().delete()
        Claim.objects.all().delete()
        run(Input("export.json", json.dumps({"@graph": [exported]}).encode()))
        claim = Claim.objects.get()
        assert (claim.made_in, claim.made_on, claim.made_on_text) == ("Russian state TV", None, "2023")
