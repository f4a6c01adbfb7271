"""export_claimreview, and the round trip: export → empty database → import → export gives the same feed."""

import json

import pytest
from django.core.management.base import CommandError

from claims import services
from claims.choices import VerdictStatus
from claims.importing import Input
from claims.models import Claim, Verdict
from tests.importer.helpers import (
    AFP,
    ALL_REVIEWS,
    CORRECTIV,
    FULL_FACT,
    MALDITA,
    POLITIFACT,
    command,
    csv_bytes,
    data_feed,
    delete_everything_imported,
    entity_counts,
    import_command,
    json_bytes,
    json_input,
    outcome,
    review,
    run,
    table_counts,
)
from tests.importer.test_shapes import CSV_COLUMNS, CSV_ROWS, FACT_CHECK_TOOLS

pytestmark = pytest.mark.django_db


def export(tmp_path, name: str = "feed.json") -> dict:
    path = tmp_path / name
    out, err = command("export_claimreview", "--output", str(path))
    assert out == ""
    assert f"review(s) written to {path}" in err
    return json.loads(path.read_bytes())


def items(feed: dict) -> list[dict]:
    return [element["item"][0] for element in feed["dataFeedElement"]]


def by_url(feed: dict) -> dict[tuple[str, str], dict]:
    return {(item["url"], item["claimReviewed"]): item for item in items(feed)}


def sorted_elements(feed: dict) -> list[dict]:
    return sorted(feed["dataFeedElement"], key=lambda e: (e["item"][0]["url"], e["item"][0]["claimReviewed"]))


def page_reviewing(url: str, *claims: tuple[str, str]) -> Input:
    blocks = [
        review(
            FULL_FACT,
            url=url,
            claimReviewed=text,
            headline=f"Fact check: {text}",
            reviewRating={"@type": "Rating", "alternateName": label},
        )
        for text, label in claims
    ]
    page = "".join(f'<script type="application/ld+json">{json_bytes(b).decode()}</script>' for b in blocks)
    return Input("page.html", f"<html><head>{page}</head></html>".encode())


def imported_reviews_of_every_shape() -> list[Input]:
    corrected = review(
        MALDITA,
        url="https://maldita.es/malditobulo/20240110/corregido/",
        claimReviewed="El Gobierno subirá el IVA de la luz al 21 % en enero.",
        datePublished="2024-01-10T08:00:00+01:00",
        dateModified="2024-01-12T19:30:00+01:00",
        reviewRating={"@type": "Rating", "alternateName": "Engañoso"},
    )
    off_scale = review(
        CORRECTIV,
        url="https://correctiv.org/faktencheck/2024/02/01/skala/",
        claimReviewed="Deutschland importiert 50 Prozent seines Stroms.",
        reviewRating={"@type": "Rating", "ratingValue": "3", "bestRating": "10", "worstRating": "1"},
    )
    return [
        json_input("reviews.json", ALL_REVIEWS),
        json_input("feed.json", data_feed(corrected, off_scale)),
        Input("reviews.csv", csv_bytes(CSV_COLUMNS, CSV_ROWS)),
        json_input("factchecktools.json", FACT_CHECK_TOOLS),
        page_reviewing(
            "https://fullfact.org/politics/pmqs-2024-02-07/",
            ("Inflation has halved since last year.", "Correct"),
            ("Crime has fallen by 50% since 2010.", "Missing context"),
        ),
    ]


class TestExport:
    def test_every_published_verdict_with_the_desk_as_author_of_its_own(self, tmp_path, settings, demo_data):
        settings.FACTCHECK_DESK_NAME = "Verificado Demo"
        settings.FACTCHECK_DESK_URL = "https://verificado.example.org/"
        run(*imported_reviews_of_every_shape())

        feed = export(tmp_path)

        assert feed["@context"] == "https://schema.org" and feed["@type"] == "DataFeed"
        published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED)
        assert len(feed["dataFeedElement"]) == published.count()
        assert all(element["@type"] == "DataFeedItem" for element in feed["dataFeedElement"])
        desk = [item for item in items(feed) if item["url"].startswith("https://verificado.example.org/")]
        assert len(desk) == published.filter(reviewed_by=None).count() == 4
        for item in desk:
            assert item["author"] == {
                "@type": "Organization",
                "name": "Verificado Demo",
                "url": "https://verificado.example.org/",
            }
        # Drafts, reviews in progress, superseded and retracted verdicts are not in the feed.
        exported = {item["claimReviewed"] for item in items(feed)}
        with_published = Claim.objects.filter(verdicts__status=VerdictStatus.PUBLISHED)
        assert exported == set(with_published.values_list("text", flat=True))
        unpublished = Claim.objects.exclude(verdicts__status=VerdictStatus.PUBLISHED).filter(verdicts__isnull=False)
        assert unpublished.exists()
        assert not exported & set(unpublished.values_list("text", flat=True))

    def test_imported_reviews_keep_their_own_author_url_and_rating(self, tmp_path):
        run(*imported_reviews_of_every_shape())

        reviews = by_url(export(tmp_path))

        politifact = reviews[(POLITIFACT["url"], POLITIFACT["claimReviewed"])]
        assert politifact["author"] == {
            "@type": "Organization",
            "name": "PolitiFact",
            "url": "https://www.politifact.com/",
        }
        assert politifact["reviewRating"] == {
            "@type": "Rating",
            "alternateName": "Mostly True",
            "ratingValue": 4,
            "bestRating": 6,
            "worstRating": 1,
        }
        assert politifact["datePublished"] == "2024-03-08T16:02:11-05:00"  # the time and zone it was given in
        assert politifact["headline"] == POLITIFACT["headline"]
        assert politifact["itemReviewed"]["author"] == {
            "@type": "Person",
            "name": "Joe Biden",
            "jobTitle": "President of the United States",
            "sameAs": "https://www.wikidata.org/wiki/Q6279",
        }
        assert politifact["itemReviewed"]["datePublished"] == "2024-03-07"
        full_fact = reviews[(FULL_FACT["url"], FULL_FACT["claimReviewed"])]
        assert full_fact["reviewRating"] == {
            "@type": "Rating",
            "alternateName": FULL_FACT["reviewRating"]["alternateName"],
        }
        afp = reviews[(AFP["url"], AFP["claimReviewed"])]
        assert afp["author"]["name"] == "AFP Factuel"
        assert afp["reviewRating"]["alternateName"] == "Faux"
        assert afp["inLanguage"] == "fr"
        assert {work["url"] for work in afp["itemReviewed"]["appearance"]} == set(AFP["itemReviewed"]["appearance"])
        assert len([key for key in reviews if key[0] == "https://fullfact.org/politics/pmqs-2024-02-07/"]) == 2

    def test_without_output_the_feed_goes_to_standard_output(self, capfdbinary):
        run(json_input("maldita.json", MALDITA))

        out, _ = command("export_claimreview")

        written = capfdbinary.readouterr().out
        feed = json.loads(out or written)
        assert [item["url"] for item in items(feed)] == [MALDITA["url"]]

    def test_call_command_captures_the_feed(self):
        # Management commands write to self.stdout, so callers (and call_command(stdout=...)) get the output.
        run(json_input("maldita.json", MALDITA))

        out, _ = command("export_claimreview")

        feed = json.loads(out)
        assert [item["url"] for item in items(feed)] == [MALDITA["url"]]

    def test_an_empty_desk_exports_an_empty_feed(self, tmp_path):
        feed = export(tmp_path)

        assert feed["dataFeedElement"] == []

    def test_an_unwritable_output_is_a_command_error(self, tmp_path):
        with pytest.raises(CommandError, match="--output"):
            command("export_claimreview", "--output", str(tmp_path / "no" / "such" / "folder" / "feed.json"))


class TestRoundTrip:
    def test_into_an_empty_database_gives_the_same_feed(self, tmp_path, demo_data):
        run(*imported_reviews_of_every_shape())
        first = export(tmp_path, "first.json")
        assert len(first["dataFeedElement"]) > 20

        delete_everything_imported()
        assert not Claim.objects.exists() and not Verdict.objects.exists()
        summary = run(Input("first.json", (tmp_path / "first.json").read_bytes()))
        assert not summary.errors
        assert outcome(summary, "reviews") == {"created": len(first["dataFeedElement"])}
        second = export(tmp_path, "second.json")

        assert sorted_elements(second) == sorted_elements(first)

    def test_an_undated_review_survives_the_round_trip(self, tmp_path):
        run(json_input("maldita.json", review(MALDITA, datePublished=None)))
        first = export(tmp_path, "first.json")
        assert "datePublished" not in items(first)[0]

        delete_everything_imported()
        run(Input("first.json", (tmp_path / "first.json").read_bytes()))
        second = export(tmp_path, "second.json")

        assert sorted_elements(second) == sorted_elements(first)

    def test_the_desks_own_export_imported_into_the_same_database_creates_no_duplicates(self, tmp_path, demo_data):
        run(*imported_reviews_of_every_shape())
        path = tmp_path / "feed.json"
        command("export_claimreview", "--output", str(path))
        counts = entity_counts()

        out, _ = import_command(path)

        assert entity_counts() == counts
        assert "created" not in out
        assert Verdict.objects.filter(status=VerdictStatus.PUBLISHED).count() == len(
            json.loads(path.read_bytes())["dataFeedElement"]
        )

    def test_the_desks_own_export_imported_into_the_same_database_changes_nothing(self, tmp_path, demo_data):
        # Includes reviews that gave only a ratingValue: the export names their rating with the
        # desk's label, which is not a label the reviewer gave and must not "update" the review.
        run(*imported_reviews_of_every_shape())
        path = tmp_path / "feed.json"
        command("export_claimreview", "--output", str(path))
        labels = dict(Verdict.objects.values_list("pk", "review_rating_label"))
        counts = table_counts()

        out, _ = import_command(path)

        assert dict(Verdict.objects.values_list("pk", "review_rating_label")) == labels
        assert table_counts() == counts  # no history rows either
        assert (
            f"reviews      {len(labels) - Verdict.objects.exclude(status=VerdictStatus.PUBLISHED).count()} unchanged"
            in out
        )
        assert "updated" not in out

    def test_the_desks_own_reviews_stay_the_desks(self, tmp_path, demo_data):
        path = tmp_path / "feed.json"
        command("export_claimreview", "--output", str(path))
        verdicts = dict(Verdict.objects.values_list("pk", "claim_id"))

        import_command(path)

        assert dict(Verdict.objects.values_list("pk", "claim_id")) == verdicts
        assert not Verdict.objects.exclude(review_url="").exists()

    def test_an_old_export_does_not_bring_back_a_retracted_fact_check(self, tmp_path, demo_data, editor):
        path = tmp_path / "feed.json"
        command("export_claimreview", "--output", str(path))
        anchor = Verdict.objects.get(claim_id=13, status=VerdictStatus.PUBLISHED)
        services.verdict_retract(verdict=anchor, actor=editor, public_note="The claim was misattributed.")
        counts = entity_counts()

        import_command(path)

        assert entity_counts() == counts
        assert not Verdict.objects.filter(
            status=VerdictStatus.PUBLISHED, review_url__endswith="/fact-checks/13/"
        ).exists()
        assert not Verdict.objects.filter(status=VerdictStatus.PUBLISHED, claim__text=anchor.claim.text).exists()

    def test_with_a_desk_on_localhost(self, tmp_path, settings, demo_data):
        settings.FACTCHECK_DESK_URL = "http://localhost:8000/"
        path = tmp_path / "feed.json"
        command("export_claimreview", "--output", str(path))
        counts = entity_counts()

        import_command(path)

        assert entity_counts() == counts
