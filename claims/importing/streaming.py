"""Reading JSON(-LD) documents a record at a time, in bounded memory.

A 50 MB upload parsed whole becomes millions of Python objects (``[{},{},…]`` took 1.7 GB).
Here a document is read twice with ijson's streaming parser: once to learn its shape and
check its nesting (deeper than ``MAX_DEPTH`` is refused with a clear error, where a
recursive parser would crash), then to build one record at a time from the arrays that
hold them (a top-level list, ``@graph``, a DataFeed's ``dataFeedElement``, Fact Check
Tools' ``claims``). A single record larger than ``MAX_RECORD_VALUES`` values is refused:
a ClaimReview has dozens. Memory is then bounded by one record, whatever the file.
"""

import html
import io
import json
from collections.abc import Iterator

import ijson
from ijson.common import ObjectBuilder

from .summary import RecordError

MAX_DEPTH = 64
MAX_RECORD_VALUES = 100_000
# Documents small enough to parse again with the json module for its exact error position.
PRECISE_ERRORS_BELOW = 1_000_000

_STARTS = {"start_map", "start_array"}
_ENDS = {"end_map", "end_array"}


class _Shape:
    def __init__(self):
        self.top = None  # "object", "array" or "scalar"
        self.keys: set[str] = set()
        self.types: list[str] = []


def _shape(raw: bytes) -> _Shape:
    """The top level's kind, keys and @type; RecordError if too deep or not JSON.

    basic_parse, not parse: parse names every event's path, which for a document of a
    million opening brackets is a million ever-longer strings before the depth is checked.
    """
    shape = _Shape()
    depth = 0
    key = None
    for event, value in ijson.basic_parse(io.BytesIO(raw)):
        if event in _STARTS:
            depth += 1
            if depth > MAX_DEPTH:
                raise RecordError(f"nested deeper than {MAX_DEPTH} levels: not a ClaimReview document")
            if depth == 1:
                shape.top = "object" if event == "start_map" else "array"
            continue
        if event in _ENDS:
            depth -= 1
            if depth == 1:
                key = None
            continue
        if depth == 0:
            shape.top = "scalar"
        elif depth == 1 and event == "map_key":
            shape.keys.add(value)
            key = value
        elif key == "@type" and depth <= 2 and isinstance(value, str):
            shape.types.append(value)
    return shape


def _values(raw: bytes, prefix: str, *, skip: frozenset[str] = frozenset()) -> Iterator[object]:
    """Each value found at ``prefix`` (``item`` for a top-level list's items, ``""`` for the
    whole document), built one at a time; top-level keys in ``skip`` are left out."""
    builder = None
    depth = count = 0
    skipping = None
    for path, event, value in ijson.parse(io.BytesIO(raw), use_float=True):
        if builder is None:
            if path != prefix or event in _ENDS or event == "map_key":
                continue
            if event not in _STARTS:
                yield value
                continue
            builder, depth, count = ObjectBuilder(), 0, 0
        depth += event in _STARTS
        depth -= event in _ENDS
        if prefix == "" and depth == 1 and event == "map_key":
            skipping = value if value in skip else None
        if skipping is not None and not (depth == 1 and event in ("map_key", "end_map")):
            continue
        count += 1
        if builder is not False:
            if count > MAX_RECORD_VALUES:
                builder = False
            else:
                builder.event(event, value)
        if depth == 0:
            yield (
                builder.value
                if builder is not False
                else RecordError(f"a single record with more than {MAX_RECORD_VALUES:,} values: not a ClaimReview")
            )
            builder = None


def _invalid(document: str, error: Exception) -> RecordError:
    if len(document) < PRECISE_ERRORS_BELOW:
        try:
            json.loads(document)
        except json.JSONDecodeError as precise:
            return RecordError(f"not valid JSON (line {precise.lineno}, column {precise.colno}: {precise.msg})")
        except RecursionError:
            pass
    return RecordError(f"not valid JSON ({str(error).splitlines()[0]})")


def stream_claim_reviews(document: str | bytes, where: str, claim_reviews, fact_check_tools_claim) -> Iterator[tuple]:
    """(location, record) for every ClaimReview in ``document`` (UTF-8 bytes or text), as
    readers.claim_reviews finds them in a parsed document, one record in memory at a time."""
    raw = document.encode() if isinstance(document, str) else document
    try:
        shape = _shape(raw)
    except ijson.JSONError as error:
        document = raw.decode()
        unescaped = html.unescape(document)  # some pages escape their JSON-LD as HTML text
        if unescaped == document:
            yield where, _invalid(document, error)
            return
        try:
            raw, shape = unescaped.encode(), _shape(unescaped.encode())
        except ijson.JSONError:
            yield where, _invalid(document, error)
            return
    except RecordError as error:
        yield where, error
        return

    def each(prefix: str):
        return enumerate(_values(raw, prefix), start=1)

    if shape.top == "array":
        for index, item in each("item"):
            if isinstance(item, RecordError):
                yield f"{where} item {index}", item
            else:
                yield from claim_reviews(item, f"{where} item {index}")
        return
    if shape.top != "object":
        return
    if "claims" in shape.keys and "@type" not in shape.keys:
        for index, claim in each("claims.item"):
            yield from fact_check_tools_claim(claim, index, where)
        return
    kinds = {kind.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for kind in shape.types}
    if "@graph" in shape.keys:
        for index, item in each("@graph.item"):
            if isinstance(item, RecordError):
                yield f"{where} @graph item {index}", item
            else:
                yield from claim_reviews(item, f"{where} @graph item {index}")
    if "datafeed" in kinds:
        for index, element in each("dataFeedElement.item"):
            if isinstance(element, RecordError):
                yield f"{where} dataFeedElement {index}", element
            else:
                yield from claim_reviews(element, f"{where} dataFeedElement {index}")
    elif kinds & {"datafeeditem", "claimreview"}:
        for whole in _values(raw, "", skip=frozenset({"@graph"})):
            if isinstance(whole, RecordError):
                yield where, whole
            else:
                yield from claim_reviews(whole, where)
