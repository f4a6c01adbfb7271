"""Bad data: the file, the record and what is wrong; by default nothing is written at all."""

import copy

import pytest

from claims.importing import ImportRefused, Input
from claims.models import Verdict
from tests.importer.helpers import (
    AFP,
    ALL_REVIEWS,
    CHEQUEADO,
    CORRECTIV,
    DECODEURS,
    LUPA,
    MALDITA,
    POLITIFACT,
    csv_bytes,
    data_feed,
    entity_counts,
    import_command,
    json_bytes,
    json_input,
    refused_by_command,
    review,
    run,
    table_counts,
    write,
)
from tests.importer.test_shapes import CSV_COLUMNS, CSV_ROWS, FACT_CHECK_TOOLS

pytestmark = pytest.mark.django_db


def refused(*inputs: Input, **options) -> list[tuple[str, str]]:
    """Import, expect a refusal that wrote nothing, and return its errors."""
    counts = table_counts()
    with pytest.raises(ImportRefused) as caught:
        run(*inputs, **options)
    assert table_counts() == counts, "a refused import wrote something"
    assert caught.value.summary.errors
    return caught.value.summary.errors


def rating_of(**fields) -> dict:
    return {"@type": "Rating", **fields}


# (what is wrong with the record, the record, words the message must contain)
BAD_RECORDS = [
    ("missing-url", review(MALDITA, url=None), ["url", "missing"]),
    ("empty-url", review(MALDITA, url="  "), ["url", "missing"]),
    ("missing-claim", review(MALDITA, claimReviewed=None), ["claimReviewed", "missing"]),
    ("blank-claim", review(MALDITA, claimReviewed="<p> </p>"), ["claimReviewed", "missing"]),
    ("url-without-scheme", review(MALDITA, url="maldita.es/malditobulo/x"), ["url", "not a web address"]),
    ("javascript-url", review(MALDITA, url="javascript:alert(1)"), ["url", "not a web address"]),
    ("url-with-spaces", review(MALDITA, url="https://maldita.es/bulo con espacios"), ["url", "not a web address"]),
    ("unparseable-date", review(DECODEURS, datePublished="1er février 2024"), ["datePublished", "not a date"]),
    ("us-style-date", review(POLITIFACT, datePublished="03/08/2024"), ["datePublished", "not a date"]),
    ("impossible-date", review(CORRECTIV, datePublished="2024-02-30"), ["datePublished"]),
    ("modified-not-a-date", review(LUPA, dateModified="ontem"), ["dateModified", "not a date"]),
    (
        "claim-date-not-a-date",
        review(CHEQUEADO, itemReviewed={"@type": "Claim", "datePublished": "2024-02-30"}),
        ["itemReviewed.datePublished", "not a date"],
    ),
    (
        "decimal-comma",
        review(CORRECTIV, reviewRating=rating_of(ratingValue="2,5", bestRating="5")),
        ["ratingValue", "not a number"],
    ),
    (
        "word-rating-value",
        review(POLITIFACT, reviewRating=rating_of(ratingValue="four", bestRating="6")),
        ["ratingValue", "not a number"],
    ),
    (
        "best-rating-not-a-number",
        review(POLITIFACT, reviewRating=rating_of(ratingValue="4", bestRating="six")),
        ["bestRating", "not a number"],
    ),
    ("no-label-no-value", review(MALDITA, reviewRating=rating_of(bestRating=5, worstRating=1)), ["reviewRating"]),
    ("no-rating-at-all", review(MALDITA, reviewRating=None), ["reviewRating"]),
    ("headline-too-long", review(AFP, headline="Non, " + "x" * 296), ["headline", "301", "300"]),
    ("claim-too-long", review(AFP, claimReviewed="é" * 5001), ["claimReviewed", "5001", "5000"]),
    (
        "appearance-not-a-url",
        review(LUPA, itemReviewed={"@type": "Claim", "appearance": "instagram.com/p/123"}),
        ["itemReviewed.appearance", "not a web address"],
    ),
    ("no-author", review(LUPA, author=None), ["author"]),
    # Values the database cannot hold.
    (
        "rating-value-out-of-range",
        review(POLITIFACT, reviewRating=rating_of(ratingValue="1e9", bestRating="6")),
        ["reviewRating.ratingValue", "out of range"],
    ),
    (
        "rating-value-not-finite",
        review(POLITIFACT, reviewRating=rating_of(ratingValue="NaN", bestRating="6")),
        ["reviewRating.ratingValue", "out of range"],
    ),
    (
        "worst-rating-out-of-range",
        review(CORRECTIV, reviewRating=rating_of(ratingValue="1", worstRating="-100000000")),
        ["reviewRating.worstRating", "out of range"],
    ),
    ("date-out-of-range", review(AFP, datePublished="0999-12-31"), ["datePublished", "out of range"]),
    # Texts longer than their columns.
    (
        "speaker-name-too-long",
        review(CHEQUEADO, itemReviewed={"@type": "Claim", "author": {"@type": "Person", "name": "n" * 301}}),
        ["itemReviewed.author.name", "301", "300"],
    ),
    (
        "rating-label-too-long",
        review(MALDITA, reviewRating=rating_of(alternateName="Falso " + "x" * 995)),
        ["reviewRating.alternateName", "1001", "1000"],
    ),
    ("language-too-long", review(MALDITA, inLanguage="es-" + "x" * 33), ["inLanguage", "36", "35"]),
    ("author-name-too-long", review(LUPA, author={"@type": "Organization", "name": "L" * 201}), ["author.name", "201"]),
    (
        "appearance-headline-too-long",
        review(
            LUPA,
            itemReviewed={
                "@type": "Claim",
                "appearance": {"@type": "CreativeWork", "url": "https://lupa.uol.com.br/x", "headline": "h" * 501},
            },
        ),
        ["itemReviewed.appearance.headline", "501", "500"],
    ),
    # Parts of a record that are not what schema.org says they are.
    ("rating-not-a-rating", review(MALDITA, reviewRating=5), ["reviewRating", "not a Rating"]),
    ("author-not-a-name", review(LUPA, author=7), ["author", "neither a name nor an Organization or Person"]),
    (
        "claim-author-not-a-person",
        review(CHEQUEADO, itemReviewed={"@type": "Claim", "author": 42}),
        ["itemReviewed.author", "neither a name nor a Person"],
    ),
]


class TestOneBadRecord:
    @pytest.mark.parametrize(("record", "words"), [case[1:] for case in BAD_RECORDS], ids=[c[0] for c in BAD_RECORDS])
    def test_refuses_the_whole_import_naming_the_record_and_the_problem(self, record, words):
        # The bad record is the third of a feed; the others are valid.
        feed = data_feed(POLITIFACT, FULL_FACT_LIKE, record, AFP if record.get("url") != AFP["url"] else LUPA)
        feed["dataFeedElement"][2]["item"] = feed["dataFeedElement"][2]["item"][0]  # an item as an object

        [(where, message)] = refused(json_input("feed.json", feed))

        assert where == "feed.json dataFeedElement 3"
        for word in words:
            assert word in message, (word, message)

    def test_the_only_bad_record_comes_last(self):
        records = [*ALL_REVIEWS, review(MALDITA, url="https://maldita.es/x", datePublished="ayer")]

        [(where, message)] = refused(json_input("reviews.json", records))

        assert where == f"reviews.json item {len(records)}"
        assert "datePublished" in message

    def test_a_bad_record_in_a_second_file_refuses_the_first_too(self):
        errors = refused(json_input("good.json", ALL_REVIEWS), json_input("bad.json", [review(LUPA, url=None)]))

        assert errors == [("bad.json item 1", errors[0][1])]
        assert not Verdict.objects.exists()

    def test_every_bad_record_is_listed(self):
        records = [LUPA, review(MALDITA, url=None), AFP, review(CORRECTIV, headline="x" * 400)]

        errors = refused(json_input("reviews.json", records))

        assert [where for where, _ in errors] == ["reviews.json item 2", "reviews.json item 4"]

    def test_an_over_long_author_url_is_a_record_error_not_a_database_error(self):
        # Publisher.url holds 500 characters; the import checks web addresses against 2,000.
        long_url = "https://maldita.es/?" + "utm_source=" + "x" * 600
        record = review(MALDITA, author={"@type": "Organization", "name": "Maldita.es", "url": long_url})

        [(where, message)] = refused(json_input("maldita.json", [record]))

        assert where == "maldita.json item 1"
        assert "author.url" in message


FULL_FACT_LIKE = review(
    LUPA, url="https://fullfact.org/online/example/", claimReviewed="A claim that is fine.", inLanguage="en"
)


class TestMalformedFactCheckToolsData:
    def test_a_claim_that_is_not_an_object(self):
        data = copy.deepcopy(FACT_CHECK_TOOLS)
        data["claims"].insert(1, "Vaccines contain microchips")

        [(where, message)] = refused(json_input("factchecktools.json", data))

        assert where == "factchecktools.json claim 2"
        assert message.startswith("not a claim")

    @pytest.mark.parametrize("bad", [7, "Full Fact: False", [1]], ids=["number", "text", "list"])
    def test_a_review_that_is_not_an_object(self, bad):
        data = copy.deepcopy(FACT_CHECK_TOOLS)
        data["claims"][1]["claimReview"] = bad

        [(where, message)] = refused(json_input("factchecktools.json", data))

        assert where == "factchecktools.json claim 2 review 1"
        assert message == "claimReview is not an object"

    def test_a_publisher_given_as_text(self):
        data = copy.deepcopy(FACT_CHECK_TOOLS)
        data["claims"][1]["claimReview"][0]["publisher"] = "AFP Factuel"

        summary = run(json_input("factchecktools.json", data))

        assert summary.imported == 3
        assert Verdict.objects.get(review_url__contains="afp").reviewed_by.name == "AFP Factuel"


class TestUnreadableFiles:
    def test_invalid_json(self):
        # One error for one broken file: saying it also holds "no ClaimReview" would mislead.
        errors = refused(Input("feed.json", b'{"@type": "ClaimReview",\n "url": "https://a.org/",'))

        where, message = errors[0]
        assert where == "feed.json"
        assert "not valid JSON" in message and "line 2" in message
        assert len(errors) == 1, errors

    def test_not_utf8(self):
        record = review(
            CORRECTIV,
            claimReviewed="Die Grünen wollen eine Fleischsteuer einführen.",
            headline="Grüne: keine Fleischsteuer",
            itemReviewed=None,
        )
        content = json_bytes(record).decode().encode("latin-1")

        [(where, message)] = refused(Input("correctiv.json", content))

        assert where == "correctiv.json"
        assert "UTF-8" in message

    def test_a_latin1_spreadsheet(self):
        content = csv_bytes(CSV_COLUMNS, CSV_ROWS[:2]).decode().encode("latin-1")

        [(where, message)] = refused(Input("reviews.csv", content))

        assert where == "reviews.csv"
        assert "UTF-8" in message

    def test_a_csv_row_with_more_values_than_columns(self):
        content = (
            csv_bytes(CSV_COLUMNS, CSV_ROWS)
            + b"https://lupa.uol.com.br/x,Uma frase,2024-03-05"
            + (b",x" * len(CSV_COLUMNS))
        )

        [(where, message)] = refused(Input("reviews.csv", content))

        assert where == "reviews.csv line 5"
        assert "more value(s) than there are columns" in message

    def test_a_bad_csv_row_is_named_by_its_line(self):
        rows = [*CSV_ROWS[:2], {**CSV_ROWS[2], "datePublished": "5 de março de 2024"}]

        [(where, message)] = refused(Input("reviews.csv", csv_bytes(CSV_COLUMNS, rows)))

        assert where == "reviews.csv line 4"
        assert "datePublished" in message and "5 de março de 2024" in message

    @pytest.mark.parametrize("name", ["reviews.xml", "reviews.txt", "reviews.xlsx", "README"])
    def test_an_unsupported_file_type(self, name):
        [(where, message)] = refused(Input(name, b"<ClaimReview/>"))

        assert where == name
        assert "unsupported file type" in message

    def test_json_without_any_claim_review(self):
        data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Not a fact check"}

        [(where, message)] = refused(json_input("article.json", data))

        assert where == "article.json"
        assert "no ClaimReview" in message

    def test_a_page_without_json_ld(self):
        [(where, message)] = refused(Input("page.html", b"<html><body><p>Falso</p></body></html>"))

        assert where == "page.html"
        assert "ld+json" in message

    def test_a_broken_block_in_a_page_is_named_by_its_position(self):
        good = f'<script type="application/ld+json">{json_bytes(MALDITA).decode()}</script>'
        page = f'<html><head>{good}<script type="application/ld+json">{{"@type": "ClaimReview",</script></head></html>'

        [(where, message)] = refused(Input("maldita.html", page.encode()))

        assert where == "maldita.html script 2"
        assert "not valid JSON" in message


class TestSkipInvalid:
    def test_imports_the_rest_and_lists_every_skipped_record(self):
        records = [LUPA, review(MALDITA, url=None), AFP, review(CORRECTIV, datePublished="gestern"), DECODEURS]

        summary = run(json_input("reviews.json", records), skip_invalid=True)

        assert set(Verdict.objects.values_list("review_url", flat=True)) == {LUPA["url"], AFP["url"], DECODEURS["url"]}
        assert summary.imported == 3
        assert [where for where, _ in summary.errors] == ["reviews.json item 2", "reviews.json item 4"]
        assert summary.counts["reviews"]["skipped"] == 2
        text = "\n".join(summary.lines())
        assert "2 invalid record(s):" in text
        assert "reviews.json item 2: url is missing" in text
        assert "reviews.json item 4: datePublished is not a date" in text

    def test_an_unreadable_file_is_skipped_with_the_others_imported(self):
        summary = run(
            json_input("good.json", [LUPA]),
            Input("bad.json", b'["\xe9t\xe9"]'),
            Input("notes.txt", b"x"),
            skip_invalid=True,
        )

        assert list(Verdict.objects.values_list("review_url", flat=True)) == [LUPA["url"]]
        assert [where for where, _ in summary.errors] == ["bad.json", "notes.txt"]

    def test_through_the_command(self, tmp_path):
        write(tmp_path / "reviews.json", [LUPA, review(MALDITA, claimReviewed=None)])
        write(tmp_path / "reviews.csv", csv_bytes(CSV_COLUMNS, [CSV_ROWS[0], {**CSV_ROWS[1], "url": "correctiv.org"}]))

        out, _ = import_command(tmp_path, "--skip-invalid")

        assert Verdict.objects.count() == 2
        assert "2 invalid record(s):" in out
        assert f"{tmp_path / 'reviews.json'} item 2: claimReviewed is missing" in out
        assert f"{tmp_path / 'reviews.csv'} line 3: url is not a web address" in out
        assert "2 skipped" in out


class TestEveryKindOfBadRecordThroughTheCommand:
    def test_refused_with_each_one_listed(self, tmp_path):
        records = [LUPA, *(case[1] for case in BAD_RECORDS)]
        path = write(tmp_path / "reviews.json", records)
        counts = table_counts()

        error, err = refused_by_command(path)

        assert f"{len(BAD_RECORDS)} invalid record(s): nothing was imported" in str(error)
        for index, (name, _, words) in enumerate(BAD_RECORDS, start=2):
            [line] = [line for line in err.splitlines() if line.strip().startswith(f"{path} item {index}:")]
            assert all(word in line for word in words), (name, line)
        assert table_counts() == counts

    def test_skipped_with_each_one_listed(self, tmp_path):
        records = [LUPA, *(case[1] for case in BAD_RECORDS), AFP]
        path = write(tmp_path / "reviews.json", records)

        out, _ = import_command(path, "--skip-invalid")

        assert set(Verdict.objects.values_list("review_url", flat=True)) == {LUPA["url"], AFP["url"]}
        assert f"reviews      2 created, {len(BAD_RECORDS)} skipped" in out
        for index in range(2, len(BAD_RECORDS) + 2):
            assert f"{path} item {index}: " in out


class TestTheCommandRefuses:
    def test_with_a_command_error_and_the_list_of_problems(self, tmp_path):
        path = write(tmp_path / "feed.json", data_feed(LUPA, AFP, review(MALDITA, datePublished="hier")))
        counts = table_counts()

        error, err = refused_by_command(path)

        assert "1 invalid record(s): nothing was imported" in str(error)
        assert "--skip-invalid" in str(error)
        [line] = [line for line in err.splitlines() if "hier" in line]
        assert line.strip().startswith(f"{path} dataFeedElement 3")
        assert line.endswith("datePublished is not a date: 'hier'")
        assert table_counts() == counts

    def test_a_path_that_does_not_exist(self, tmp_path):
        error, _ = refused_by_command(tmp_path / "missing.json")

        assert "no such file" in str(error) and "missing.json" in str(error)

    def test_a_folder_without_any_supported_file(self, tmp_path):
        write(tmp_path / "notes.txt", "nothing")

        error, _ = refused_by_command(tmp_path)

        assert "No .json" in str(error)

    def test_an_unsupported_file_named_explicitly(self, tmp_path):
        path = write(tmp_path / "reviews.xml", "<ClaimReview/>")

        _, err = refused_by_command(path)

        assert f"{path}: unsupported file type .xml" in err

    def test_dry_run_is_refused_too(self, tmp_path):
        path = write(tmp_path / "reviews.json", [LUPA, review(AFP, url="factuel.afp.com")])

        _, err = refused_by_command(path, "--dry-run")

        assert "item 2: url is not a web address" in err
        assert not Verdict.objects.exists()


class TestDryRun:
    def test_writes_nothing_and_says_what_would_happen(self, tmp_path):
        path = write(tmp_path / "reviews.json", ALL_REVIEWS)
        counts = table_counts()

        out, _ = import_command(path, "--dry-run")

        assert table_counts() == counts
        assert out.startswith("Dry run: nothing written.")
        assert f"reviews      {len(ALL_REVIEWS)} created" in out
        assert f"claims       {len(ALL_REVIEWS)} created" in out
        assert "publishers   " in out and "created" in out

    def test_a_dry_run_reports_what_a_real_import_would(self):
        dry = run(json_input("reviews.json", ALL_REVIEWS), dry_run=True)
        assert set(entity_counts().values()) == {0}
        real = run(json_input("reviews.json", ALL_REVIEWS))

        assert dry.dry_run and not real.dry_run
        assert {k: dict(v) for k, v in dry.counts.items()} == {k: dict(v) for k, v in real.counts.items()}
        assert dry.unmapped_labels == real.unmapped_labels

    def test_a_dry_run_with_skip_invalid(self, tmp_path):
        path = write(tmp_path / "reviews.json", [LUPA, review(AFP, url=None)])

        out, _ = import_command(path, "--dry-run", "--skip-invalid")

        assert not Verdict.objects.exists()
        assert "reviews      1 created, 1 skipped" in out
        assert "item 2: url is missing" in out
