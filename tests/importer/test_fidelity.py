"""Imported fact-checks stay true to their source: ratings, dates, addresses, credit, fields.

Each test feeds what real fact-checkers publish (shapes the older tests never used) and
checks what the desk keeps: never a wrong rating, never a silent loss, a clear refusal
only where the meaning is not clear.
"""

import json
from pathlib import Path

import pytest

from claims.importing import ImportRefused, Input
from claims.models import Appearance, Claim, Rating, Verdict
from claims.ratingmap import DEFAULT_ALIASES, OFF_SCALE, RatingMapper
from tests.importer.helpers import (
    CORRECTIV,
    FULL_FACT,
    MALDITA,
    POLITIFACT,
    command,
    csv_bytes,
    import_command,
    json_input,
    review,
    run,
    verdict_for,
)

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).parent / "examples"


def rated(label=None, value=None, best=None, n=1) -> dict:
    rating = {"@type": "Rating"}
    for key, given in (("alternateName", label), ("ratingValue", value), ("bestRating", best)):
        if given is not None:
            rating[key] = given
    return review(MALDITA, url=f"https://maldita.es/malditobulo/{n}", reviewRating=rating)


def html_page(data, *, head: str = "", lang: str = "") -> bytes:
    html = (
        f"<!doctype html><html{f' lang={lang!r}' if lang else ''}><head>{head}"
        f'<script type="application/ld+json">{json.dumps(data)}</script></head><body></body></html>'
    )
    return html.encode()


class TestLabelsAreAuthoritative:
    def test_an_unknown_label_is_never_placed_by_its_value(self):
        summary = run(json_input("f.json", rated("Altered image of a rally", value=5, best=5)))

        verdict = verdict_for("https://maldita.es/malditobulo/1")
        assert verdict.rating.slug == "unmapped"
        assert (verdict.review_rating_label, verdict.review_rating_value) == ("Altered image of a rally", 5)
        assert summary.unmapped_labels == {"Altered image of a rally": 1}

    @pytest.mark.parametrize(
        ("label", "value"),
        [("Misleading", 3), ("Missing context", 3), ("Altered", 5), ("Satire", 4), ("Engañoso", 2)],
    )
    def test_off_scale_labels_are_kept_and_reported_whatever_the_value(self, label, value):
        summary = run(json_input("f.json", rated(label, value=value)))

        verdict = verdict_for("https://maldita.es/malditobulo/1")
        assert verdict.rating.slug == "unmapped"
        assert verdict.review_rating_value == value
        assert summary.unmapped_labels == {label: 1}

    @pytest.mark.parametrize(
        ("label", "slug"),
        [
            ("Falso", "false"),
            ("Faux", "false"),
            ("Falsch", "false"),
            ("गलत", "false"),
            ("झूठ", "false"),
            ("सच", "true"),
            ("Verdadeiro", "true"),
            ("Plutôt faux", "mostly-false"),
            ("Größtenteils falsch", "mostly-false"),
            ("In gran parte vero", "mostly-true"),
            ("Não comprovado", "unverifiable"),
            ("Unproven", "unverifiable"),
            ("अप्रमाणित", "unverifiable"),
        ],
    )
    def test_built_in_labels_in_seven_languages(self, label, slug):
        run(json_input("f.json", rated(label)))

        assert verdict_for("https://maldita.es/malditobulo/1").rating.slug == slug

    def test_no_label_meaning_false_misleading_altered_or_missing_context_is_above_half_true(self):
        mapper = RatingMapper.from_settings()
        half_true = Rating.objects.get(slug="half-true").value
        labels = [label for labels in OFF_SCALE.values() for label in labels] + DEFAULT_ALIASES["false"]
        labels += DEFAULT_ALIASES["mostly-false"]
        for label in labels:
            for value in (None, 1, 3, 5):
                rating = mapper.map(label, None if value is None else value, None, None).rating
                assert rating.value is None or rating.value < half_true, (label, value, rating.slug)

    def test_off_scale_and_on_scale_tables_never_share_a_label(self):
        from claims.ratingmap import normalise_label

        on_scale = {normalise_label(label) for labels in DEFAULT_ALIASES.values() for label in labels}
        off_scale = {normalise_label(label) for labels in OFF_SCALE.values() for label in labels}
        assert not on_scale & off_scale

    def test_a_value_disagreeing_with_a_known_label_is_reported_and_the_label_wins(self):
        summary = run(json_input("f.json", rated("False", value=5, best=5)))

        assert verdict_for("https://maldita.es/malditobulo/1").rating.slug == "false"
        assert summary.disagreeing_values == {"False (ratingValue 5)": 1}
        assert any("ratingValue disagrees with their label" in line for line in summary.lines())

    def test_a_review_without_a_label_is_placed_by_its_value(self):
        run(json_input("f.json", rated(value=1)))

        assert verdict_for("https://maldita.es/malditobulo/1").rating.slug == "false"

    def test_the_report_lists_every_unmapped_label(self):
        records = [rated(f"Label number {n}", n=n) for n in range(30)]
        text = "\n".join(run(json_input("f.json", records)).lines())

        for n in range(30):
            assert f"1 x Label number {n}" in text

    def test_the_desks_aliases_extend_the_table(self, settings):
        settings.FACTCHECK_RATING_ALIASES = {"Misleading": "mostly-false"}
        summary = run(json_input("f.json", rated("Misleading")))

        assert verdict_for("https://maldita.es/malditobulo/1").rating.slug == "mostly-false"
        assert not summary.unmapped_labels


class TestDates:
    @pytest.mark.parametrize(
        ("given", "day"),
        [
            ("2021-7-16", "2021-07-16"),
            ("2021-7-6T9:05:00+02:00", "2021-07-06"),
            ("July 16, 2021", "2021-07-16"),
            ("16 July 2021", "2021-07-16"),
            ("Fri, Jul. 16 2021", "2021-07-16"),
            ("16/07/2021", "2021-07-16"),  # 16 is no month: the order is certain
            ("16.07.2021", "2021-07-16"),
        ],
    )
    def test_dates_whose_meaning_is_clear(self, given, day):
        summary = run(json_input("f.json", review(MALDITA, datePublished=given)))

        assert not summary.errors
        verdict = verdict_for(MALDITA["url"])
        assert verdict.first_published_at.astimezone(verdict.first_published_at.tzinfo).date().isoformat() == day

    def test_an_ambiguous_numeric_date_is_refused_naming_the_record(self):
        with pytest.raises(ImportRefused) as refused:
            run(json_input("f.json", [FULL_FACT, review(MALDITA, datePublished="03/04/2021")]))

        [(where, message)] = refused.value.summary.errors
        assert where == "f.json item 2"
        assert "03/04/2021" in message and "ambiguous" in message and "--day-first" in message
        assert not Verdict.objects.exists()

    @pytest.mark.parametrize(("flag", "day"), [("--day-first", "2021-04-03"), ("--month-first", "2021-03-04")])
    def test_the_command_says_which_comes_first(self, tmp_path, flag, day):
        path = tmp_path / "f.json"
        path.write_text(json.dumps(review(MALDITA, datePublished="03/04/2021")))

        import_command(str(path), flag)

        assert verdict_for(MALDITA["url"]).first_published_at.date().isoformat() == day

    @pytest.mark.parametrize("wording", ["2021", "July 2021", "febrero de 2024", "mid-July"])
    def test_a_claim_date_that_is_not_a_full_date_is_kept_as_worded(self, wording):
        record = review(MALDITA, itemReviewed={"@type": "Claim", "datePublished": wording})
        summary = run(json_input("f.json", record))

        assert not summary.errors
        claim = verdict_for(MALDITA["url"]).claim
        assert (claim.made_on, claim.made_on_text) == (None, wording)


class TestRelativeAddresses:
    def test_a_page_resolves_its_relative_addresses(self):
        data = review(
            POLITIFACT,
            url="/factchecks/2024/mar/08/jobs/",
            author={"@type": "Organization", "name": "PolitiFact", "url": "/"},
            itemReviewed={"@type": "Claim", "appearance": "/video/sotu-2024"},
        )
        head = '<link rel="canonical" href="https://www.politifact.com/factchecks/2024/mar/08/jobs/">'
        summary = run(Input("page.html", html_page(data, head=head)))

        assert not summary.errors
        verdict = verdict_for("https://www.politifact.com/factchecks/2024/mar/08/jobs/")
        assert verdict.review_author_url == "https://www.politifact.com/"
        assert Appearance.objects.get().source.url == "https://www.politifact.com/video/sotu-2024"

    def test_relative_addresses_in_a_review_resolve_against_its_url(self):
        data = review(CORRECTIV, author={"@type": "Organization", "name": "CORRECTIV", "url": "/faktencheck/"})
        run(json_input("f.json", data))

        assert verdict_for(CORRECTIV["url"]).review_author_url == "https://correctiv.org/faktencheck/"

    def test_a_relative_review_url_without_a_page_address_is_refused(self):
        with pytest.raises(ImportRefused) as refused:
            run(json_input("f.json", review(MALDITA, url="/malditobulo/x")))

        [(where, message)] = refused.value.summary.errors
        assert where == "f.json" and "relative" in message


class TestCredit:
    def test_the_organisation_is_credited_and_the_journalist_is_the_byline(self):
        data = review(
            FULL_FACT,
            author={"@type": "Person", "name": "Jane Doe", "url": "/author/jane-doe"},
            publisher={"@type": "Organization", "name": "Full Fact", "url": "https://fullfact.org/"},
        )
        run(json_input("f.json", data))

        verdict = verdict_for(FULL_FACT["url"])
        assert verdict.reviewed_by.name == "Full Fact"
        assert verdict.review_byline == "Jane Doe"

    def test_a_publisher_without_an_author_is_credited(self):
        run(json_input("f.json", review(FULL_FACT, author=None, publisher={"name": "Full Fact"})))

        assert verdict_for(FULL_FACT["url"]).reviewed_by.name == "Full Fact"

    def test_a_person_alone_names_no_organisation_and_is_refused(self):
        with pytest.raises(ImportRefused) as refused:
            run(json_input("f.json", review(FULL_FACT, author={"@type": "Person", "name": "Jane Doe"})))

        [(_, message)] = refused.value.summary.errors
        assert "Person" in message and "--publisher-name" in message

    def test_a_publisher_given_by_its_site_is_named_after_it(self):
        data = {
            "claims": [
                {
                    "text": "A claim.",
                    "claimReview": [
                        {"publisher": {"site": "www.checkers.example"}, "url": "https://checkers.example/1"}
                        | {"textualRating": "False"}
                    ],
                }
            ]
        }
        run(json_input("fct.json", data))

        verdict = verdict_for("https://checkers.example/1")
        assert verdict.reviewed_by.name == "checkers.example"
        assert verdict.review_author_url == "https://www.checkers.example/"

    def test_author_urls_are_kept_per_review(self, tmp_path):
        first = review(FULL_FACT, author={"@type": "Organization", "name": "Full Fact", "url": "https://fullfact.org/"})
        second = review(
            FULL_FACT,
            url="https://fullfact.org/health/other/",
            author={"@type": "Organization", "name": "Full Fact", "url": "https://fullfact.org/health/"},
        )
        run(json_input("f.json", [first, second]))

        assert verdict_for(first["url"]).review_author_url == "https://fullfact.org/"
        assert verdict_for(second["url"]).review_author_url == "https://fullfact.org/health/"
        out, _ = command("export_claimreview")
        authors = {item["item"][0]["url"]: item["item"][0]["author"] for item in json.loads(out)["dataFeedElement"]}
        assert authors[second["url"]]["url"] == "https://fullfact.org/health/"
        assert authors[first["url"]]["url"] == "https://fullfact.org/"


class TestEveryFieldKept:
    def test_title_and_subtitle(self):
        data = review(FULL_FACT, headline=None, title="The title", subtitle="The subtitle, as the summary.")
        run(json_input("f.json", data))

        verdict = verdict_for(FULL_FACT["url"])
        assert (verdict.headline, verdict.explanation) == ("The title", "The subtitle, as the summary.")

    def test_where_the_claim_was_made(self):
        run(json_input("f.json", review(MALDITA, itemReviewed={"@type": "Claim", "name": "Russian state TV"})))

        assert verdict_for(MALDITA["url"]).claim.made_in == "Russian state TV"

    def test_a_reviewed_creative_work_is_an_appearance(self):
        item = {"@type": "VideoObject", "url": "https://video.example/clip", "name": "The clip"}
        run(json_input("f.json", review(MALDITA, itemReviewed=item)))

        source = Appearance.objects.get(claim=verdict_for(MALDITA["url"]).claim).source
        assert (source.url, source.title, source.kind) == ("https://video.example/clip", "The clip", "broadcast")

    def test_the_language_from_the_record_the_page_or_the_import(self):
        record = review(FULL_FACT, inLanguage=None)
        run(Input("page.html", html_page(record, lang="en-GB")))
        assert verdict_for(FULL_FACT["url"]).claim.language == "en-GB"

        run(json_input("f.json", review(MALDITA, inLanguage=None)), language="es")
        assert verdict_for(MALDITA["url"]).claim.language == "es"

    def test_lists_where_the_desk_keeps_one_are_reported(self):
        data = review(
            MALDITA,
            claimReviewed=["First wording.", "Second wording."],
            itemReviewed={"@type": "Claim", "author": ["Speaker One", "Speaker Two"]},
            author=[{"@type": "Organization", "name": "Maldita.es"}, {"@type": "Organization", "name": "Partner"}],
        )
        summary = run(json_input("f.json", data))

        verdict = verdict_for(MALDITA["url"])
        assert (verdict.claim.text, verdict.claim.speaker.name) == ("First wording.", "Speaker One")
        notes = " ".join(message for _, message in summary.notes)
        assert "Second wording." in notes and "Speaker Two" in notes and "Partner" in notes

    def test_appearances_are_kept_whole(self):
        urls = [f"https://social.example/p/{n}" for n in range(4)]
        run(json_input("f.json", review(MALDITA, itemReviewed={"@type": "Claim", "appearance": urls})))

        assert set(Appearance.objects.values_list("source__url", flat=True)) == set(urls)


class TestShapes:
    @pytest.mark.parametrize("key", ["data", "items", "results", "claims"])
    def test_reviews_wrapped_under_a_common_key(self, key):
        summary = run(json_input("f.json", {key: [FULL_FACT, MALDITA], "total": 2}))

        assert summary.imported == 2

    def test_claimskg_columns(self):
        columns = ["claimReview_url", "claimReview_claimReviewed", "rating_alternateName", "creativeWork_author_name"]
        columns += ["claimReview_author_name", "extra_tags"]
        row = dict(zip(columns, ["https://c.example/1", "A claim.", "False", "A speaker", "Checker", "x"], strict=True))
        summary = run(Input("claimskg.csv", csv_bytes(columns, [row])))

        verdict = verdict_for("https://c.example/1")
        assert (verdict.claim.text, verdict.rating.slug, verdict.claim.speaker.name) == (
            "A claim.",
            "false",
            "A speaker",
        )
        assert summary.unread_keys == {"column extra_tags": 1}
        assert "1 x column extra_tags" in "\n".join(summary.lines())

    @pytest.mark.parametrize("separator", [";", "\t"])
    def test_semicolon_and_tab_separated(self, separator):
        text = separator.join(["url", "claimReviewed", "author.name", "reviewRating.alternateName"]) + "\n"
        text += separator.join(["https://c.example/1", "A claim, with a comma.", "Checker", "Falso"]) + "\n"
        run(Input("f.csv", text.encode()))

        assert verdict_for("https://c.example/1").claim.text == "A claim, with a comma."

    def test_author_and_author_name_columns_agreeing_and_disagreeing(self):
        columns = ["url", "claimReviewed", "author", "author.name", "reviewRating.alternateName"]
        rows = [
            dict(zip(columns, ["https://c.example/1", "A.", "Checker", "Checker", "False"], strict=True)),
            dict(zip(columns, ["https://c.example/2", "B.", "Checker", "Other", "False"], strict=True)),
        ]
        summary = run(Input("f.csv", csv_bytes(columns, rows)), skip_invalid=True)

        assert verdict_for("https://c.example/1").reviewed_by.name == "Checker"
        [(where, message)] = summary.errors
        assert where == "f.csv line 3" and "author.name" in message

    def test_unknown_keys_are_named(self):
        summary = run(json_input("f.json", review(MALDITA, keywords=["a"], itemReviewed={"@type": "Claim", "x": 1})))

        assert summary.unread_keys == {"keywords": 1, "itemReviewed.x": 1}

    def test_each_review_of_a_fact_check_tools_claim_with_its_fact_checker(self):
        data = json.loads((EXAMPLES / "factchecktools.json").read_bytes())
        run(json_input("fct.json", data))

        texts = set(Verdict.objects.values_list("claim__text", flat=True))
        assert texts == {"Drinking hot water cures the flu."}
        assert set(Verdict.objects.values_list("reviewed_by__name", flat=True)) == {
            "Example Checkers",
            "verdade.example",
        }

    def test_every_example_file_imports_cleanly(self):
        inputs = Input.from_paths([EXAMPLES])
        assert {Path(item.name).suffix for item in inputs} == {".json", ".jsonld", ".html", ".csv"}

        summary = run(*inputs)

        assert not summary.errors
        assert summary.imported == Verdict.objects.count() == 13
        assert Claim.objects.filter(made_on_text="2023").exists()


class TestExport:
    def test_the_offset_author_and_rating_survive_export(self, tmp_path):
        data = review(
            FULL_FACT,
            datePublished="2024-06-16T02:15:00+05:30",
            author=[
                {"@type": "Organization", "name": "Full Fact", "url": "https://fullfact.org/"},
                {"@type": "Person", "name": "Jane Doe"},
            ],
        )
        run(json_input("f.json", data))
        out, _ = command("export_claimreview")
        [element] = json.loads(out)["dataFeedElement"]
        exported = element["item"][0]

        assert exported["datePublished"] == "2024-06-16T02:15:00+05:30"
        assert exported["author"] == [
            {"@type": "Organization", "name": "Full Fact", "url": "https://fullfact.org/"},
            {"@type": "Person", "name": "Jane Doe"},
        ]
        assert exported["reviewRating"]["alternateName"] == FULL_FACT["reviewRating"]["alternateName"]

        summary = run(Input("export.json", out.encode()))
        assert summary.counts["reviews"] == {"unchanged": 1}
