"""A review is its URL and its claim: importing again changes nothing, an updated review updates in place."""

# Real fact-checks are typeset: typographic apostrophes and dashes are part of the data.
# ruff: noqa: RUF001

import pytest

from claims import importing
from claims.importing import Input
from claims.models import Claim, Speaker, Verdict
from sources.models import Publisher, Source
from tests.factories import make_publisher, make_source, make_speaker
from tests.importer.helpers import (
    AFP,
    ALL_REVIEWS,
    CHEQUEADO,
    CORRECTIV,
    DECODEURS,
    FULL_FACT,
    LUPA,
    MALDITA,
    POLITIFACT,
    csv_bytes,
    data_feed,
    entity_counts,
    import_command,
    json_bytes,
    json_input,
    outcome,
    review,
    run,
    table_counts,
    verdict_for,
    write,
)
from tests.importer.test_shapes import CSV_COLUMNS, CSV_ROWS

pytestmark = pytest.mark.django_db

ENTITIES = ("reviews", "claims", "speakers", "sources", "publishers", "appearances")


def everything() -> list[Input]:
    """Every shape at once: JSON-LD list, DataFeed, CSV, and a title-only appearance."""
    on_tv = review(
        AFP,
        url="https://factuel.afp.com/doc.afp.com.34TV001",
        claimReviewed="Le prix de l’électricité a doublé en un an.",
    )
    on_tv["itemReviewed"] = {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Marine Le Pen"},
        "appearance": {"@type": "CreativeWork", "headline": "Journal de 20 heures", "publisher": "TF1"},
    }
    return [
        json_input("reviews.json", ALL_REVIEWS),
        json_input("feed.json", data_feed(on_tv)),
        Input("reviews.csv", csv_bytes(CSV_COLUMNS, CSV_ROWS)),
    ]


class TestSameDataTwice:
    def test_creates_nothing_and_says_unchanged(self):
        first = run(*everything())
        counts = table_counts()
        second = run(*everything())

        assert first.imported == second.imported == len(ALL_REVIEWS) + 1 + len(CSV_ROWS)
        assert table_counts() == counts  # history included: nothing was rewritten either
        for entity in ENTITIES:
            assert "created" not in outcome(second, entity), entity
            assert "updated" not in outcome(second, entity), entity
        assert outcome(second, "reviews") == {"unchanged": second.imported}
        assert outcome(second, "claims") == {"unchanged": second.imported}
        assert outcome(second, "appearances") == {"unchanged": Claim.objects.filter(appearances__isnull=False).count()}
        assert outcome(first, "publishers")["created"] == Publisher.objects.count()
        assert outcome(second, "publishers") == {"unchanged": Publisher.objects.count()}
        assert outcome(second, "speakers") == {"unchanged": Speaker.objects.count()}
        assert outcome(second, "sources") == {"unchanged": Source.objects.count()}

    def test_through_the_command(self, tmp_path):
        path = write(tmp_path / "reviews.json", ALL_REVIEWS)
        import_command(path)
        counts = entity_counts()

        out, _ = import_command(path)

        assert entity_counts() == counts
        assert f"reviews      {len(ALL_REVIEWS)} unchanged" in out
        assert "created" not in out and "updated" not in out

    def test_an_html_page_reviewing_several_claims(self):
        url = "https://www.politifact.com/article/2024/mar/08/fact-checking-state-of-the-union/"
        records = [
            review(POLITIFACT, url=url, claimReviewed=text, reviewRating={"@type": "Rating", "alternateName": label})
            for text, label in [
                ("Says 15 million jobs were created in his first three years in office.", "Mostly True"),
                ("Says inflation is lower in the U.S. than anywhere in the world.", "False"),
            ]
        ]
        page = "".join(f'<script type="application/ld+json">{json_bytes(r).decode()}</script>' for r in records)
        run(Input("sotu.html", page.encode()))
        counts = table_counts()

        summary = run(Input("sotu.html", page.encode()))

        assert table_counts() == counts
        assert Verdict.objects.filter(review_url=url).count() == 2
        assert outcome(summary, "reviews") == {"unchanged": 2}

    def test_a_review_without_a_date_keeps_its_import_time(self):
        record = review(MALDITA, datePublished=None)
        run(json_input("maldita.json", record))
        published = verdict_for(MALDITA["url"]).published_at
        counts = table_counts()

        summary = run(json_input("maldita.json", record))

        assert outcome(summary, "reviews") == {"unchanged": 1}
        assert table_counts() == counts
        assert verdict_for(MALDITA["url"]).published_at == published

    def test_a_rating_value_with_more_decimals_than_the_database_keeps(self):
        # Some feeds publish a normalised score (two thirds of the way from false to true).
        record = review(
            LUPA, reviewRating={"@type": "Rating", "ratingValue": "0.66667", "bestRating": "1", "worstRating": "0"}
        )
        run(json_input("lupa.json", record))
        counts = table_counts()

        summary = run(json_input("lupa.json", record))

        assert outcome(summary, "reviews") == {"unchanged": 1}
        assert table_counts() == counts

    @pytest.mark.parametrize(
        "publisher",
        ["Les Échos", "Gießener Allgemeine", "Österreichischer Rundfunk"],
        ids=["E-acute", "sharp-s", "O-umlaut"],
    )
    def test_publishers_whose_names_change_under_case_folding(self, publisher):
        record = review(CORRECTIV)
        record["itemReviewed"]["appearance"] = {
            "@type": "NewsArticle",
            "url": "https://www.example.org/artikel/1",
            "headline": "Artikel",
            "publisher": {"@type": "Organization", "name": publisher},
        }
        run(json_input("correctiv.json", record))
        counts = table_counts()

        summary = run(json_input("correctiv.json", record))

        assert table_counts() == counts
        assert outcome(summary, "publishers") == {"unchanged": 2}
        assert Publisher.objects.filter(name=publisher).count() == 1


class TestMatchingWhatIsThere:
    def test_existing_publishers_speakers_and_sources_are_reused(self):
        make_publisher(name="politifact")  # the desk typed it in lower case
        make_publisher(name="THE WHITE HOUSE", url="https://www.whitehouse.gov/")
        biden = make_speaker(name="Joe Biden", role="46th President", wikidata_id="Q6279")
        work = POLITIFACT["itemReviewed"]["appearance"]
        source = make_source(title="SOTU transcript", url=work["url"])

        summary = run(json_input("politifact.json", POLITIFACT))

        verdict = verdict_for(POLITIFACT["url"])
        assert Publisher.objects.count() == 2
        assert verdict.reviewed_by.name == "politifact"
        assert verdict.reviewed_by.url == "https://www.politifact.com/"  # filled in: it was blank
        assert verdict.claim.speaker == biden
        biden.refresh_from_db()
        assert biden.role == "46th President"  # the desk's own record is never overwritten
        assert verdict.claim.appearances.get().source == source
        assert outcome(summary, "speakers") == {"unchanged": 1}
        assert outcome(summary, "sources") == {"unchanged": 1}
        assert "created" not in outcome(summary, "publishers")

    def test_a_speaker_the_desk_has_without_a_wikidata_id(self):
        putin = make_speaker(name="Vladimir Putin", role="Russian president")
        record = review(CORRECTIV, claimReviewed="Putin hat gesagt, Deutschland sei kein souveräner Staat.")
        record["itemReviewed"]["author"] = {
            "@type": "Person",
            "name": "Vladimir Putin",
            "sameAs": "https://www.wikidata.org/wiki/Q7747",
        }

        run(json_input("correctiv.json", record))

        assert Speaker.objects.filter(name="Vladimir Putin").count() == 1
        assert verdict_for(CORRECTIV["url"]).claim.speaker == putin
        putin.refresh_from_db()
        assert (putin.role, putin.wikidata_id) == ("Russian president", "Q7747")

    def test_a_fact_checker_that_also_published_an_appearance_keeps_its_url(self):
        # Reuters publishes fact checks (author with its URL) and the news other fact-checkers cite.
        reuters = review(
            POLITIFACT,
            url="https://www.reuters.com/fact-check/biden-jobs-claim-2024-03-09/",
            author={"@type": "Organization", "name": "Reuters", "url": "https://www.reuters.com/fact-check/"},
            reviewRating={"@type": "Rating", "alternateName": "Missing context"},
        )
        cites_reuters = review(LUPA)
        cites_reuters["itemReviewed"]["appearance"] = {
            "@type": "NewsArticle",
            "url": "https://www.reuters.com/world/americas/brazil-deforestation-2024-02-08/",
            "headline": "Brazil Amazon deforestation falls",
            "publisher": {"@type": "Organization", "name": "Reuters"},
        }

        run(json_input("reviews.json", [reuters, cites_reuters]))

        publisher = Publisher.objects.get(name="Reuters")
        assert publisher.url == "https://www.reuters.com/fact-check/"
        assert verdict_for(reuters["url"]).reviewed_by == publisher


class TestUpdatedReview:
    def test_a_changed_rating_and_headline_update_in_place_with_history(self):
        run(json_input("reviews.json", ALL_REVIEWS))
        before = verdict_for(DECODEURS["url"])
        counts = entity_counts()
        updated = review(
            DECODEURS,
            headline="Normes agricoles : la France n’est pas plus sévère que ses voisins",
            reviewRating={"@type": "Rating", "alternateName": "Faux"},
            dateModified="2024-02-03T09:00:00+01:00",
        )

        summary = run(json_input("decodeurs-update.json", [updated]))

        assert entity_counts() == counts
        after = verdict_for(DECODEURS["url"])
        assert (after.pk, after.claim_id) == (before.pk, before.claim_id)
        assert after.headline == updated["headline"]
        assert (after.rating.slug, after.review_rating_label) == ("false", "Faux")
        assert after.first_published_at == before.first_published_at
        assert after.published_at.isoformat() == "2024-02-03T08:00:00+00:00"
        assert outcome(summary, "reviews") == {"updated": 1}
        history = list(after.history.order_by("-history_date", "-history_id"))
        assert len(history) == 2
        assert history[0].history_type == "~"
        assert history[0].history_change_reason.startswith("Imported from")
        assert "decodeurs-update.json" in history[0].history_change_reason
        assert history[0].headline == updated["headline"]
        assert history[1].headline == DECODEURS["headline"]
        # The other reviews were left alone.
        assert Verdict.history.filter(history_type="~").count() == 1

    def test_only_the_headline_changed(self):
        run(json_input("lupa.json", LUPA))
        verdict = verdict_for(LUPA["url"])

        summary = run(json_input("lupa.json", review(LUPA, headline="Desmatamento caiu em janeiro de 2024")))

        verdict.refresh_from_db()
        assert verdict.headline == "Desmatamento caiu em janeiro de 2024"
        assert outcome(summary, "reviews") == {"updated": 1}
        assert outcome(summary, "claims") == {"unchanged": 1}
        assert verdict.history.count() == 2

    def test_a_new_appearance_is_added_to_the_claim(self):
        run(json_input("afp.json", AFP))
        record = review(AFP)
        record["itemReviewed"]["appearance"].append("https://www.tiktok.com/@exemple/video/7300000000000000000")

        summary = run(json_input("afp.json", record))

        assert verdict_for(AFP["url"]).claim.appearances.count() == 3
        assert outcome(summary, "appearances") == {"created": 1, "unchanged": 2}
        assert outcome(summary, "reviews") == {"unchanged": 1}

    def test_a_changed_speaker_updates_the_claim(self):
        run(json_input("maldita.json", MALDITA))
        record = review(MALDITA)
        record["itemReviewed"]["author"] = {"@type": "Person", "name": "Isabel Díaz Ayuso", "jobTitle": "Presidenta"}

        summary = run(json_input("maldita.json", record))

        claim = verdict_for(MALDITA["url"]).claim
        assert claim.speaker.name == "Isabel Díaz Ayuso"
        assert outcome(summary, "claims") == {"updated": 1}
        assert claim.history.first().history_change_reason.startswith("Imported from")

    def test_a_reworded_claim_updates_the_claim_never_a_second_verdict(self):
        run(json_input("fullfact.json", FULL_FACT))
        claim = verdict_for(FULL_FACT["url"]).claim
        reworded = "The NHS waiting list has fallen for four months in a row."

        summary = run(json_input("fullfact.json", review(FULL_FACT, claimReviewed=reworded)))

        [verdict] = Verdict.objects.filter(review_url=FULL_FACT["url"])
        assert verdict.claim_id == claim.pk
        assert verdict.claim.text == reworded
        assert Claim.objects.count() == 1
        assert outcome(summary, "claims") == {"updated": 1}
        # The old wording is in the claim's history.
        assert [h.text for h in claim.history.order_by("history_date")] == [FULL_FACT["claimReviewed"], reworded]

    def test_on_a_page_of_several_reviews_the_reworded_one_is_found_by_its_position(self):
        first = review(FULL_FACT, claimReviewed="Claim one, as first worded.")
        second = review(FULL_FACT, claimReviewed="Claim two.", reviewRating={"alternateName": "False"})
        run(json_input("page.json", [first, second]))
        ids = dict(Verdict.objects.values_list("claim__text", "pk"))

        run(json_input("page.json", [review(first, claimReviewed="Claim one, reworded."), second]))

        assert dict(Verdict.objects.values_list("claim__text", "pk")) == {
            "Claim one, reworded.": ids["Claim one, as first worded."],
            "Claim two.": ids["Claim two."],
        }

    def test_a_page_that_adds_a_review_keeps_the_others(self):
        first = review(FULL_FACT, claimReviewed="Claim one.")
        run(json_input("page.json", [first]))
        second = review(FULL_FACT, claimReviewed="Claim two.", reviewRating={"alternateName": "False"})

        run(json_input("page.json", [first, second]))

        assert sorted(Verdict.objects.values_list("claim__text", flat=True)) == ["Claim one.", "Claim two."]


class TestDuplicatesInOneImport:
    def test_the_last_record_wins_and_the_summary_says_so(self):
        first = review(CHEQUEADO, headline="Primera versión")
        last = review(CHEQUEADO, headline="Versión corregida", reviewRating={"alternateName": "Falso"})

        summary = run(json_input("chequeado.json", [first, MALDITA, last]))

        assert summary.duplicates_merged == 1
        assert summary.imported == 2
        assert any("1 duplicate record(s) merged" in line for line in summary.lines())
        verdict = verdict_for(CHEQUEADO["url"])
        assert (verdict.headline, verdict.rating.slug) == ("Versión corregida", "false")
        assert Verdict.objects.count() == 2

    def test_duplicates_across_files_and_shapes(self, tmp_path):
        write(tmp_path / "a" / "reviews.json", [LUPA, CORRECTIV])
        write(tmp_path / "b" / "feed.json", data_feed(review(LUPA, headline="Atualizado"), CORRECTIV))

        out, _ = import_command(tmp_path)

        assert "2 duplicate record(s) merged" in out
        assert Verdict.objects.count() == 2
        assert verdict_for(LUPA["url"]).headline == "Atualizado"  # folders are read in name order: b after a

    def test_cleaning_makes_duplicates(self):
        noisy = review(AFP, claimReviewed=f"  {AFP['claimReviewed'].replace('’', '&rsquo;')} <br>")

        summary = run(json_input("afp.json", [AFP, noisy]))

        assert summary.duplicates_merged == 1
        assert Claim.objects.count() == 1


class TestMoreThanOneBatch:
    def test_reviews_sharing_speakers_and_sources_across_batches(self):
        # The writer works in batches: what one batch creates, the next one reuses.
        total = importing.BATCH + 5
        columns = ["url", "claimReviewed", "datePublished", "author.name", "author.url", "reviewRating.alternateName"]
        columns += ["itemReviewed.author.name", "itemReviewed.appearance", "inLanguage"]
        rows = [
            {
                "url": f"https://maldita.es/malditobulo/2024/{n:05d}/",
                "claimReviewed": f"Bulo número {n}: el Gobierno prohibirá el pan de masa madre.",
                "datePublished": f"2024-01-{1 + n % 28:02d}T10:00:00+01:00",
                "author.name": "Maldita.es",
                "author.url": "https://maldita.es/",
                "reviewRating.alternateName": ["Falso", "Bulo", "Engañoso"][n % 3],
                "itemReviewed.author.name": f"Cuenta anónima {n % 7}",
                "itemReviewed.appearance": f"https://t.me/canal/{n % 50}",
                "inLanguage": "es",
            }
            for n in range(total)
        ]
        content = csv_bytes(columns, rows)

        first = run(Input("maldita.csv", content))

        assert first.imported == total and not first.errors
        assert Verdict.objects.count() == Claim.objects.count() == total
        assert Speaker.objects.count() == 7
        assert Publisher.objects.count() == 1
        assert Source.objects.count() == 50
        assert first.unmapped_labels == {"Engañoso": len(range(2, total, 3))}
        counts = table_counts()

        second = run(Input("maldita.csv", content))

        assert table_counts() == counts
        assert outcome(second, "reviews") == {"unchanged": total}
