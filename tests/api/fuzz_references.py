"""Real cursors and slugs for requests the fuzzer means to be valid.

A schema cannot say which cursors, rating slugs and topic slugs exist: a cursor is valid
only if the API wrote it, for the ordering asked for, and an unknown slug is a 400 by
design. In requests meant to be valid, those parameters get real values read from the
API itself, just before the request is sent; everything else stays as generated.
Requests meant to break the schema are sent exactly as generated.

Used by the in-process fuzz test (tests/api/test_fuzz.py) and by the long run against a
live server (tests/api/fuzz_hooks.py, ``make fuzz``).
"""

import re
import zlib
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

# get(path, params) -> (decoded JSON body, Link header)
Getter = Callable[[str, dict], tuple[object, str]]


def _cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


def _page_links(data, link_header: str) -> tuple[str | None, str | None]:
    """The next and previous links of a list page (JSON body, or the feed's Link header)."""
    if isinstance(data, dict) and "next" in data:
        return data["next"], data["previous"]
    links = {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', link_header)}
    return links.get("next"), links.get("prev")


def collect(get: Getter) -> dict:
    """Cursors the API wrote (forwards and backwards, per list and ordering) and public slugs.

    ``cursors[(path, ordering)]`` is empty when the list has a single page: the caller then
    leaves the cursor out.
    """
    references: dict = {"cursors": {}}
    schema, _ = get("/api/schema/", {"format": "json"})
    for path, operations in schema["paths"].items():
        parameters = {p["name"]: p for p in operations["get"].get("parameters", [])}
        if "cursor" not in parameters:
            continue
        ordering = parameters["ordering"]["schema"]
        for name in ordering["enum"]:
            found = []
            next_link, _ = _page_links(*get(path, {"ordering": name, "page_size": 1}))
            if next_link:
                query = {key: values[0] for key, values in parse_qs(urlsplit(next_link).query).items()}
                _, previous_link = _page_links(*get(path, query))
                found = [_cursor_of(next_link), *([_cursor_of(previous_link)] if previous_link else [])]
            references["cursors"][(path, name)] = found
            if name == ordering["default"]:
                references["cursors"][(path, None)] = found
    ratings, _ = get("/api/v1/ratings/", {})
    topics, _ = get("/api/v1/topics/", {"page_size": 200})
    references["rating"] = [item["slug"] for item in ratings]
    references["topic"] = [item["slug"] for item in topics["results"]]
    return references


def _pick(options: list, generated) -> object:
    # Deterministic in the generated value, so a failing example replays and shrinks.
    return options[zlib.crc32(str(generated).encode()) % len(options)]


def use_real_references(case, references: dict) -> None:
    """In a request meant to be valid, cursors and slugs that exist."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    query = case.query or {}
    if "cursor" in query:
        cursors = references["cursors"][(case.operation.path, query.get("ordering"))]
        if cursors:
            query["cursor"] = _pick(cursors, query["cursor"])
        else:
            del query["cursor"]  # a single page: no cursor names anything
    if "pageToken" in query:
        # claims:search hands out tokens for the positions of its ranked list: any of those.
        query["pageToken"] = _pick(["MA", "MQ", "MTA", "MjAw"], query["pageToken"])
    for name in ("rating", "topic"):
        if name in query and references[name]:
            query[name] = _pick(references[name], query[name])
    if case.path_parameters and "slug" in case.path_parameters:
        kind = "rating" if case.operation.path.startswith("/api/v1/ratings/") else "topic"
        # Sometimes the generated slug itself: a slug that names nothing is a valid request too (404).
        slug = case.path_parameters["slug"]
        case.path_parameters["slug"] = _pick([*references[kind], slug], slug)
