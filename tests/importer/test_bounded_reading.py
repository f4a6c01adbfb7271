"""Hostile uploads are refused clearly, read one record at a time: nesting, width, size; checked
reviews wait on disk and come back as they were."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from claims.importing import Input, read_inputs
from claims.importing.normalise import normalise
from claims.importing.records import Person, Review, Work
from claims.importing.run import Spool
from claims.importing.streaming import MAX_DEPTH, MAX_LIST_ITEMS, MAX_RECORD_VALUES
from claims.importing.summary import RecordError
from claims.importing.tabular import MAX_CSV_COLUMNS


def read(name: str, content: str) -> list:
    return list(read_inputs([Input(name, content.encode())]))


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_deep_nesting_is_refused_with_a_clear_error(depth):
    for document in ("[" * depth + "]" * depth, '{"@graph":' + "[" * depth + "]" * depth + "}", "[" * depth):
        [(_where, error)] = read("deep.json", document)
        assert isinstance(error, RecordError)
        assert f"nested deeper than {MAX_DEPTH} levels" in str(error)


def test_nesting_up_to_the_limit_is_read():
    document = '{"@type": "ClaimReview", "x": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    [(_where, record)] = read("ok.json", document)
    assert record["@type"] == "ClaimReview"


def test_one_enormous_record_is_refused():
    alone = '{"@type": "ClaimReview", "x": [' + ",".join(["{}"] * (MAX_RECORD_VALUES + 10)) + "]}"
    [(_where, error)] = read("huge.json", alone)
    assert isinstance(error, RecordError)
    document = '[{"@type": "ClaimReview", "x": [' + ",".join(["{}"] * (MAX_RECORD_VALUES + 10)) + "]}]"
    errors = [record for _, record in read("huge.json", document) if isinstance(record, RecordError)]
    assert errors, "the oversized record is not imported"


@pytest.mark.parametrize("wrap", ["[{}]", '{{"@graph": [{}]}}', '{{"@type": "DataFeed", "dataFeedElement": [{}]}}'])
def test_a_list_longer_than_any_feed_is_refused_before_it_is_walked(wrap):
    document = wrap.format(",".join(["{}"] * (MAX_LIST_ITEMS + 1)))
    [(_where, error)] = read("many.json", document)
    assert isinstance(error, RecordError)
    assert f"a list of {MAX_LIST_ITEMS + 1:,} items" in str(error)
    assert "split the file" in str(error)


def test_records_beside_an_oversized_one_are_still_read():
    review = '{"@type": "ClaimReview", "url": "https://x.example/r"}'
    huge = '{"@type": "ClaimReview", "x": [' + ",".join(["{}"] * (MAX_RECORD_VALUES + 10)) + "]}"
    for document in (f"[{review}, {huge}, {review}]", f'{{"@graph": [{review}, {huge}, {review}]}}'):
        records = [record for _, record in read("mixed.json", document)]
        assert [isinstance(record, RecordError) for record in records] == [False, True, False], document


def test_records_are_found_in_every_container_shape():
    review = '{"@type": "ClaimReview", "url": "https://x.example/r"}'
    for document in (
        f"[{review}, {{}}, {review}]",
        f'{{"@graph": [{review}, [], {review}]}}',
        f'{{"@type": "DataFeed", "dataFeedElement": [{{"@type": "DataFeedItem", "item": {review}}}, {review}]}}',
    ):
        found = [record for _, record in read("feed.json", document) if not isinstance(record, RecordError)]
        assert len(found) == 2, document


def test_a_csv_wider_than_any_claimreview_is_refused():
    header = ",".join(f"c{n}" for n in range(MAX_CSV_COLUMNS + 1))
    [(_where, error)] = read("wide.csv", header + "\n" + "a," * MAX_CSV_COLUMNS + "a\n")
    assert isinstance(error, RecordError)
    assert f"at most {MAX_CSV_COLUMNS}" in str(error)


def test_a_csv_line_longer_than_any_row_is_refused_before_it_is_split():
    from claims.importing.tabular import MAX_CSV_LINE

    [(_where, error)] = read("long.csv", "url,claimReviewed\n" + "," * (MAX_CSV_LINE + 1) + "\n")
    assert isinstance(error, RecordError)
    assert "longer than" in str(error)


def test_checked_reviews_come_back_from_the_spool_as_they_were_checked():
    # The spool keeps reviews as plain values on disk (records.as_values); every field must
    # come back equal, times with the offset they were given in.
    examples = Path(__file__).parent / "examples"
    inputs = [Input(path.name, path.read_bytes()) for path in sorted(examples.iterdir())]
    reviews = [normalise(record, where) for where, record in read_inputs(inputs)]
    full = Review(
        where="feed.json item 1",
        url="https://example.org/fact-check/1",
        claim_text="A claim",
        language="hi",
        headline="A headline",
        explanation="First paragraph.\n\nSecond.",
        date_published=datetime(2021, 7, 16, 9, 5, 0, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        date_offset=330,
        date_modified=datetime(2021, 7, 17, tzinfo=UTC),
        date_created=datetime(2021, 7, 16, 3, 35, tzinfo=UTC),
        reviewer=("Fact Unit", "https://example.org/"),
        byline="Jane Doe, John Roe",
        rating_label="Misleading",
        rating_value=Decimal("2.5"),
        best_rating=Decimal("1E+1"),
        worst_rating=Decimal("0"),
        speaker=Person("A Minister", "person", "Minister", "A Party", "Q42"),
        claim_date=date(2021, 7, 1),
        claim_date_text="",
        made_in="A channel",
        appearances=[Work("https://example.org/a", "A", date(2021, 6, 30), "A Paper", "news_article")],
        notes=["a note"],
        unknown_keys=["x.y"],
        claim_group="feed.json claim 1",
    )
    undated = Review(**{name: getattr(full, name) for name in Review.__slots__})
    undated.url, undated.date_published, undated.date_offset = "https://example.org/fact-check/2", None, None
    undated.speaker, undated.claim_date, undated.claim_date_text = None, None, "mid-July"
    undated.appearances = [Work("", "A title", None, "", "other")]
    reviews += [full, undated]
    assert len(reviews) > 10
    spool = Spool()
    for review in reviews:
        assert spool.add(review)
    back = {review.key: review for batch in spool.batches() for review in batch}
    spool.close()
    # (The spool numbers the reviews of each page: their position is its own.)
    assert {key: replace(review, position=0) for key, review in back.items()} == {r.key: r for r in reviews}
    assert back[full.key].date_published.utcoffset() == timedelta(hours=5, minutes=30)
    assert str(back[full.key].best_rating) == "1E+1"
    assert back[undated.key].speaker is None and back[undated.key].appearances[0].published_on is None
