"""Reading JSON(-LD) documents a record at a time, in bounded memory.

A 50 MB upload parsed whole becomes millions of Python objects (``[{},{},…]`` took 1.7 GB).
Here a document is read with ijson's streaming parser: once to learn its shape and check
its nesting (deeper than ``MAX_DEPTH`` is refused with a clear error, where a recursive
parser would crash), then into the same values a parser would give, except that the
lists that hold records (a top-level list, and the lists of a top-level object: ``@graph``,
``dataFeedElement``, ``claims``, ``items``...) are :class:`StreamedList` objects, read
again item by item each time they are walked. A single item larger than
``MAX_RECORD_VALUES`` values is refused: a ClaimReview has dozens. Memory is then bounded
by one record, whatever the file. A list of more than ``MAX_LIST_ITEMS`` items is refused
after the first pass: no 50 MB upload holds that many reviews (the smallest useful one is
some 150 bytes), and walking 25 million empty objects would hold a worker for minutes.

The first pass is the only one that walks every event in Python. It notes which lists hold
an item too large to be a record; the others, nearly always all of them, are then read by
ijson's C parser, which builds each item whole, and a top-level object of scalars and
lists (a DataFeed, an API response) is built from what the first pass saw.
"""

import html
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

import ijson
from ijson.common import ObjectBuilder

from .summary import RecordError

MAX_DEPTH = 64
MAX_RECORD_VALUES = 100_000
MAX_LIST_ITEMS = 500_000
# Documents small enough to parse again with the json module for its exact error position.
PRECISE_ERRORS_BELOW = 1_000_000

_STARTS = {"start_map", "start_array"}
_ENDS = {"end_map", "end_array"}


class _Shape:
    def __init__(self):
        self.top = None  # "object", "array" or "scalar"
        self.items = 0  # a top-level list's items
        self.arrays: dict[str, int] = {}  # the top-level object's lists, with their lengths
        # The lists ("item" for a top-level list, else the key) holding an item too large to
        # be a record: only those are built value by value, counting (see _values).
        self.oversized: set[str] = set()
        # A top-level object's values other than its lists, when they are all scalars (a
        # DataFeed's, an API response's): then it is built from these, without another pass.
        self.scalars: dict[str, object] = {}
        self.only_scalars = True


def _shape(raw: bytes) -> _Shape:
    """The top level's kind, the lengths of its lists and whether an item of one is too large
    to be a record; RecordError if too deep.

    basic_parse, not parse: parse names every event's path, which for a document of a
    million opening brackets is a million ever-longer strings before the depth is checked.
    """
    shape = _Shape()
    depth = 0
    key = ""  # the top-level key being read; set before any value under it
    values = 0  # of the list item being read
    starts, ends = _STARTS, _ENDS
    for event, value in ijson.basic_parse(io.BytesIO(raw), use_float=True):
        values += 1
        if event == "map_key":
            if depth == 1:
                key = value
            continue
        if depth > 2 and values < MAX_RECORD_VALUES:
            # Inside an item of a top-level list, not too large yet: only the depth counts.
            # (Nearly every event of a feed; the full walk below says the same for them.)
            if event in starts:
                depth += 1
                if depth > MAX_DEPTH:
                    raise RecordError(f"nested deeper than {MAX_DEPTH} levels: not a ClaimReview document")
            elif event in ends:
                depth -= 1
            continue
        # A value begins: count it as an item of the list it is in, at the top two levels.
        if depth == 1 and shape.top == "array":
            shape.items += event not in _ENDS
            values = 0
        elif depth == 2 and key in shape.arrays:
            shape.arrays[key] += event not in _ENDS
            values = 0
        elif values >= MAX_RECORD_VALUES and depth > 1:
            shape.oversized.add("item" if shape.top == "array" else key)
        elif depth == 1 and shape.top == "object":
            if event == "start_map":
                shape.only_scalars = False
            elif event not in _STARTS:
                shape.scalars[key] = value
        if event in _STARTS:
            depth += 1
            if depth > MAX_DEPTH:
                raise RecordError(f"nested deeper than {MAX_DEPTH} levels: not a ClaimReview document")
            if depth == 1:
                shape.top = "object" if event == "start_map" else "array"
            elif depth == 2 and shape.top == "object" and event == "start_array":
                shape.arrays[key] = 0
        elif event in _ENDS:
            depth -= 1
        elif depth == 0:
            shape.top = "scalar"
    for where, length in [("", shape.items), *shape.arrays.items()]:
        if length > MAX_LIST_ITEMS:
            named = f" under {where!r}" if where else ""
            raise RecordError(
                f"a list of {length:,} items{named}: more than an import takes ({MAX_LIST_ITEMS:,}); split the file"
            )
    return shape


class StreamedList(list):
    """A list read from the document each time it is walked, one item in memory at a time.

    An item too large to be a record is a RecordError in its place.
    """

    def __init__(self, raw: bytes, prefix: str, length: int, *, checked: bool = False):
        super().__init__()
        self._raw, self._prefix, self._length = raw, prefix, length
        self._checked = checked  # no item is too large: the parser builds them whole, in C

    def __iter__(self):
        if self._checked:
            return ijson.items(io.BytesIO(self._raw), self._prefix, use_float=True)
        return _values(self._raw, self._prefix)

    def __len__(self):
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        for number, item in enumerate(self):
            if number == (index if index >= 0 else self._length + index):
                return item
        raise IndexError(index)


def _values(raw: bytes, prefix: str, *, skip: frozenset[str] = frozenset()) -> Iterator[Any]:
    """Each value found at ``prefix`` (``item`` for a top-level list's items, ``""`` for the
    whole document), built one at a time; top-level keys in ``skip`` are left out."""
    builder: ObjectBuilder | Literal[False] | None = None  # False: the record grew too large
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
        if skipping is not None and not (depth <= 1 and event in ("map_key", "end_map")):
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


def load(document: str | bytes, *, containers: tuple[str, ...]):
    """The document, parsed with the lists that hold records streamed: a top-level list,
    and the lists under ``containers`` keys of a top-level object. (The object's other lists
    are its own values, read whole, as long as they are not larger than a record may be.)

    Raises RecordError when it is not JSON, nests too deep or holds an oversized record.
    """
    raw = document.encode() if isinstance(document, str) else document
    try:
        shape = _shape(raw)
    except ijson.JSONError as error:
        text = raw.decode()
        unescaped = html.unescape(text)  # some pages escape their JSON-LD as HTML text
        if unescaped == text:
            raise _invalid(text, error) from error
        try:
            raw = unescaped.encode()
            shape = _shape(raw)
        except ijson.JSONError:
            raise _invalid(text, error) from error
    if shape.top == "array":
        return StreamedList(raw, "item", shape.items, checked="item" not in shape.oversized)
    if shape.top == "object" and shape.only_scalars:
        whole = dict(shape.scalars)
    else:
        whole = next(_values(raw, "", skip=frozenset(shape.arrays)))
    if isinstance(whole, RecordError):
        raise whole
    for key, length in shape.arrays.items():
        if key not in containers and length > MAX_RECORD_VALUES:
            raise RecordError(f"a list of {length:,} values under {key!r}: not a ClaimReview document")
        streamed = StreamedList(raw, f"{key}.item", length, checked=key not in shape.oversized)
        whole[key] = streamed if key in containers else list(streamed)
    return whole
