"""Walk the public read API as its own OpenAPI schema describes it, and keep what it showed.

The operations, their query parameters and the values an enum, an ``ordering`` or a
``page_size`` may take come from the schema the app serves, so an endpoint or a filter
added later is walked without anyone adding it here; a parameter the walk has no values
for stops the walk with a message saying which one. Values that name objects (ids,
slugs, search words, languages, addresses) come from the data under test, which says
which of them are public.
"""

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

API = "/api/v1/"
# Values that name nothing: the answer to one of them is what "there is no such thing" looks like.
MISSING_ID = "987654321"
MISSING_SLUG = "zqnosuchslug"
MISSING_TEXT = "zqnosuchword"
MISSING_URL = "https://zqnowhere.example/nothing"
MISSING = {"integer": MISSING_ID, "number": MISSING_ID, "string": MISSING_TEXT}

# Statements matched by similarity (claims.matching): not a filter, a ranking of public claims.
SIMILARITY_TEXT = {"text", "query"}

# Routes that describe the API rather than serve its data.
NOT_DATA = {"api-schema", "api-docs", "api-redoc", "favicon"}

REFERENCE = re.compile(
    r"/api/v1/(claims|verdicts|speakers|sources|publishers|topics|ratings)/([^/?#\"'\s<>.]+)(?:/|\.)"
    r"|/fact-checks/(\d+)/"
)


# The schema -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # string, integer, number, boolean, array
    format: str = ""  # date, date-time
    enum: tuple[str, ...] = ()
    maximum: int | None = None
    minimum: int | None = None
    required: bool = False


@dataclass(frozen=True)
class Operation:
    """One documented GET operation."""

    path: str
    parameters: tuple[Parameter, ...]  # query parameters
    path_parameter: str | None  # "id" or "slug" for details

    @property
    def kind(self) -> str:
        return self.path.removeprefix(API).split("/")[0]

    @property
    def is_list(self) -> bool:
        return self.path_parameter is None

    @property
    def subresource(self) -> str:
        """What follows the object's key ("" for the object itself, "claim-review" for its ClaimReview)."""
        if self.is_list:
            return ""
        return self.path.split("}/", 1)[1].strip("/")

    def fill(self, key: str) -> str:
        return self.path.replace("{" + self.path_parameter + "}", key)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _parameter(schema: dict, raw: dict) -> Parameter:
    spec = _resolve(schema, raw.get("schema", {}))
    enum = spec.get("enum", ())
    if spec.get("type") == "array":
        enum = _resolve(schema, spec.get("items", {})).get("enum", ())
    return Parameter(
        name=raw["name"],
        type=spec.get("type", "string"),
        format=spec.get("format", ""),
        enum=tuple(str(value) for value in enum),
        maximum=spec.get("maximum"),
        minimum=spec.get("minimum"),
        required=raw.get("required", False),
    )


def operations(schema: dict) -> list[Operation]:
    """Every GET operation the schema documents."""
    found = []
    for path, item in schema["paths"].items():
        if "get" not in item:
            continue
        raw = [*item.get("parameters", []), *item["get"].get("parameters", [])]
        path_parameters = [p["name"] for p in raw if p["in"] == "path"]
        assert len(path_parameters) <= 1, f"{path}: the walk knows objects named by one key"
        found.append(
            Operation(
                path=path,
                parameters=tuple(_parameter(schema, p) for p in raw if p["in"] == "query"),
                path_parameter=path_parameters[0] if path_parameters else None,
            )
        )
    return found


def url_routes() -> set[tuple[str, bool]]:
    """(URL name, with a format suffix) of every route outside the admin and the API's own docs."""
    routes = set()

    def visit(patterns, namespace: str, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                visit(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name not in NOT_DATA:
                routes.add((f"{namespace}{pattern.name}", "format" in pattern.pattern.regex.groupindex))

    visit(get_resolver().url_patterns, "", "")
    return routes


# What to ask ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request of the walk and what its answer must be."""

    route: str  # the schema path (or page route) it exercises
    path: str
    params: tuple[tuple[str, str], ...] = ()
    expect: frozenset[int] = frozenset({200})
    pages: str = ""  # "next": follow the pages; "both": then come back with the previous links
    like: "Request | None" = None  # must answer exactly as this request, which names nothing
    empty: bool = False  # a list that must have no results

    def data(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for name, value in self.params:
            grouped.setdefault(name, []).append(value)
        return grouped

    def __str__(self) -> str:
        query = "&".join(f"{name}={value}" for name, value in self.params)
        return f"{self.path}?{query}" if query else self.path


class DeskData:
    """What the walk needs to know of the data under test; see tests/api/workflow_states.py."""

    keys: dict[str, dict[str, str]]  # kind -> key -> "public" | "secret" | "withdrawn"
    visible_at: dict[tuple[str, str], set[str]]  # (kind, subresource) -> keys the public gets
    markers: dict[str, bool]  # every marker word -> public?
    values: dict[str, list[str]]  # parameter name -> values found in the data (language, web_url...)
    secret_only: dict[str, set[str]]  # parameter name -> values only unpublished work has
    moments: list[str]  # date-times of everything in the data, published or not
    dates: list[str]


class NoValuesFor(LookupError):
    """A documented parameter the walk does not know how to exercise."""


@dataclass(frozen=True)
class Scope:
    """How much of the data a walk asks about.

    ``new_since``: only values this earlier state of the data did not have (what was added
    since). ``thin``: one value of each role per parameter, for callers whose answers are
    compared with a full walk's.
    """

    new_since: DeskData | None = None
    thin: bool = False


FULL = Scope()


def _candidates(operation: Operation, parameter: Parameter, desk: DeskData, refused: set, refusal: frozenset):
    """(values, role, category, expect, empty) for one filter: every value that matters for visibility.

    Roles: "nothing" names nothing, "secret" names unpublished work (its answer must be that
    of "nothing"), "public" and "neutral" must simply be answered, "enum" are the values the
    schema lists. Category says where the value comes from, to tell what is new in the data.
    """
    route, name = operation.path, parameter.name
    secret_only = desk.secret_only.get(name, set())
    ok, either = frozenset({200}), frozenset({200, 400})

    if parameter.enum:
        for value in parameter.enum:
            yield [value], "enum", "", refusal if value in refused else ok, value in secret_only
        if parameter.type == "array":
            yield [v for v in parameter.enum if v not in refused], "enum", "", ok, False
            yield list(parameter.enum), "enum", "", refusal if refused else ok, False
        return
    if parameter.type == "boolean":
        for value in ("true", "false"):
            yield [value], "enum", "", refusal if value in refused else ok, value in secret_only
        return
    if parameter.format in ("date-time", "date"):
        category = "moments" if parameter.format == "date-time" else "dates"
        for value in getattr(desk, category):
            yield [value], "neutral", category, ok, False
        return
    if name == "q":
        yield [MISSING_TEXT], "nothing", "", ok, True
        for marker, public in desk.markers.items():
            yield [marker], "public" if public else "secret", "markers", ok if public else either, False
        return
    if name in SIMILARITY_TEXT:
        # Similarity always finds the nearest public claims, whatever the words: a word of
        # unpublished work must be answered, and shows nothing of it (checked on every answer).
        yield [MISSING_TEXT], "nothing", "", ok, False
        for marker, public in desk.markers.items():
            yield [marker], "public" if public else "neutral", "markers", ok, False
        return
    kind = f"{name}s"
    if kind in desk.keys:
        yield [MISSING_SLUG if parameter.type == "string" else MISSING_ID], "nothing", "", either, False
        for key, visibility in sorted(desk.keys[kind].items()):
            if key in secret_only:
                yield [key], "neutral", f"keys:{kind}", ok, True
            elif visibility == "secret" or (visibility == "withdrawn" and kind != "claims"):
                yield [key], "secret", f"keys:{kind}", either, False
            else:
                # A withdrawn claim is still named by its retracted verdicts: asking for it tells nothing new.
                yield [key], "public", f"keys:{kind}", ok, False
        return
    if name in desk.values:
        missing = MISSING_URL if "url" in name else MISSING.get(parameter.type, MISSING_TEXT)
        yield [missing], "nothing", "", either, False
        for value in desk.values[name]:
            if value in secret_only:
                yield [value], "secret", f"values:{name}", either, False
            else:
                yield [value], "public", f"values:{name}", ok, False
        return
    if parameter.type == "integer" and parameter.minimum is not None and parameter.maximum is not None:
        for value in (parameter.minimum, parameter.maximum):
            yield [str(value)], "neutral", "", ok, False
        return
    raise NoValuesFor(
        f"{route}?{name}= is documented but the walk has no values for it: say in tests/api/workflow_states.py "
        "which values of the data it takes (and which only unpublished work has)."
    )


def _known(desk: DeskData, category: str, value: str) -> bool:
    if category.startswith("keys:"):
        return value in desk.keys[category[5:]]
    if category.startswith("values:"):
        return value in desk.values[category[7:]]
    return value in getattr(desk, category)


def _values_for(operation, parameter, desk, refused, refusal, scope: Scope, base=()) -> list[Request]:
    """Requests exercising one filter, each with what its answer must be (``base``: the required parameters)."""
    requests, nothing, roles_taken = [], None, set()
    for values, role, category, expect, empty in _candidates(
        operation, parameter, desk, refused.get(parameter.name, set()), refusal
    ):
        if scope.new_since is not None and category and _known(scope.new_since, category, values[0]):
            continue
        if scope.thin and role in roles_taken and role != "enum":
            continue
        roles_taken.add(role)
        params = tuple(p for p in base if p[0] != parameter.name) + tuple((parameter.name, value) for value in values)
        request = Request(
            operation.path, operation.path, params, expect, "next", nothing if role == "secret" else None, empty
        )
        if role == "nothing":
            nothing = request
        requests.append(request)
    return requests


def _list_requests(operation: Operation, desk: DeskData, refused: dict, refusal: frozenset, scope: Scope):
    path = operation.path
    # Parameters an operation cannot do without (the text to match) are sent with every request.
    base = tuple((parameter.name, MISSING_TEXT) for parameter in operation.parameters if parameter.required)
    requests = [Request(path, path, base, pages="next")]
    if not base:
        requests.append(Request(path, path.rstrip("/") + ".json", pages="next"))
    for parameter in operation.parameters:
        name = parameter.name
        if name == "cursor":
            continue  # cursors are the ones the pages hand out, followed both ways
        if name == "ordering":
            # One item per page: every cursor of every ordering, forwards and back.
            requests += [
                Request(path, path, ((name, value), ("page_size", "1")), pages="both") for value in parameter.enum
            ]
        elif name == "page_size":
            requests.append(Request(path, path, ((name, "1"),), pages="both"))
            requests.append(Request(path, path, ((name, str(parameter.maximum)),), pages="next"))
        else:
            requests += _values_for(operation, parameter, desk, refused, refusal, scope, base)
    return requests


def _detail_requests(operation: Operation, desk: DeskData) -> list[Request]:
    kind, subresource = operation.kind, operation.subresource
    if kind not in desk.keys:
        raise NoValuesFor(f"{operation.path}: the data under test has no {kind}")
    if (kind, subresource) not in desk.visible_at:
        raise NoValuesFor(f"{operation.path}: say in tests/api/workflow_states.py which {kind} the public gets here")
    visible = desk.visible_at[(kind, subresource)]
    # A public object without this subresource (a retracted verdict has no ClaimReview) may say
    # why it has none; only an object the public may not see must answer exactly as a missing one.
    public_objects = desk.visible_at[(kind, "")]
    missing_key = MISSING_SLUG if operation.path_parameter == "slug" else MISSING_ID
    variants: list[tuple[str, tuple]] = [("", ())]
    for parameter in operation.parameters:
        if not parameter.enum:
            raise NoValuesFor(f"{operation.path}?{parameter.name}= is documented but the walk has no values for it")
        variants += [("", ((parameter.name, value),)) for value in parameter.enum]
    # The same views answer with a format suffix (claims/1.json); the rules must not differ there.
    suffixes = next((p.enum for p in operation.parameters if p.name == "format"), ("json",))
    variants += [(f".{suffix}", ()) for suffix in suffixes]

    requests = []
    for number, (suffix, params) in enumerate(variants):

        def path_for(key, suffix=suffix):
            path = operation.fill(key)
            return path.rstrip("/") + suffix if suffix else path

        nothing = Request(operation.path, path_for(missing_key), params, frozenset({404}))
        requests.append(nothing)
        keys = sorted(desk.keys[kind])
        if number:
            # Other formats of the same answer: one object the public gets and one it does not.
            keys = [k for k in keys if k in visible][:1] + [k for k in keys if k not in visible][:1]
        for key in keys:
            if key in visible:
                requests.append(Request(operation.path, path_for(key), params))
            else:
                like = None if key in public_objects else nothing
                requests.append(Request(operation.path, path_for(key), params, frozenset({404}), like=like))
    return requests


def plan(
    schema_operations: Iterable[Operation],
    desk: DeskData,
    *,
    refused: dict[str, set[str]],
    refusal: int,
    scope: Scope = FULL,
) -> list[Request]:
    """Every request of the walk: each documented operation with each parameter and value, and the pages.

    ``refused`` are parameter values outsiders are refused (asking for drafts), with the
    status ``refusal``.
    """
    requests: list[Request] = []
    for operation in schema_operations:
        if operation.is_list:
            requests += _list_requests(operation, desk, refused, frozenset({refusal}), scope)
        else:
            requests += _detail_requests(operation, desk)
    # The pages people read, and the API's index.
    requests += [Request("/", "/"), Request("/api/v1/", "/api/v1/"), Request("/api/v1/", "/api/v1/.json")]
    missing_page = Request("/fact-checks/{id}/", f"/fact-checks/{MISSING_ID}/", expect=frozenset({404}))
    requests.append(missing_page)
    for key in sorted(desk.keys["claims"]):
        if key in desk.visible_at[("claims", "fact-check page")]:
            requests.append(Request("/fact-checks/{id}/", f"/fact-checks/{key}/"))
        else:
            requests.append(
                Request("/fact-checks/{id}/", f"/fact-checks/{key}/", expect=frozenset({404}), like=missing_page)
            )
    from .integration_walk import integration_requests

    return requests + integration_requests(desk)


# Asking -----------------------------------------------------------------------------------


@dataclass
class Seen:
    """One response, as the caller got it."""

    request: Request
    url: str
    via: str  # "", "next" or "previous": how the walk got to this page
    status: int
    content: bytes
    headers: dict[str, str]

    @property
    def is_json(self) -> bool:
        return self.headers.get("Content-Type", "").split(";")[0].endswith("json")

    def data(self):
        return json.loads(self.content) if self.content and self.is_json else None

    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)


COMPARED_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Link")


def _links(seen: Seen) -> dict[str, str]:
    links = {}
    data = seen.data()
    if isinstance(data, dict):
        for rel in ("next", "previous"):
            if data.get(rel):
                links[rel] = data[rel]
    for url, rel in re.findall(r'<([^>]+)>;\s*rel="(\w+)"', seen.headers.get("Link", "")):
        links["previous" if rel == "prev" else rel] = url
    return links


class Walker:
    """Makes the planned requests as one caller, following pages, and keeps every response."""

    MAX_PAGES = 200

    def __init__(self, client: Client):
        # A server error is an answer like any other here: recorded, and reported with the rest.
        client.raise_request_exception = False
        self.client = client
        self.seen: list[Seen] = []
        self.first: dict[Request, Seen] = {}

    def _get(self, request: Request, url: str, data: dict | None, via: str) -> Seen:
        response = self.client.get(url, data or {})
        full = response.request["PATH_INFO"] + (
            "?" + response.request["QUERY_STRING"] if response.request.get("QUERY_STRING") else ""
        )
        headers = {name: response[name] for name in COMPARED_HEADERS if response.has_header(name)}
        content = b"".join(response.streaming_content) if response.streaming else response.content
        seen = Seen(request, full, via, response.status_code, content, headers)
        self.seen.append(seen)
        return seen

    def _follow(self, request: Request, seen: Seen, rel: str) -> Seen:
        visited = {seen.url}
        for _ in range(self.MAX_PAGES):
            link = _links(seen).get(rel)
            if not link or seen.status != 200:
                return seen
            seen = self._get(request, link, None, rel)
            assert seen.url not in visited, f"{request}: the {rel} links go round in a circle at {seen.url}"
            visited.add(seen.url)
        raise AssertionError(f"{request}: more than {self.MAX_PAGES} pages")

    def run(self, requests: Iterable[Request]) -> "Walker":
        for request in requests:
            first = self._get(request, request.path, request.data(), "")
            self.first[request] = first
            if request.pages and first.status == 200:
                last = self._follow(request, first, "next")
                if request.pages == "both":
                    self._follow(request, last, "previous")
        return self


# What was shown ---------------------------------------------------------------------------


def decoded_cursor(url: str) -> str:
    raw = dict(parse_qsl(urlsplit(url).query)).get("cursor", "")
    try:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return raw


def shown_text(seen: Seen) -> str:
    """Everything the response tells the caller, minus what merely repeats the caller's own request.

    Next and previous links repeat the caller's parameters: what they add is their path and
    their cursor, which is decoded (a cursor holds the position and key of a row). Errors may
    quote a value the caller sent.
    """
    sent = seen.query()
    parts = []
    data = seen.data()
    if seen.is_json:
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if key not in ("next", "previous")}
        parts.append(json.dumps(data, ensure_ascii=False))
    else:
        parts.append(seen.content.decode(errors="replace"))
    for link in _links(seen).values():
        target = urlsplit(link)
        added = [
            (k, v) for k, v in parse_qsl(target.query, keep_blank_values=True) if k != "cursor" and (k, v) not in sent
        ]
        parts += [target.path, decoded_cursor(link), json.dumps(added, ensure_ascii=False)]
    text = "\n".join(parts)
    if seen.status >= 400:
        for _, value in sent:
            if not value.isdigit():
                text = text.replace(value, "")
    return text


def references(text: str) -> set[tuple[str, str]]:
    """The objects a text links to, as (kind, key): API URLs and public fact-check pages."""
    return {("claims", page) if page else (kind, key) for kind, key, page in REFERENCE.findall(text)}


def json_keys(data, found=None) -> set[tuple[str, object]]:
    """Every (key, value) pair anywhere in a JSON document."""
    found = set() if found is None else found
    if isinstance(data, dict):
        for key, value in data.items():
            found.add((key, json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value))
            json_keys(value, found)
    elif isinstance(data, list):
        for item in data:
            json_keys(item, found)
    return found


def results(seen: Seen) -> list | None:
    data = seen.data()
    if isinstance(data, dict) and "results" in data:
        return data["results"]
    if isinstance(data, dict) and "dataFeedElement" in data:
        return data["dataFeedElement"]
    return None


def normalised(seen: Seen) -> tuple[int, str]:
    """Status and body with the caller's own parameter values blanked, to compare two requests."""
    text = seen.content.decode(errors="replace")
    for _, value in seen.query():
        if value:
            text = text.replace(value, "<value>")
    return seen.status, text


def route_of(seen: Seen) -> tuple[str, bool]:
    match = resolve(urlsplit(seen.url).path)
    return match.view_name, "format" in match.kwargs


def coverage_gaps(schema_operations: list[Operation], walker: Walker) -> list[str]:
    gaps = []
    by_route: dict[str, list[Seen]] = {}
    for seen in walker.seen:
        by_route.setdefault(seen.request.route, []).append(seen)
    for operation in schema_operations:
        seen_here = by_route.get(operation.path, [])
        answered = [seen for seen in seen_here if seen.status == 200]
        if not answered:
            gaps.append(f"{operation.path} never answered 200")
        if not operation.is_list and not any(seen.status == 404 for seen in seen_here):
            gaps.append(f"{operation.path} was never asked for an unpublished or missing object")
        for parameter in operation.parameters:
            used = [seen for seen in answered if any(name == parameter.name for name, _ in seen.query())]
            if not used:
                gaps.append(f"{operation.path}?{parameter.name}= never exercised with a 200 answer")
            sent = {value for seen in seen_here for name, value in seen.query() if name == parameter.name}
            for value in parameter.enum:
                if value not in sent:
                    gaps.append(f"{operation.path}?{parameter.name}={value} never asked")
        if any(parameter.name == "cursor" for parameter in operation.parameters):
            if not any(seen.via == "previous" for seen in answered):
                gaps.append(f"{operation.path}: no previous link was ever followed")
            if not any(seen.via == "next" for seen in answered):
                gaps.append(f"{operation.path}: no next link was ever followed")
    asked = {route_of(seen) for seen in walker.seen}
    gaps += [
        f"route {name}{' with a format suffix' if suffix else ''} never asked"
        for name, suffix in sorted(url_routes() - asked)
    ]
    return gaps
