"""The rows a review points at: publishers, speakers and sources, found or created.

:class:`RelatedRows` is the writer's base: it looks up, in a few queries per batch,
which fact-checkers, speakers and appearances the desk already has (by name, Wikidata
id, URL or title), fills what the desk left blank without overwriting its record, and
creates the rest with history (claims.bulk). It also keeps what every write needs: the
summary's counts, the actor and reason for history, and PostgreSQL's statistics.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from claims import public_version
from claims.bulk import BATCH, Among, HistoryStamp, insert_rows, new_instance
from claims.models import Speaker
from sources.models import Publisher, Source

from .records import Person, Work, publisher_key
from .summary import ImportSummary


def on_file(model, **values):
    """An instance of a row on file holding only ``values`` (what the writer needs: its id),
    without reading or building its whole record."""
    instance = new_instance(model, **values)
    instance._state.adding = False
    instance._state.db = "default"
    return instance


class RelatedRows:
    """Bulk writes for one import, with history rows for everything created or changed."""

    def __init__(self, summary: ImportSummary, reason: str, actor):
        self.summary = summary
        self.reason = reason
        self.actor = actor
        self.now = timezone.now()
        self.stamp = HistoryStamp(at=self.now, user=actor, reason=reason)
        self.publishers: dict[str, Publisher] = {}
        self.speakers: dict[tuple, Speaker] = {}  # by Person.key, across batches
        self.table_rows: dict[str, float] = {}  # rows at the last ANALYZE (PostgreSQL)
        self.table_added: dict[str, int] = {}  # rows added since

    def _created(self, model, objects, entity):
        insert_rows(model, objects, history=self.stamp)
        if objects and connection.vendor == "postgresql":
            self._keep_statistics(model, len(objects))
        self.summary.count(entity, "created", len(objects))
        return objects

    def _keep_statistics(self, model, added: int) -> None:
        """ANALYZE a table this import has more than doubled (PostgreSQL).

        Plans made while a table looked empty (seq scans in the search trigger's speaker
        lookup, in foreign-key checks) would otherwise scan it once per row for the rest
        of the import: the first import into a new desk would slow down as it grows.
        ANALYZE sees this transaction's own rows, and re-plans what depends on the table.
        """
        table = model._meta.db_table
        if table not in self.table_rows:
            with connection.cursor() as cursor:
                cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [table])
                self.table_rows[table] = cursor.fetchone()[0]
            self.table_added[table] = 0
        self.table_added[table] += added
        if self.table_added[table] > max(self.table_rows[table], 1000):
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            self.table_rows[table] += self.table_added[table]
            self.table_added[table] = 0

    def _updated(self, model, objects, fields, entity):
        if objects and hasattr(model, "version"):
            # Optimistic locking: a form opened before the import no longer saves over it.
            for obj in objects:
                obj.version += 1
            fields = [*fields, "version"]
        if objects:
            bulk_update_with_history(
                objects, model, fields, batch_size=BATCH, default_user=self.actor, default_change_reason=self.reason
            )
            # Bulk updates send no signals: an import's changes count as public ones.
            public_version.changed()
        self.summary.count(entity, "updated", len(objects))

    def publishers_for(self, names_and_urls: dict[str, str]) -> None:
        wanted = {
            publisher_key(name): (name, url)
            for name, url in names_and_urls.items()
            if publisher_key(name) not in self.publishers
        }
        if not wanted:
            return
        # The database's lower() decides uniqueness; SQLite's lower() leaves non-ASCII
        # capitals alone, so there the exact names are looked up too.
        names = [name for name, _ in wanted.values()]
        query = Q(Among(Lower("name"), list(wanted)))
        if connection.vendor != "postgresql":
            query |= Q(name__in=names)
        existing = Publisher.objects.annotate(key=Lower("name")).filter(query)
        changed = []
        for publisher in existing.order_by("id"):
            key = publisher_key(publisher.name)
            if key not in wanted or key in self.publishers:
                continue
            self.publishers[key] = publisher
            url = wanted[key][1]
            if url and not publisher.url:
                publisher.url = url
                changed.append(publisher)
        if changed:
            Publisher.objects.bulk_update(changed, ["url"])
            public_version.changed()
        self.summary.count("publishers", "updated", len(changed))
        self.summary.count("publishers", "unchanged", len([k for k in wanted if k in self.publishers]) - len(changed))
        new = [
            new_instance(Publisher, name=name, url=url)
            for key, (name, url) in wanted.items()
            if key not in self.publishers
        ]
        Publisher.objects.bulk_create(new, batch_size=BATCH)
        self.summary.count("publishers", "created", len(new))
        for publisher in new:
            self.publishers[publisher_key(publisher.name)] = publisher

    def speakers_for(self, given: Iterable[Person]) -> dict:
        people = {person.key: person for person in given}
        found = {key: self.speakers[key] for key in people if key in self.speakers}
        wanted = {key: person for key, person in people.items() if key not in found}
        if not wanted:
            return found
        matched = self._existing_speakers(wanted)
        changed = []
        for key, speaker in matched.items():
            person = wanted[key]
            # An import fills what the desk left blank; it never overwrites the desk's own record.
            updates = {f: getattr(person, f) for f in ("role", "affiliation", "wikidata_id") if getattr(person, f)}
            updates = {f: v for f, v in updates.items() if not getattr(speaker, f)}
            if updates and not (
                updates.get("wikidata_id") and Speaker.objects.filter(wikidata_id=updates["wikidata_id"]).exists()
            ):
                changed.append((speaker.pk, updates))
        if changed:
            # Whole records for the history rows of the few that change.
            records = Speaker.objects.in_bulk([pk for pk, _ in changed])
            for pk, updates in changed:
                for name, value in updates.items():
                    setattr(records[pk], name, value)
            self._updated(Speaker, list(records.values()), ["role", "affiliation", "wikidata_id"], "speakers")
        self.summary.count("speakers", "unchanged", len(matched) - len(changed))
        new_keys = [key for key in wanted if key not in matched]
        new = [
            new_instance(
                Speaker,
                name=wanted[key].name,
                kind=wanted[key].kind,
                role=wanted[key].role,
                affiliation=wanted[key].affiliation,
                wikidata_id=wanted[key].wikidata_id,
            )
            for key in new_keys
        ]
        self._created(Speaker, new, "speakers")
        matched.update(zip(new_keys, new, strict=True))
        self.speakers.update(matched)
        return found | matched

    def _existing_speakers(self, people: dict) -> dict:
        """The desk's speakers for these people: by Wikidata id, else by name and kind.

        Only the columns matching needs are read, one row per name, kind and Wikidata id
        (a desk may have many speakers of one name: "Unnamed official").
        """
        columns = ["id", "name", "kind", "wikidata_id", "role", "affiliation"]
        qids = [key[1] for key in people if key[0] == "qid"]
        rows: list[tuple] = []
        if qids:  # with the unique index's condition, so PostgreSQL uses it
            rows += Speaker.objects.filter(Among(F("wikidata_id"), qids)).exclude(wikidata_id="").values_list(*columns)
        names = list({person.name for person in people.values()})
        named = Speaker.objects.filter(Among(F("name"), names)).values_list(*columns)
        if connection.vendor == "postgresql":
            named = named.order_by("name", "kind", "wikidata_id", "id").distinct("name", "kind", "wikidata_id")
        rows += named
        speakers = [new_instance(Speaker, **dict(zip(columns, row, strict=True))) for row in sorted(rows)]
        found: dict = {}
        for speaker in speakers:
            for key in (("qid", speaker.wikidata_id), ("name", speaker.name.casefold(), speaker.kind)):
                if key in people and key not in found:
                    found[key] = speaker
        # A person the import knows by Wikidata id may be one the desk entered by name
        # alone: the same name and kind, no id yet. That speaker is theirs (and gets the id).
        taken = {speaker.pk for speaker in found.values()}
        by_name = {
            (speaker.name.casefold(), speaker.kind): speaker
            for speaker in reversed(speakers)
            if not speaker.wikidata_id and speaker.pk not in taken
        }
        for key, person in people.items():
            if key[0] == "qid" and key not in found:
                speaker = by_name.pop((person.name.casefold(), person.kind), None)
                if speaker is not None:
                    found[key] = speaker
        return found

    def sources_for(self, given: Iterable[Work]) -> dict:
        works = {work.key: work for work in given}
        found: dict = {}
        urls = [key[1] for key in works if key[0] == "url"]
        titles = {work.title for key, work in works.items() if key[0] == "title"}
        # Each lookup states the partial index's condition (url <> '' / url = ''): with more
        # than a hundred values PostgreSQL cannot infer it and would scan the table.
        candidates: list[Source] = []
        if urls:
            # Plain rows: a batch's thousands of sources as model instances cost more than finding them.
            rows = Source.objects.filter(Among(F("url"), urls)).exclude(url="").order_by("id").values_list("id", "url")
            candidates += [on_file(Source, id=pk, url=url) for pk, url in rows]
        if titles:
            candidates += (
                Source.objects.filter(Among(F("title"), list(titles)), url="")
                .select_related("publisher")
                .only("id", "url", "title", "published_on", "publisher__name")
                .order_by("id")
            )
        if works:
            for source in candidates:
                key: tuple
                if source.url:
                    key = ("url", source.url)
                else:
                    publisher = publisher_key(source.publisher.name) if source.publisher else ""
                    key = ("title", source.title.casefold(), publisher, source.published_on)
                if key in works and key not in found:
                    found[key] = source
        self.summary.count("sources", "unchanged", len(found))
        new_keys = [key for key in works if key not in found]
        new = [
            new_instance(
                Source,
                url=works[key].url,
                title=works[key].title,
                published_on=works[key].published_on,
                kind=works[key].kind,
                publisher_id=self.publishers[publisher_key(works[key].publisher)].pk if works[key].publisher else None,
            )
            for key in new_keys
        ]
        for source, key in zip(self._created(Source, new, "sources"), new_keys, strict=True):
            found[key] = source
        return found
