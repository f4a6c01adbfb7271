"""What real ClaimReview markup looks like, accepted and cleaned."""

# Real fact-checks are typeset: typographic apostrophes and dashes are part of the data.
# ruff: noqa: RUF001

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from claims.models import Claim, Speaker, Verdict
from sources.choices import SourceKind
from sources.models import Source
from tests.importer.helpers import (
    AFP,
    CORRECTIV,
    DECODEURS,
    FULL_FACT,
    LUPA,
    MALDITA,
    POLITIFACT,
    data_feed,
    json_input,
    review,
    run,
    verdict_for,
)

pytestmark = pytest.mark.django_db


def with_item(base: dict, **item_changes) -> dict:
    record = review(base)
    for key, value in item_changes.items():
        if value is None:
            record["itemReviewed"].pop(key, None)
        else:
            record["itemReviewed"][key] = value
    return record


def import_one(record: dict, name: str = "review.json") -> Verdict:
    summary = run(json_input(name, record))
    assert not summary.errors, summary.errors
    return verdict_for(record["url"])


def appearance_sources(verdict: Verdict) -> list[Source]:
    return [a.source for a in verdict.claim.appearances.select_related("source__publisher").order_by("id")]


class TestAppearances:
    def test_a_bare_url(self):
        verdict = import_one(with_item(LUPA, appearance="https://www.instagram.com/p/C4AbCdEfGhI/"))

        [source] = appearance_sources(verdict)
        assert source.url == "https://www.instagram.com/p/C4AbCdEfGhI/"
        assert source.title  # a source always has a title; the address stands in for it
        assert verdict.claim.appearances.get().quote == ""

    def test_a_creative_work_with_its_headline_date_and_publisher(self):
        verdict = import_one(POLITIFACT)

        [source] = appearance_sources(verdict)
        work = POLITIFACT["itemReviewed"]["appearance"]
        assert (source.url, source.title, source.published_on) == (work["url"], work["headline"], date(2024, 3, 7))
        assert source.publisher.name == "The White House"

    def test_a_creative_work_named_rather_than_headlined(self):
        verdict = import_one(DECODEURS)

        [source] = appearance_sources(verdict)
        assert source.title == "L’invité de 8h30 : Jordan Bardella"
        assert source.publisher.name == "franceinfo"
        assert source.kind == SourceKind.BROADCAST  # a VideoObject

    def test_a_list_mixing_urls_and_creative_works(self):
        appearances = [
            "https://www.facebook.com/groups/123/posts/456/",
            {
                "@type": "SocialMediaPosting",
                "url": "https://x.com/someone/status/1758000000000000000",
                "headline": "Post on X",
                "datePublished": "2024-02-15T08:00:00Z",
            },
            {"@type": "CreativeWork", "headline": "Journal télévisé de 20 heures", "publisher": "TF1"},
        ]
        verdict = import_one(with_item(AFP, appearance=appearances, firstAppearance=None))

        sources = appearance_sources(verdict)
        assert [s.url for s in sources] == ["https://www.facebook.com/groups/123/posts/456/", appearances[1]["url"], ""]
        assert sources[1].kind == SourceKind.SOCIAL_POST
        assert sources[1].published_on == date(2024, 2, 15)
        assert (sources[2].title, sources[2].publisher.name) == ("Journal télévisé de 20 heures", "TF1")

    def test_the_first_appearance_is_added_to_the_appearances(self):
        record = with_item(
            CORRECTIV,
            firstAppearance={
                "@type": "SocialMediaPosting",
                "url": "https://t.me/politikstube/9876",
                "datePublished": "2024-01-19",
            },
        )
        verdict = import_one(record)

        assert {s.url for s in appearance_sources(verdict)} == {
            CORRECTIV["itemReviewed"]["appearance"]["url"],
            "https://t.me/politikstube/9876",
        }

    def test_a_first_appearance_as_a_bare_url_without_other_appearances(self):
        verdict = import_one(with_item(MALDITA, appearance=None, firstAppearance="https://t.me/canal/123"))

        assert [s.url for s in appearance_sources(verdict)] == ["https://t.me/canal/123"]

    def test_a_first_appearance_that_is_also_listed_is_one_appearance(self):
        # AFP's record lists its first appearance among the appearances too.
        verdict = import_one(AFP)

        assert len(appearance_sources(verdict)) == 2
        assert Source.objects.count() == 2

    def test_no_appearance_at_all(self):
        verdict = import_one(with_item(MALDITA, appearance=None))

        assert verdict.claim.appearances.count() == 0


class TestSpeakers:
    def test_a_person_with_job_title_affiliation_and_wikidata(self):
        verdict = import_one(POLITIFACT)

        speaker = verdict.claim.speaker
        assert (speaker.name, speaker.kind, speaker.role, speaker.wikidata_id) == (
            "Joe Biden",
            "person",
            "President of the United States",
            "Q6279",
        )

    def test_an_affiliation_given_as_an_organization(self):
        verdict = import_one(review(CORRECTIV) | {"itemReviewed": CHEQUEADO_ITEM})

        speaker = verdict.claim.speaker
        assert (speaker.name, speaker.role, speaker.affiliation) == (
            "Javier Milei",
            "Presidente de la Nación",
            "La Libertad Avanza",
        )
        assert speaker.wikidata_id == "Q5718458"

    def test_an_affiliation_given_as_text(self):
        speaker = import_one(DECODEURS).claim.speaker

        assert (speaker.role, speaker.affiliation) == ("Président du Rassemblement national", "Rassemblement national")

    @pytest.mark.parametrize(
        "same_as",
        [
            "http://www.wikidata.org/entity/Q567",
            "https://www.wikidata.org/wiki/Q567",
            ["https://de.wikipedia.org/wiki/Angela_Merkel", "https://wikidata.org/wiki/Q567"],
        ],
    )
    def test_wikidata_in_same_as(self, same_as):
        author = {"@type": "Person", "name": "Angela Merkel", "jobTitle": "Bundeskanzlerin a. D.", "sameAs": same_as}
        speaker = import_one(with_item(CORRECTIV, author=author)).claim.speaker

        assert speaker.wikidata_id == "Q567"

    def test_same_as_without_wikidata_gives_no_wikidata_id(self):
        author = {"@type": "Person", "name": "Olaf Scholz", "sameAs": "https://de.wikipedia.org/wiki/Olaf_Scholz"}
        speaker = import_one(with_item(CORRECTIV, author=author)).claim.speaker

        assert (speaker.name, speaker.wikidata_id) == ("Olaf Scholz", "")

    @pytest.mark.parametrize("kind", ["Organization", "GovernmentOrganization", "NewsMediaOrganization"])
    def test_an_organisation(self, kind):
        author = {"@type": kind, "name": "Ministerio de Sanidad"}
        speaker = import_one(with_item(MALDITA, author=author)).claim.speaker

        assert (speaker.name, speaker.kind) == ("Ministerio de Sanidad", "organisation")

    def test_a_speaker_given_as_a_bare_name(self):
        speaker = import_one(with_item(LUPA, author="Jair Bolsonaro")).claim.speaker

        assert (speaker.name, speaker.kind) == ("Jair Bolsonaro", "person")

    def test_the_same_speaker_in_several_reviews_is_one_speaker(self):
        second = review(
            DECODEURS,
            url="https://www.lemonde.fr/les-decodeurs/article/2024/03/01/bardella-immigration_6219000_4355770.html",
            claimReviewed="L’immigration coûte 40 milliards d’euros par an à la France.",
        )
        run(json_input("decodeurs.json", [DECODEURS, second]))

        assert Speaker.objects.filter(name="Jordan Bardella").count() == 1
        assert Claim.objects.filter(speaker__name="Jordan Bardella").count() == 2


CHEQUEADO_ITEM = {
    "@type": "Claim",
    "author": {
        "@type": "Person",
        "name": "Javier Milei",
        "jobTitle": "Presidente de la Nación",
        "affiliation": {"@type": "Organization", "name": "La Libertad Avanza"},
        "sameAs": "https://www.wikidata.org/wiki/Q5718458",
    },
}


class TestRatingsAsPublished:
    def test_only_an_alternate_name_with_a_free_text_verdict(self):
        verdict = import_one(FULL_FACT)

        assert verdict.review_rating_label == FULL_FACT["reviewRating"]["alternateName"]
        assert verdict.review_rating_value is None
        assert verdict.rating.slug == "unmapped"

    @pytest.mark.parametrize(
        "rating",
        [
            {"ratingValue": 2, "bestRating": 5, "worstRating": 1},
            {"ratingValue": "2", "bestRating": "5", "worstRating": "1"},
            {"ratingValue": " 2.0 ", "bestRating": "5.0", "worstRating": "1.0"},
        ],
        ids=["numbers", "strings", "decimal-strings"],
    )
    def test_numeric_ratings_as_numbers_or_strings(self, rating):
        verdict = import_one(review(LUPA, reviewRating={"@type": "Rating", **rating}))

        assert verdict.rating.slug == "mostly-false"
        assert (verdict.review_rating_value, verdict.review_best_rating, verdict.review_worst_rating) == (2, 5, 1)
        assert verdict.review_rating_label == ""

    def test_a_rating_given_as_bare_text(self):
        verdict = import_one(review(MALDITA, reviewRating="Bulo"))

        assert (verdict.rating.slug, verdict.review_rating_label) == ("false", "Bulo")


class TestContextsAndOptionalFields:
    @pytest.mark.parametrize("context", ["http://schema.org", "https://schema.org", "https://schema.org/"])
    def test_both_schema_org_contexts(self, context):
        verdict = import_one(review(AFP, **{"@context": context}))

        assert verdict.rating.slug == "false"
        assert verdict.claim.text == AFP["claimReviewed"]

    def test_full_iri_types(self):
        record = review(MALDITA, **{"@type": "http://schema.org/ClaimReview", "@context": None})
        verdict = import_one(record)

        assert verdict.rating.slug == "false"

    def test_only_the_required_fields(self):
        record = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": "https://maldita.es/malditobulo/20240301/minimo/",
            "claimReviewed": "El agua del grifo de Madrid lleva flúor añadido.",
            "author": {"@type": "Organization", "name": "Maldita.es"},
            "reviewRating": {"@type": "Rating", "alternateName": "Falso"},
        }
        before = timezone.now()
        verdict = import_one(record)

        assert verdict.status == "published"
        assert (verdict.headline, verdict.explanation) == ("", "")
        assert verdict.claim.speaker is None
        assert verdict.claim.made_on is None
        assert verdict.claim.appearances.count() == 0
        # No datePublished: published now, and known to be the import's time rather than the review's.
        assert verdict.date_published_known is False
        assert before - timedelta(seconds=1) <= verdict.published_at <= timezone.now() + timedelta(seconds=1)

    def test_a_dated_review_knows_its_date(self):
        verdict = import_one(LUPA)

        assert verdict.date_published_known is True
        assert verdict.published_at == verdict.first_published_at == datetime(2024, 3, 4, tzinfo=UTC)

    def test_the_language_from_in_language(self):
        assert import_one(LUPA).claim.language == "pt-BR"
        assert import_one(CORRECTIV).claim.language == "de"


class TestTextCleaning:
    def test_html_entities_are_decoded(self):
        record = review(
            AFP,
            claimReviewed="Emmanuel Macron a d&eacute;clar&eacute; &laquo;&nbsp;la France est en guerre&nbsp;&raquo;.",
            headline="Non, Macron n&#8217;a pas dit cela &amp; voici pourquoi",
        )
        verdict = import_one(record)

        # &nbsp; may stay a non-breaking space (French typography); what matters is the words.
        assert " ".join(verdict.claim.text.split()) == "Emmanuel Macron a déclaré « la France est en guerre »."
        assert verdict.headline == "Non, Macron n’a pas dit cela & voici pourquoi"

    def test_runs_of_spaces_are_collapsed_whatever_the_space_characters(self):
        # A regular space next to an encoded non-breaking space is still a run of spaces.
        record = review(
            CORRECTIV,
            claimReviewed="Die Grünen wollen eine Fleischsteuer von 50 &nbsp;Prozent einführen.",
            headline="Falsch:\xa0 Grüne fordern keine Fleischsteuer",
        )
        verdict = import_one(record)

        assert verdict.claim.text == " ".join(verdict.claim.text.split())
        assert verdict.headline == " ".join(verdict.headline.split())
        assert " ".join(verdict.claim.text.split()) == "Die Grünen wollen eine Fleischsteuer von 50 Prozent einführen."

    def test_stray_markup_and_spacing_are_removed(self):
        record = review(
            CORRECTIV,
            claimReviewed="  Die <em>Grünen</em> wollen eine\n Fleischsteuer   von 50&nbsp;Prozent einführen.<br/>",
            headline="<strong>Falsch:</strong> Grüne fordern keine Fleischsteuer",
            reviewBody="<p>Die Behauptung ist <a href='https://correctiv.org/'>falsch</a>.</p>",
        )
        verdict = import_one(record)

        assert verdict.claim.text == "Die Grünen wollen eine Fleischsteuer von 50 Prozent einführen."
        assert verdict.headline == "Falsch: Grüne fordern keine Fleischsteuer"
        assert verdict.explanation == "Die Behauptung ist falsch ."
        assert "<" not in verdict.explanation

    def test_double_encoded_entities(self):
        verdict = import_one(review(MALDITA, headline="No, la DGT no multar&amp;aacute; a nadie"))

        assert verdict.headline == "No, la DGT no multará a nadie"

    def test_limits_apply_to_the_cleaned_text(self):
        # 300 characters of headline once the markup around it is gone.
        headline = "N" * 300
        verdict = import_one(review(AFP, headline=f"<h1 class='article-title'><strong>{headline}</strong></h1>"))

        assert verdict.headline == headline

    def test_comparison_signs_are_text_not_markup(self):
        # "<" followed by a space or a digit is not a tag: the claim must keep its words.
        text = "Unemployment is < 4% and more than > 2 million jobs were created."
        verdict = import_one(review(FULL_FACT, claimReviewed=text))

        assert verdict.claim.text == text


class TestDates:
    @pytest.mark.parametrize(
        ("published", "expected"),
        [
            ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
            ("2024-03-05T10:30:00", datetime(2024, 3, 5, 10, 30, tzinfo=UTC)),  # naive: UTC
            ("2024-03-05 10:30", datetime(2024, 3, 5, 10, 30, tzinfo=UTC)),
            ("2024-03-05T10:30:00Z", datetime(2024, 3, 5, 10, 30, tzinfo=UTC)),
            ("2024-03-05T10:30:00.000Z", datetime(2024, 3, 5, 10, 30, tzinfo=UTC)),
            ("2024-03-05T10:30:00+01:00", datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
            ("2024-03-05T10:30:00-03:00", datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        ],
    )
    def test_review_dates_with_or_without_time_and_zone(self, published, expected):
        verdict = import_one(review(CORRECTIV, datePublished=published))

        assert verdict.published_at == expected
        assert verdict.first_published_at == expected
        assert verdict.date_published_known is True

    @pytest.mark.parametrize("made", ["2024-01-20", "2024-01-20T23:15:00", "2024-01-20T23:15:00+01:00"])
    def test_claim_dates_keep_the_day(self, made):
        verdict = import_one(with_item(CORRECTIV, datePublished=made))

        assert verdict.claim.made_on == date(2024, 1, 20)

    def test_a_feed_items_date_created_gives_the_time_of_day(self):
        record = review(MALDITA, datePublished="2024-02-12")
        feed = data_feed(record)
        feed["dataFeedElement"][0]["dateCreated"] = "2024-02-12T09:31:00+01:00"

        run(json_input("feed.json", feed))

        assert verdict_for(MALDITA["url"]).published_at == datetime(2024, 2, 12, 8, 31, tzinfo=UTC)

    def test_a_feed_items_date_created_on_another_day_is_not_the_publication(self):
        record = review(MALDITA, datePublished="2024-02-12")
        feed = data_feed(record)
        feed["dataFeedElement"][0]["dateCreated"] = "2024-03-01T09:31:00+01:00"

        run(json_input("feed.json", feed))

        assert verdict_for(MALDITA["url"]).published_at == datetime(2024, 2, 12, tzinfo=UTC)

    def test_date_modified_is_the_publication_of_the_current_version(self):
        record = review(LUPA, datePublished="2024-03-04T12:00:00Z", dateModified="2024-03-06T08:00:00Z")
        verdict = import_one(record)

        assert verdict.first_published_at == datetime(2024, 3, 4, 12, tzinfo=UTC)
        assert verdict.published_at == datetime(2024, 3, 6, 8, tzinfo=UTC)
