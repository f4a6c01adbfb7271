"""Normalising: one raw ClaimReview into plain, checked values (:class:`~.records.Review`).

Every field the desk can hold is kept: ``headline`` (or ``name``, or ``title``) and
``reviewBody`` (or ``description``, or ``subtitle``); the claim's speaker, date (or its
wording: ``made_on_text``, from ``itemReviewed.datePublished`` or
``itemReviewed.temporalCoverage``) and where it was made (``itemReviewed.name``:
``made_in``); every appearance, and the reviewed CreativeWork itself when the review
is of a work rather than a Claim; the language (``inLanguage``, the page's
``<html lang>``, the import's ``language``); the fact-checker and byline
(:mod:`.credit`). Relative addresses are resolved against the page's or the review's
address. Where the desk keeps one value and the data gives several, the first is kept
and the rest are named in the review's notes; keys the import does not read are named
too. What cannot be honoured (no URL, no claim, no rating, a date that is no date or is
ambiguous, a value too long) refuses the record with a
:class:`~claims.importing.summary.RecordError`.
"""

from datetime import datetime

from sources.choices import SourceKind

from .credit import as_list, fact_checker, speaker
from .dates import given_offset, parse_claim_date, parse_day, parse_moment
from .readers import CLAIM_GROUP, FEED_DATE_CREATED, PAGE_LANGUAGE, PAGE_URL, types
from .records import Options, Review, Work
from .summary import RecordError
from .tabular import CSV_COLUMNS
from .values import LIMITS, clean_text, parse_number, parse_url

WORK_KINDS = {
    "socialmediaposting": SourceKind.SOCIAL_POST,
    "blogposting": SourceKind.SOCIAL_POST,
    "videoobject": SourceKind.BROADCAST,
    "broadcastevent": SourceKind.BROADCAST,
    "audioobject": SourceKind.BROADCAST,
    "newsarticle": SourceKind.NEWS_ARTICLE,
    "article": SourceKind.NEWS_ARTICLE,
    "report": SourceKind.REPORT,
    "claimreview": SourceKind.FACT_CHECK,
}
# Keys read, and keys of the markup itself that hold nothing to keep; any other is reported.
MARKUP = {"@context", "@id", "@type", "image", "thumbnailUrl", "logo", "mainEntityOfPage", "sdPublisher"}
MARKUP |= {"sdDatePublished", "sdLicense", "isPartOf"}
READ = {
    "": {"url", "claimReviewed", "author", "publisher", "datePublished", "dateModified", "headline", "name"}
    | {"title", "description", "subtitle", "reviewBody", "inLanguage", "reviewRating", "itemReviewed"},
    "itemReviewed": {"author", "datePublished", "appearance", "firstAppearance", "name", "url", "headline"}
    | {"inLanguage", "publisher", "temporalCoverage"},
    "reviewRating": {"alternateName", "name", "ratingValue", "bestRating", "worstRating"},
    "author": {"name", "url", "sameAs", "site"},
    "publisher": {"name", "url", "sameAs", "site"},
    "itemReviewed.author": {"name", "jobTitle", "affiliation", "sameAs", "url"},
}
# What the surroundings add to a record (see .readers) is no key of the data's.
CONTEXT = {FEED_DATE_CREATED, PAGE_URL, PAGE_LANGUAGE, CSV_COLUMNS, CLAIM_GROUP}
ALLOWED = {path: frozenset(keys | MARKUP | (CONTEXT if not path else set())) for path, keys in READ.items()}
NESTED = {
    path: tuple((key, f"{path}.{key}" if path else key) for key in keys if (f"{path}.{key}" if path else key) in READ)
    for path, keys in READ.items()
}


def normalise(raw: dict, where: str, *, options: Options | None = None) -> Review:
    """One raw ClaimReview as plain, checked values; RecordError says what is wrong."""
    options = options or Options()
    notes: list[str] = []
    page_url = raw.get(PAGE_URL) or ""
    url = parse_url(raw.get("url"), "url", base=page_url)
    if not url:
        raise RecordError("url is missing: a review is identified by its URL and the claim it reviews")
    claim_text = _first_text(raw.get("claimReviewed"), "claimReviewed", LIMITS["claimReviewed"], notes)
    if not claim_text:
        raise RecordError("claimReviewed is missing: the claim the review checks is required")
    rating = _first_object(raw.get("reviewRating"), "reviewRating", "alternateName", "is not a Rating", notes)
    label = clean_text(
        rating.get("alternateName") or rating.get("name"), "reviewRating.alternateName", limit=LIMITS["alternateName"]
    )
    value = parse_number(rating.get("ratingValue"), "reviewRating.ratingValue")
    if not label and value is None:
        raise RecordError("reviewRating has neither alternateName nor ratingValue")
    reviewer, byline = fact_checker(raw, review_url=url, options=options, notes=notes)
    item = _first_object(raw.get("itemReviewed"), "itemReviewed", "", "is not a Claim or CreativeWork", notes)
    claim_date, claim_date_text = parse_claim_date(
        item.get("datePublished"), "itemReviewed.datePublished", day_first=options.day_first
    )
    if claim_date is None and not claim_date_text:
        # The claim's date as worded ("2021", "mid-July"), as this desk exports it.
        claim_date, claim_date_text = parse_claim_date(
            item.get("temporalCoverage"), "itemReviewed.temporalCoverage", day_first=options.day_first
        )
    created = _feed_created(raw)
    given = parse_moment(raw.get("datePublished"), "datePublished", day_first=options.day_first)
    # To the second when the feed item's dateCreated falls on the day datePublished names.
    published = created if given is not None and created is not None and created.date() == given.date() else given
    return Review(
        where=where,
        url=url,
        claim_text=claim_text,
        language=_language(raw, item, options, notes),
        headline=clean_text(
            raw.get("headline") or raw.get("name") or raw.get("title"), "headline", limit=LIMITS["headline"]
        ),
        explanation=clean_text(
            raw.get("reviewBody") or raw.get("description") or raw.get("subtitle"),
            "reviewBody",
            limit=LIMITS["reviewBody"],
            paragraphs=True,
        ),
        date_published=published,
        date_offset=given_offset(raw.get("datePublished"), given),
        date_modified=parse_moment(raw.get("dateModified"), "dateModified", day_first=options.day_first),
        date_created=created,
        reviewer=reviewer,
        byline=byline,
        rating_label=label,
        rating_value=value,
        best_rating=parse_number(rating.get("bestRating"), "reviewRating.bestRating"),
        worst_rating=parse_number(rating.get("worstRating"), "reviewRating.worstRating"),
        speaker=speaker(item, notes),
        claim_date=claim_date,
        claim_date_text=claim_date_text,
        made_in=_made_in(item, claim_text, notes),
        appearances=_appearances(item, url, options, notes),
        notes=notes,
        unknown_keys=_unknown_keys(raw),
        claim_group=str(raw.get(CLAIM_GROUP) or ""),
    )


def _first_text(value, what: str, limit: int, notes: list[str]) -> str:
    texts = list(dict.fromkeys(filter(None, (clean_text(item, what, limit=limit) for item in as_list(value)))))
    if len(texts) > 1:
        notes.append(f"{what} has {len(texts)} values; kept the first, not kept: {' | '.join(texts[1:])}")
    return texts[0] if texts else ""


def _first_object(value, what: str, text_key: str, refusal: str, notes: list[str]) -> dict:
    """A schema.org object given as an object, a list (its first) or text (``{text_key: text}``)."""
    values = as_list(value)
    if len(values) > 1:
        notes.append(f"{what} has {len(values)} values; kept the first")
    if not values:
        return {}
    first = values[0]
    if isinstance(first, str) and text_key:
        return {text_key: first}
    if not isinstance(first, dict):
        raise RecordError(f"{what} {refusal}")
    return first


def _language(raw: dict, item: dict, options: Options, notes: list[str]) -> str:
    language = raw.get("inLanguage") or item.get("inLanguage") or raw.get(PAGE_LANGUAGE) or options.language
    languages = as_list(language)
    if len(languages) > 1:
        notes.append(f"inLanguage has {len(languages)} values; kept the first")
    language = languages[0] if languages else ""
    if isinstance(language, dict):
        language = language.get("alternateName") or language.get("name") or ""
    return clean_text(language, "inLanguage", limit=LIMITS["inLanguage"]) or "und"


def _made_in(item: dict, claim_text: str, notes: list[str]) -> str:
    """Where the claim was made (``itemReviewed.name`` of a Claim: a channel, an event)."""
    if types(item) - {"claim"}:
        return ""  # a reviewed CreativeWork's name is its title (see _appearances)
    name = clean_text(item.get("name"))
    if not name or name.casefold() == claim_text.casefold():
        return ""
    if len(name) > LIMITS["made in"]:
        notes.append(f"itemReviewed.name not kept: {len(name)} characters, the most kept is {LIMITS['made in']}")
        return ""
    return name


def _appearances(item: dict, review_url: str, options: Options, notes: list[str]) -> list[Work]:
    works = _works(item.get("appearance"), "itemReviewed.appearance", review_url, options)
    extra = _works(item.get("firstAppearance"), "itemReviewed.firstAppearance", review_url, options)
    if types(item) - {"claim"} and (item.get("url") or item.get("@id")):
        # The review is of a work (a post, a video): the work is where the claim appeared.
        extra += _works({k: v for k, v in item.items() if k != "author"}, "itemReviewed", review_url, options)
    for work in extra:
        if work.key not in {existing.key for existing in works}:
            works.append(work)
    return works


def _works(value, what: str, base: str, options: Options) -> list[Work]:
    works = []
    for item in as_list(value):
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            raise RecordError(f"{what} is neither a web address nor a CreativeWork")
        url = parse_url(item.get("url") or item.get("@id"), f"{what}.url", base=base)
        title = clean_text(
            item.get("headline") or item.get("name"), f"{what}.headline", limit=LIMITS["appearance headline"]
        )
        publisher = (as_list(item.get("publisher")) or as_list(item.get("author")) or [""])[0]
        publisher_name = clean_text(publisher, f"{what}.publisher.name", limit=LIMITS["publisher name"])
        if not url and not title:
            continue
        kind = next((WORK_KINDS[k] for k in types(item) if k in WORK_KINDS), SourceKind.OTHER).value
        works.append(
            Work(
                url=url,
                title=title or url[: LIMITS["appearance headline"]],
                published_on=parse_day(item.get("datePublished"), f"{what}.datePublished", day_first=options.day_first),
                publisher=publisher_name,
                kind=kind,
            )
        )
    return works


def _feed_created(raw: dict) -> datetime | None:
    if not raw.get(FEED_DATE_CREATED):
        return None
    try:
        return parse_moment(raw[FEED_DATE_CREATED], "dataFeedElement.dateCreated")
    except RecordError:
        return None


def _unknown_keys(raw: dict) -> list[str]:
    """The keys of the record the import does not read, as dotted paths (CSV: the columns)."""
    unknown: list[str] = []
    _walk(raw, "", unknown)
    if not unknown:
        return unknown
    columns = raw.get(CSV_COLUMNS) or {}
    return sorted({f"column {columns[dotted]}" if dotted in columns else dotted for dotted in unknown})


def _walk(node: dict, path: str, unknown: list[str]) -> None:
    allowed = ALLOWED[path]
    if not node.keys() <= allowed:
        unknown.extend(f"{path}.{key}" if path else key for key in node if key not in allowed)
    for key, dotted in NESTED[path]:
        value = node.get(key)
        for element in value if isinstance(value, list) else (value,):
            if isinstance(element, dict):
                _walk(element, dotted, unknown)
