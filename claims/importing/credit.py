"""Who: the fact-checker credited with a review, the review's byline, the claim's speaker.

The fact-checking organisation is the review's ``author`` when that is an Organization;
otherwise its ``publisher`` (a name, an Organization, or Google Fact Check Tools'
``{"site": ...}``, which is named after the site); otherwise an author of no stated
type (a bare name, as many feeds and spreadsheets give it); otherwise the import's
``publisher_name``. Person authors are never credited as the fact-checker: they are the
review's byline. The fact-checker's URL is kept as this review gives it.

Where the desk holds one value (one fact-checker, one speaker per claim) and the data
gives several, the first is kept and the rest are named in the review's notes.
"""

import re
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings

from claims.choices import SpeakerKind

from .readers import types
from .records import Options, Person
from .summary import RecordError
from .values import LIMITS, clean_text, parse_url

ORGANISATION_TYPES = {
    "organization",
    "governmentorganization",
    "newsmediaorganization",
    "ngo",
    "corporation",
    "educationalorganization",
    "project",
}
BYLINE_LIMIT = 300
WIKIDATA = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/(Q[1-9][0-9]*)$")


def as_list(value) -> list:
    """A value schema.org allows to be one or many, as a list without the empty ones."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [] if _empty(value) else [value]
    return [item for item in value if not _empty(item)]


def _empty(value) -> bool:
    return value is None or (not value and isinstance(value, str | dict | list))


def _named(value, text_key: str = "name") -> dict:
    if isinstance(value, str):
        return {text_key: value}
    if isinstance(value, dict):
        return value
    raise RecordError("author is neither a name nor an Organization or Person")


def site_name(site) -> str:
    """A site's name from its address: ``https://www.fullfact.org/`` → ``fullfact.org``."""
    text = clean_text(site)
    host = urlsplit(text if "://" in text else f"https://{text}").hostname or ""
    return host.removeprefix("www.")


def _publisher(value) -> dict:
    publisher = _named(value)
    site = clean_text(publisher.get("site"))
    if site:  # Google Fact Check Tools: {"name": ..., "site": "fullfact.org"}, the name sometimes missing
        url = site if "://" in site else f"https://{site.strip('/')}/"
        publisher = {**publisher, "name": publisher.get("name") or site_name(site), "url": publisher.get("url") or url}
    return publisher


@cache
def _desk(name: str, url: str) -> tuple[str, str]:
    return name.casefold(), url.rstrip("/").casefold()


def _is_desk(name: str, url: str) -> bool:
    desk_name, desk_url = _desk(settings.FACTCHECK_DESK_NAME, settings.FACTCHECK_DESK_URL)
    return bool(url and url.rstrip("/").casefold() == desk_url) or name.casefold() == desk_name


def fact_checker(raw: dict, *, review_url: str, options: Options, notes: list[str]) -> tuple:
    """(reviewer, byline): reviewer is (name, url), or None for this desk's own review."""
    organisations: list[dict] = []
    people: list[dict] = []
    untyped: list[dict] = []
    for author in map(_named, as_list(raw.get("author"))):
        kinds = types(author)
        (organisations if kinds & ORGANISATION_TYPES else people if "person" in kinds else untyped).append(author)
    publishers = [_publisher(value) for value in as_list(raw.get("publisher"))]
    if organisations:
        credited, others = organisations[0], organisations[1:] + publishers
        people += untyped
    elif publishers:
        credited, others = publishers[0], publishers[1:]
        people += untyped  # a name of no stated type beside a publisher: the journalist
    elif untyped:
        credited, others = untyped[0], untyped[1:]
    else:
        credited, others = {}, []
    name = clean_text(credited.get("name"), "author.name", limit=LIMITS["author name"]) or options.publisher_name
    if not name:
        if people:
            raise RecordError(
                "the review's author is a Person (its byline) and neither a publisher nor --publisher-name "
                "names the fact-checking organisation"
            )
        raise RecordError("author.name is missing (give --publisher-name for data that does not say who reviewed it)")
    url = parse_url(credited.get("url"), "author.url", limit=LIMITS["publisher url"], base=review_url)
    other_names = [clean_text(other.get("name")) for other in others]
    if any(other_names):
        notes.append(f"credited {name}; also named as author or publisher: {', '.join(filter(None, other_names))}")
    return (None if _is_desk(name, url) else (name, url)), _byline(people, notes)


def _byline(people: list[dict], notes: list[str]) -> str:
    names = list(dict.fromkeys(filter(None, (clean_text(person.get("name")) for person in people))))
    byline = ""
    for number, person in enumerate(names):
        longer = f"{byline}, {person}" if byline else person
        if len(longer) > BYLINE_LIMIT:
            notes.append(f"byline kept to {number} name(s); not kept: {', '.join(names[number:])}")
            break
        byline = longer
    return byline


def speaker(item: dict, notes: list[str]) -> Person | None:
    """Who made the claim (``itemReviewed.author``); the desk keeps one per claim."""
    authors = as_list(item.get("author"))
    if not authors:
        return None
    people = []
    for value in authors:
        if isinstance(value, str):
            value = {"@type": "Person", "name": value}
        if not isinstance(value, dict):
            raise RecordError("itemReviewed.author is neither a name nor a Person or Organization")
        person = _person(value)
        if person is not None:
            people.append(person)
    if len(people) > 1:
        notes.append(
            f"the claim's speaker is {people[0].name}; also named, not kept: {', '.join(p.name for p in people[1:])}"
        )
    return people[0] if people else None


def _person(value: dict) -> Person | None:
    name = clean_text(value.get("name"), "itemReviewed.author.name", limit=LIMITS["speaker name"])
    if not name:
        return None
    kind = SpeakerKind.ORGANISATION if types(value) & ORGANISATION_TYPES else SpeakerKind.PERSON
    same_as = [str(url).strip() for url in as_list(value.get("sameAs"))]
    wikidata = next((m.group(1) for url in same_as if (m := WIKIDATA.match(url))), "")
    return Person(
        name=name,
        kind=kind.value,
        role=clean_text(value.get("jobTitle"), "itemReviewed.author.jobTitle", limit=LIMITS["jobTitle"]),
        affiliation=clean_text(
            value.get("affiliation"), "itemReviewed.author.affiliation", limit=LIMITS["affiliation"]
        ),
        wikidata_id=wikidata,
    )
