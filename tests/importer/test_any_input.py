"""No input gives a traceback: arbitrary JSON, pages and CSV get a clean report or a clean refusal.

Hypothesis builds documents from ClaimReview's own vocabulary (so they reach deep into
the reader and normaliser, not just the JSON parser) mixed with arbitrary keys and
values; every one must end in a summary or an ImportRefused whose errors name a place
and a reason. Dry runs: nothing is written.
"""

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.importing import ImportRefused, Input, import_claimreview

pytestmark = pytest.mark.django_db

KEYS = [
    "@type",
    "@graph",
    "url",
    "claimReviewed",
    "author",
    "publisher",
    "name",
    "site",
    "datePublished",
    "dateModified",
    "reviewRating",
    "alternateName",
    "ratingValue",
    "bestRating",
    "worstRating",
    "itemReviewed",
    "appearance",
    "firstAppearance",
    "sameAs",
    "inLanguage",
    "headline",
    "title",
    "subtitle",
    "data",
    "items",
    "results",
    "claims",
    "claimReview",
    "text",
    "claimant",
    "claimDate",
    "textualRating",
    "languageCode",
    "reviewDate",
    "dataFeedElement",
    "item",
    "dateCreated",
    "jobTitle",
    "affiliation",
]
VALUES = [
    "ClaimReview",
    "DataFeed",
    "DataFeedItem",
    "Claim",
    "Organization",
    "Person",
    "Rating",
    "VideoObject",
    "https://checker.example/review/1",
    "/relative/path",
    "checker.example",
    "2021-7-16",
    "03/04/2021",
    "2021",
    "July 16, 2021",
    "False",
    "Misleading",
]
COLUMNS = [
    "url",
    "claimReviewed",
    "author",
    "author.name",
    "author.url",
    "publisher.name",
    "reviewRating",
    "reviewRating.alternateName",
    "reviewRating.ratingValue",
    "itemReviewed",
    "itemReviewed.author.name",
    "itemReviewed.appearance",
    "itemReviewed.appearance.url",
    "claimReview_url",
    "claimReview_claimReviewed",
    "rating_alternateName",
    "creativeWork_author_name",
    "@type",
]
HYPOTHESIS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(VALUES)
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=6)
    ),
    max_leaves=40,
)


def imports_cleanly(item: Input) -> None:
    """A summary or a refusal, each error a place and a reason; never another exception."""
    for skip_invalid in (False, True):
        try:
            summary = import_claimreview([item], dry_run=True, skip_invalid=skip_invalid)
        except ImportRefused as refused:
            summary = refused.summary
            assert summary.errors
        for where, message in summary.errors:
            assert where.startswith(item.name) and message
        assert summary.lines()


@HYPOTHESIS
@given(document=documents)
def test_any_json(document):
    imports_cleanly(Input("any.json", json.dumps(document).encode()))


@HYPOTHESIS
@given(document=documents, lang=st.text(max_size=8), canonical=st.sampled_from(["", "https://p.example/a/", "x y"]))
def test_any_page(document, lang, canonical):
    head = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    page = (
        f'<html lang="{lang}"><head>{head}<script type="application/ld+json">'
        f"{json.dumps(document)}</script></head></html>"
    )
    imports_cleanly(Input("any.html", page.encode()))


@HYPOTHESIS
@given(
    columns=st.lists(st.sampled_from(COLUMNS) | st.text(max_size=8), min_size=1, max_size=8),
    rows=st.lists(st.lists(st.text(max_size=12) | st.sampled_from(VALUES), max_size=9), max_size=4),
    separator=st.sampled_from([",", ";", "\t"]),
)
def test_any_csv(columns, rows, separator):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    writer.writerow(columns)
    writer.writerows(rows)
    imports_cleanly(Input("any.csv", out.getvalue().encode()))


@HYPOTHESIS
@given(text=st.text(max_size=200))
def test_any_text_as_csv(text):
    imports_cleanly(Input("any.csv", text.encode()))


def test_a_feed_item_wrapping_something_that_is_not_a_review():
    feed = {
        "@type": "DataFeed",
        "dataFeedElement": [{"@type": "DataFeedItem", "dateCreated": "2024-01-01", "item": {"claims": ["x"]}}],
    }
    imports_cleanly(Input("feed.json", json.dumps(feed).encode()))


@pytest.mark.parametrize("elements", [True, 3, "x", None, {}])
def test_a_feed_whose_elements_are_not_a_list(elements):
    feed = {"@type": "DataFeed", "dataFeedElement": elements}
    imports_cleanly(Input("feed.json", json.dumps(feed).encode()))


def test_a_feed_of_one_element_without_its_list_reads_as_with_it():
    feed = json.loads((Path(__file__).parent / "examples" / "datafeed.json").read_text())
    first = feed["dataFeedElement"][0]
    listed = import_claimreview(
        [Input("feed.json", json.dumps({**feed, "dataFeedElement": [first]}).encode())], dry_run=True
    )
    alone = import_claimreview(
        [Input("feed.json", json.dumps({**feed, "dataFeedElement": first}).encode())], dry_run=True
    )
    # The first line also gives the time taken; every count and every other line agree.
    assert "1 review(s) imported" in listed.lines()[0]
    assert "1 review(s) imported" in alone.lines()[0]
    assert alone.lines()[1:] == listed.lines()[1:]
    assert alone.counts == listed.counts
