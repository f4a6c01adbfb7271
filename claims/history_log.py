"""The history of a claim or a verdict as the desk reads it: who, when, why and what changed.

Reads django-simple-history's records and turns consecutive versions into rows of
human changes ("Status: Draft → In review"). A claim's history includes its
appearances and its verdicts' transitions; a verdict's includes its evidence. Rows
whose only changes are bookkeeping (version numbers, timestamps) are left out; every
row names who made it (or says it came with loaded data) and why.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from sources.models import Source

from .models import Appearance, Claim, Evidence, Topic, Verdict

# Columns that change with every save and say nothing to a reader, and the link to the parent
# whose history the rows are shown in.
BOOKKEEPING = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "search_document",
    "claim",
    "verdict",
    "date_published_known",
}
TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}
EMPTY = "—"
# simple-history keeps each claim version's topics in rows of HistoricalClaim_topics.
TOPIC_ROWS = "historicalclaim_topics_set"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Row:
    when: datetime
    who: str
    why: str
    subject: str
    changes: list[Change] = field(default_factory=list)


def desk_time(value: datetime | None) -> str:
    """A time in the desk's time zone, to the minute; "—" when there is none."""
    if not value:
        return EMPTY
    return timezone.localtime(value).strftime("%-d %b %Y %H:%M")


class _Names:
    """Display names of the rows history records point to, fetched once per model."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set[Any]] = {}
        self.names: dict[type[models.Model], dict[Any, str]] = {}

    def want(self, model: type[models.Model], pk: Any) -> None:
        if pk is not None:
            self.wanted.setdefault(model, set()).add(pk)

    def load(self) -> None:
        for model, pks in self.wanted.items():
            self.names[model] = {obj.pk: _name(obj) for obj in model._default_manager.filter(pk__in=pks)}

    def get(self, model: type[models.Model], pk: Any) -> str:
        if pk is None:
            return EMPTY
        return self.names.get(model, {}).get(pk, f"{model._meta.verbose_name} #{pk} (deleted)")


def _name(obj: models.Model) -> str:
    if isinstance(obj, get_user_model()):
        return obj.get_username()
    if hasattr(obj, "label"):
        return obj.label
    return str(obj)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in BOOKKEEPING and (f.editable or f.name == "status")]


def _value(record, f: models.Field, names: _Names) -> str:
    value = getattr(record, f.attname)
    if value in (None, ""):
        return EMPTY
    if f.related_model is not None:
        return names.get(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return desk_time(value)
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    return str(value)


def _records(model: type[models.Model], *, topics: bool = False, **filters) -> list:
    records = model.history.filter(**filters).order_by("history_date", "history_id")  # type: ignore[attr-defined]
    return list(records.prefetch_related(TOPIC_ROWS) if topics else records)


def _subject(model: type[models.Model], record, names: _Names) -> str:
    if model is Verdict:
        return f"Verdict #{record.id}"
    if model is Appearance:
        return f"Appearance in {names.get(Source, record.source_id)}"
    if model is Evidence:
        return f"Evidence: {names.get(Source, record.source_id)}"
    return str(capfirst(model._meta.verbose_name))


def _rows_of(model: type[models.Model], records: list, names: _Names, *, topics: bool = False) -> list[Row]:
    fields = _fields(model)
    rows: list[Row] = []
    previous: dict[Any, Any] = {}
    for record in records:
        before = previous.get(record.id)
        if before is None and getattr(record, "supersedes_id", None) in previous:
            # A correction's first version reads as what it changed in the version it corrects.
            before = previous[record.supersedes_id]
        changes = []
        for f in fields:
            new = _value(record, f, names)
            old = _value(before, f, names) if before is not None else EMPTY
            if record.history_type == "-":
                continue
            if old != new and (before is not None or new != EMPTY):
                changes.append(Change(str(capfirst(f.verbose_name)), old, new))
        if topics:
            new_topics = (
                ", ".join(sorted(names.get(Topic, row.topic_id) for row in getattr(record, TOPIC_ROWS).all())) or EMPTY
            )
            old_topics = getattr(before, "_topic_names", EMPTY) if before is not None else EMPTY
            record._topic_names = new_topics
            if new_topics != old_topics:
                changes.append(Change("Topics", old_topics, new_topics))
        previous[record.id] = record
        if not changes and record.history_type == "~":
            continue  # only bookkeeping changed
        # The first record of a row loaded without history (fixtures, bulk loads) is where its record starts.
        first_seen = before is None and record.history_type == "~"
        why = record.history_change_reason or ("Recorded" if first_seen else TYPES[record.history_type])
        who = names.get(get_user_model(), record.history_user_id) if record.history_user_id else "loaded data"
        rows.append(Row(record.history_date, who, why, _subject(model, record, names), changes))
    return rows


def history(obj: Claim | Verdict) -> list[Row]:
    """Rows of ``obj``'s history (with its parts' and, for a claim, its verdicts'), newest first."""
    names = _Names()
    parts: list[tuple[type[models.Model], list, bool]] = []
    if isinstance(obj, Claim):
        parts.append((Claim, _records(Claim, id=obj.pk, topics=True), True))
        parts.append((Appearance, _records(Appearance, claim_id=obj.pk), False))
        parts.append((Verdict, _records(Verdict, claim_id=obj.pk), False))
    else:
        parts.append((Verdict, _records(Verdict, id=obj.pk), False))
        parts.append((Evidence, _records(Evidence, verdict_id=obj.pk), False))
    for model, records, topics in parts:
        for record in records:
            names.want(get_user_model(), record.history_user_id)
            for f in _fields(model):
                if f.related_model is not None:
                    names.want(f.related_model, getattr(record, f.attname))
            if topics:
                for row in getattr(record, TOPIC_ROWS).all():
                    names.want(Topic, row.topic_id)
    names.load()
    rows = [row for model, records, topics in parts for row in _rows_of(model, records, names, topics=topics)]
    return sorted(rows, key=lambda row: row.when, reverse=True)
