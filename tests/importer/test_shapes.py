"""Every input shape: JSON-LD object, list, @graph, DataFeed, Fact Check Tools, HTML pages, CSV, folders."""

# Real fact-checks are typeset: typographic apostrophes and dashes are part of the data.
# ruff: noqa: RUF001

import copy
import html
import json

import pytest

from claims.choices import VerdictStatus
from claims.importing import ImportRefused, Input
from claims.models import Appearance, Claim, Speaker, Verdict
from sources.models import Publisher, Source
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
    import_command,
    json_bytes,
    json_input,
    review,
    run,
    verdict_for,
    without_context,
    write,
)

pytestmark = pytest.mark.django_db

EXPECTED_RATINGS = {
    POLITIFACT["url"]: "mostly-true",
    FULL_FACT["url"]: "unmapped",
    AFP["url"]: "false",
    MALDITA["url"]: "false",
    CHEQUEADO["url"]: "half-true",
    CORRECTIV["url"]: "false",
    DECODEURS["url"]: "mostly-false",
    LUPA["url"]: "false",
}


FACT_CHECK_TOOLS = {
    "claims": [
        {
            "text": "Vaccines contain microchips to track people.",
            "claimant": "Social media users",
            "claimDate": "2021-05-02T00:00:00Z",
            "claimReview": [
                {
                    "publisher": {"name": "Full Fact"},
                    "url": "https://fullfact.org/online/vaccine-microchip/",
                    "title": "Covid-19 vaccines do not contain microchips",
                    "reviewDate": "2021-05-04T10:12:00Z",
                    "textualRating": "False",
                    "languageCode": "en",
                },
                {
                    "publisher": {"name": "Maldita.es"},
                    "url": "https://maldita.es/malditobulo/20210505/vacunas-microchip/",
                    "title": "No, las vacunas no llevan microchips",
                    "reviewDate": "2021-05-05T08:00:00Z",
                    "textualRating": "Falso",
                    "languageCode": "es",
                },
            ],
        },
        {
            "text": "Le pass sanitaire sera exigé dans les supermarchés dès lundi.",
            "claimReview": [
                {
                    "publisher": {"name": "AFP Factuel"},
                    "url": "https://factuel.afp.com/pass-sanitaire-supermarches",
                    "title": "Le pass sanitaire n’est pas exigé dans les supermarchés",
                    "reviewDate": "2021-07-20T12:00:00Z",
                    "textualRating": "Trompeur",
                    "languageCode": "fr",
                }
            ],
        },
    ],
    "nextPageToken": "CAo",
}


def imported_ratings() -> dict[str, str]:
    return dict(Verdict.objects.values_list("review_url", "rating__slug"))


class TestJsonLd:
    def test_a_single_claim_review_object(self):
        summary = run(json_input("politifact.json", POLITIFACT))

        assert summary.records == 1 and summary.imported == 1 and not summary.errors
        verdict = verdict_for(POLITIFACT["url"])
        assert verdict.status == VerdictStatus.PUBLISHED
        assert verdict.claim.text == POLITIFACT["claimReviewed"]
        assert verdict.headline == POLITIFACT["headline"]
        assert verdict.rating.slug == "mostly-true"
        assert verdict.review_rating_label == "Mostly True"
        assert (verdict.review_rating_value, verdict.review_best_rating, verdict.review_worst_rating) == (4, 6, 1)
        assert (verdict.reviewed_by.name, verdict.reviewed_by.url) == ("PolitiFact", "https://www.politifact.com/")
        assert verdict.claim.speaker.name == "Joe Biden"
        assert verdict.claim.made_on.isoformat() == "2024-03-07"
        source = verdict.claim.appearances.get().source
        assert source.url == POLITIFACT["itemReviewed"]["appearance"]["url"]
        assert source.publisher.name == "The White House"

    def test_a_list_of_reviews_in_a_jsonld_file(self):
        summary = run(Input("reviews.jsonld", json_bytes(ALL_REVIEWS)))

        assert summary.records == len(ALL_REVIEWS) and summary.imported == len(ALL_REVIEWS)
        assert imported_ratings() == EXPECTED_RATINGS
        assert Claim.objects.count() == len(ALL_REVIEWS)
        assert set(Publisher.objects.filter(reviews__isnull=False).values_list("name", flat=True)) == {
            "PolitiFact",
            "Full Fact",
            "AFP Factuel",
            "Maldita.es",
            "Chequeado",
            "CORRECTIV.Faktencheck",
            "Les Décodeurs",
            "Agência Lupa",
        }

    def test_a_file_with_a_byte_order_mark(self):
        summary = run(Input("correctiv.json", b"\xef\xbb\xbf" + json_bytes(CORRECTIV)))

        assert summary.imported == 1 and not summary.errors
        assert verdict_for(CORRECTIV["url"]).claim.text == CORRECTIV["claimReviewed"]

    def test_a_graph_mixed_with_other_types_imports_only_the_reviews(self):
        page = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebPage", "@id": FULL_FACT["url"], "url": FULL_FACT["url"], "name": "Full Fact"},
                {
                    "@type": "Organization",
                    "@id": "https://fullfact.org/#organization",
                    "name": "Full Fact Charity",
                    "url": "https://fullfact.org/",
                },
                {
                    "@type": "BreadcrumbList",
                    "itemListElement": [{"@type": "ListItem", "position": 1, "name": "Health"}],
                },
                without_context(FULL_FACT),
                {"@type": "Person", "name": "Grace Rahman", "jobTitle": "Health editor"},
            ],
        }
        summary = run(json_input("fullfact-page.json", page))

        assert summary.records == 1 and summary.imported == 1
        assert list(Verdict.objects.values_list("review_url", flat=True)) == [FULL_FACT["url"]]
        assert list(Publisher.objects.values_list("name", flat=True)) == ["Full Fact"]
        assert list(Speaker.objects.values_list("name", flat=True)) == ["Rishi Sunak"]

    @pytest.mark.parametrize("item_as_list", [True, False], ids=["item-list", "item-object"])
    def test_a_data_feed_of_data_feed_items(self, item_as_list):
        feed = data_feed(AFP, MALDITA, CORRECTIV, item_as_list=item_as_list)
        summary = run(json_input("feed.json", feed))

        assert summary.imported == 3 and not summary.errors
        assert imported_ratings() == {
            url: EXPECTED_RATINGS[url] for url in (AFP["url"], MALDITA["url"], CORRECTIV["url"])
        }

    def test_google_fact_check_tools_format(self):
        summary = run(json_input("factchecktools.json", FACT_CHECK_TOOLS))

        assert summary.imported == 3 and not summary.errors
        full_fact = verdict_for("https://fullfact.org/online/vaccine-microchip/")
        assert full_fact.claim.text == "Vaccines contain microchips to track people."
        assert full_fact.rating.slug == "false"
        assert full_fact.review_rating_label == "False"
        assert full_fact.headline == "Covid-19 vaccines do not contain microchips"
        assert full_fact.reviewed_by.name == "Full Fact"
        assert full_fact.claim.speaker.name == "Social media users"
        assert full_fact.claim.made_on.isoformat() == "2021-05-02"
        assert full_fact.claim.language == "en"
        assert full_fact.published_at.isoformat() == "2021-05-04T10:12:00+00:00"
        maldita = verdict_for("https://maldita.es/malditobulo/20210505/vacunas-microchip/")
        assert (maldita.reviewed_by.name, maldita.rating.slug, maldita.review_rating_label) == (
            "Maldita.es",
            "false",
            "Falso",
        )
        # One claim reviewed by two fact-checkers: one claim with both reviews.
        assert maldita.claim == full_fact.claim
        assert Claim.objects.filter(text="Vaccines contain microchips to track people.").count() == 1
        afp = verdict_for("https://factuel.afp.com/pass-sanitaire-supermarches")
        assert afp.claim.speaker is None
        assert (afp.rating.slug, afp.review_rating_label) == ("unmapped", "Trompeur")

    def test_a_bad_fact_check_tools_review_is_named_by_claim_and_review(self):
        data = copy.deepcopy(FACT_CHECK_TOOLS)
        del data["claims"][0]["claimReview"][1]["url"]

        with pytest.raises(ImportRefused) as caught:
            run(json_input("factchecktools.json", data))

        assert caught.value.summary.errors == [
            (
                "factchecktools.json claim 1 review 2",
                "url is missing: a review is identified by its URL and the claim it reviews",
            )
        ]
        assert not Verdict.objects.exists()

    def test_fact_check_tools_publisher_site_is_a_bare_domain(self):
        # The API gives the publisher's site as a domain name ("fullfact.org"), never a URL:
        # that is the format, not an error in one record.
        data = copy.deepcopy(FACT_CHECK_TOOLS)
        data["claims"][0]["claimReview"][0]["publisher"]["site"] = "fullfact.org"
        data["claims"][0]["claimReview"][1]["publisher"]["site"] = "maldita.es"

        summary = run(json_input("factchecktools.json", data))

        assert not summary.errors
        assert summary.imported == 3
        assert verdict_for("https://fullfact.org/online/vaccine-microchip/").reviewed_by.name == "Full Fact"
        assert "fullfact.org" in verdict_for("https://fullfact.org/online/vaccine-microchip/").reviewed_by.url


def ld_script(data, *, escaped: bool = False) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if escaped:
        text = html.escape(text)
    return f'<script type="application/ld+json">{text}</script>'


class TestHtmlPages:
    def test_a_fact_check_page_with_several_json_ld_blocks(self):
        organisation = {"@context": "https://schema.org", "@type": "NewsMediaOrganization", "name": "Maldita.es"}
        breadcrumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": []}
        page = f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>No, la DGT no multará</title>
{ld_script(organisation)}
<script type="text/javascript">var claimReview = {{"@type": "ClaimReview"}};</script>
{ld_script(MALDITA)}
</head><body><h1>No, la DGT no multará con 200 euros</h1>{ld_script(breadcrumbs)}</body></html>"""
        summary = run(Input("maldita-dgt.html", page.encode()))

        assert summary.records == 1 and summary.imported == 1 and not summary.errors
        verdict = verdict_for(MALDITA["url"])
        assert verdict.claim.text == MALDITA["claimReviewed"]
        assert verdict.rating.slug == "false"
        assert list(Publisher.objects.values_list("name", flat=True)) == ["Maldita.es"]

    def test_one_page_reviewing_several_claims(self):
        url = "https://fullfact.org/politics/pmqs-fact-check-2024-02-07/"
        claims = [
            ("Inflation has halved since last year.", "Correct", "true"),
            ("Crime has fallen by 50% since 2010.", "Mostly false", "mostly-false"),
            ("We have recruited 20,000 more police officers.", "That needs context.", "unmapped"),
        ]
        blocks = [
            ld_script(
                review(
                    FULL_FACT,
                    url=url,
                    claimReviewed=text,
                    headline=f"PMQs fact check: {text}",
                    reviewRating={"@type": "Rating", "alternateName": label},
                )
            )
            for text, label, _ in claims
        ]
        page = f"<html><head>{blocks[0]}</head><body><article>{blocks[1]}<p>…</p>{blocks[2]}</article></body></html>"
        summary = run(Input("pmqs.htm", page.encode()))

        assert summary.imported == 3
        verdicts = Verdict.objects.filter(review_url=url)
        assert verdicts.count() == 3
        assert {(v.claim.text, v.rating.slug) for v in verdicts.select_related("claim", "rating")} == {
            (text, slug) for text, _, slug in claims
        }

    @pytest.mark.parametrize("kind", ["application/ld+json; charset=utf-8", "Application/LD+JSON"])
    def test_script_type_variants(self, kind):
        page = f'<html><head><script type="{kind}">{json.dumps(LUPA)}</script></head></html>'

        summary = run(Input("lupa.html", page.encode()))

        assert summary.imported == 1 and not summary.errors
        assert verdict_for(LUPA["url"]).rating.slug == "false"

    def test_a_block_escaped_as_html_text(self):
        page = f"<html><head>{ld_script(DECODEURS, escaped=True)}</head><body></body></html>"
        assert "&quot;@type&quot;" in page  # the JSON is not valid JSON as it stands
        summary = run(Input("decodeurs.html", page.encode()))

        assert summary.imported == 1 and not summary.errors
        verdict = verdict_for(DECODEURS["url"])
        assert verdict.claim.text == DECODEURS["claimReviewed"]
        assert verdict.headline == DECODEURS["headline"]
        assert verdict.rating.slug == "mostly-false"


CSV_COLUMNS = [
    "url",
    "claimReviewed",
    "datePublished",
    "headline",
    "author.name",
    "author.url",
    "reviewRating.alternateName",
    "reviewRating.ratingValue",
    "reviewRating.bestRating",
    "reviewRating.worstRating",
    "itemReviewed.author.name",
    "itemReviewed.author.@type",
    "itemReviewed.author.jobTitle",
    "itemReviewed.author.affiliation",
    "itemReviewed.author.sameAs",
    "itemReviewed.datePublished",
    "itemReviewed.appearance",
    "itemReviewed.firstAppearance",
    "inLanguage",
    "reviewBody",
]

CSV_ROWS = [
    {
        "url": "https://chequeado.com/el-explicador/reforma-jubilatoria/",
        "claimReviewed": "Con la reforma, la edad jubilatoria sube a 70 años.",
        "datePublished": "2024-03-01",
        "headline": "La reforma no sube la edad jubilatoria a 70 años",
        "author.name": "Chequeado",
        "author.url": "https://chequeado.com/",
        "reviewRating.alternateName": "Falso",
        "itemReviewed.author.name": "Patricia Bullrich",
        "itemReviewed.author.@type": "Person",
        "itemReviewed.author.jobTitle": "Ministra de Seguridad",
        "itemReviewed.author.affiliation": "Propuesta Republicana",
        "itemReviewed.author.sameAs": "https://www.wikidata.org/wiki/Q3369060 https://es.wikipedia.org/wiki/Patricia_Bullrich",
        "itemReviewed.datePublished": "2024-02-27",
        "itemReviewed.appearance": "https://www.infobae.com/politica/2024/02/27/bullrich-jubilacion/ | "
        "https://twitter.com/PatoBullrich/status/1762000000000000000",
        "itemReviewed.firstAppearance": "https://www.lanacion.com.ar/politica/bullrich-entrevista-nid27022024/",
        "inLanguage": "es",
        "reviewBody": "El proyecto de ley no modifica la edad jubilatoria.",
    },
    {
        "url": "https://correctiv.org/faktencheck/2024/03/02/windraeder-vogelsterben/",
        "claimReviewed": "Windräder töten jedes Jahr Millionen Vögel in Deutschland.",
        "datePublished": "2024-03-02T10:15:00+01:00",
        "headline": "Zahl der durch Windräder getöteten Vögel ist übertrieben",
        "author.name": "CORRECTIV.Faktencheck",
        "author.url": "https://correctiv.org/faktencheck/",
        "reviewRating.alternateName": "",
        "reviewRating.ratingValue": "2",
        "reviewRating.bestRating": "5",
        "reviewRating.worstRating": "1",
        "itemReviewed.author.name": "Bundesverband Windkraftgegner e. V.",
        "itemReviewed.author.@type": "Organization",
        "itemReviewed.appearance": "https://www.facebook.com/windkraftgegner/posts/123 https://t.me/windkraftgegner/456",
        "inLanguage": "de",
    },
    {
        "url": "https://lupa.uol.com.br/jornalismo/2024/03/05/vacina-dengue-sus",
        "claimReviewed": "A vacina da dengue não está disponível no SUS.",
        "datePublished": "2024-03-05",
        "headline": "É falso que vacina da dengue não está disponível no SUS",
        "author.name": "Agência Lupa",
        "reviewRating.alternateName": "Falso",
        "inLanguage": "pt",
    },
]


class TestCsv:
    def test_one_review_per_row_with_flattened_columns(self):
        summary = run(Input("reviews.csv", csv_bytes(CSV_COLUMNS, CSV_ROWS)))

        assert summary.records == 3 and summary.imported == 3 and not summary.errors
        chequeado = verdict_for(CSV_ROWS[0]["url"])
        assert chequeado.rating.slug == "false"
        assert chequeado.claim.language == "es"
        assert chequeado.explanation == "El proyecto de ley no modifica la edad jubilatoria."
        assert (chequeado.reviewed_by.name, chequeado.reviewed_by.url) == ("Chequeado", "https://chequeado.com/")
        speaker = chequeado.claim.speaker
        assert (speaker.name, speaker.kind, speaker.role, speaker.affiliation, speaker.wikidata_id) == (
            "Patricia Bullrich",
            "person",
            "Ministra de Seguridad",
            "Propuesta Republicana",
            "Q3369060",
        )
        assert chequeado.claim.made_on.isoformat() == "2024-02-27"
        # Two appearances separated by "|", and the first appearance added to them.
        assert set(chequeado.claim.appearances.values_list("source__url", flat=True)) == {
            "https://www.infobae.com/politica/2024/02/27/bullrich-jubilacion/",
            "https://twitter.com/PatoBullrich/status/1762000000000000000",
            "https://www.lanacion.com.ar/politica/bullrich-entrevista-nid27022024/",
        }

        correctiv = verdict_for(CSV_ROWS[1]["url"])
        assert correctiv.rating.slug == "mostly-false"  # 2 of 1..5, no label
        assert correctiv.review_rating_label == ""
        assert correctiv.claim.speaker.kind == "organisation"
        # Two appearances separated by a space.
        assert correctiv.claim.appearances.count() == 2
        assert correctiv.published_at.isoformat() == "2024-03-02T09:15:00+00:00"

        lupa = verdict_for(CSV_ROWS[2]["url"])
        assert (lupa.rating.slug, lupa.claim.language, lupa.claim.speaker) == ("false", "pt", None)
        assert lupa.reviewed_by.url == ""

    def test_a_spreadsheet_saved_with_a_byte_order_mark_and_crlf(self):
        content = b"\xef\xbb\xbf" + csv_bytes(CSV_COLUMNS, CSV_ROWS[2:]).replace(b"\n", b"\r\n")
        summary = run(Input("export.csv", content))

        assert summary.imported == 1 and not summary.errors
        assert verdict_for(CSV_ROWS[2]["url"]).claim.text == CSV_ROWS[2]["claimReviewed"]


class TestFolders:
    def test_a_folder_is_read_recursively_for_the_supported_suffixes_only(self, tmp_path):
        root = tmp_path / "feeds"
        write(root / "politifact.json", POLITIFACT)
        write(root / "es" / "maldita.JSONLD", MALDITA)
        write(root / "es" / "chequeado" / "2024" / "reviews.csv", csv_bytes(CSV_COLUMNS, CSV_ROWS[:1]))
        write(root / "fr" / "decodeurs.html", f"<html><head>{ld_script(DECODEURS)}</head></html>")
        write(root / "fr" / "afp.htm", f"<html><head>{ld_script(AFP)}</head></html>")
        write(root / "README.md", "# not a review")
        write(root / "notes.txt", "nothing to see")
        write(root / "es" / "broken.xml", "<xml>not read</xml>")

        out, _ = import_command(root)

        assert set(Verdict.objects.values_list("review_url", flat=True)) == {
            POLITIFACT["url"],
            MALDITA["url"],
            CSV_ROWS[0]["url"],
            DECODEURS["url"],
            AFP["url"],
        }
        assert "5 review(s) imported" in out

    def test_files_and_folders_given_together(self, tmp_path):
        folder = write(tmp_path / "afp" / "afp.json", AFP).parent
        single = write(tmp_path / "lupa.jsonld", [LUPA])

        import_command(folder, single)

        assert set(Verdict.objects.values_list("review_url", flat=True)) == {AFP["url"], LUPA["url"]}
        assert Appearance.objects.filter(claim__verdicts__review_url=AFP["url"]).count() == 2
        assert Source.objects.filter(url__startswith="https://www.facebook.com/").count() == 1
