"""JSON built by PostgreSQL for list items, in exactly the shape and format the serializers use.

A page of fifty claims then costs the database one text value and Python nothing per
item, instead of parsing a thousand typed columns into objects. Date-times come out as
PostgreSQL writes them in JSON (the connection's time zone is UTC), the format every
other part of the API uses too (factcheck.api.fields).
"""

from django.db.models import F, Func, JSONField, OuterRef, Subquery, TextField

from ..models import Rating, Speaker


class JSONObject(Func):
    """``json_build_object('key', value, ...)``: keys in the order given (JSONB would sort them)."""

    output_field = JSONField()

    def __init__(self, **fields):
        self.keys = list(fields)
        super().__init__(*fields.values())

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            sql, expression_params = compiler.compile(expression)
            parts.append(f"'{key}', {sql}")
            params.extend(expression_params)
        return f"json_build_object({', '.join(parts)})", params


class Precompiled(Func):
    """SQL compiled once and reused, with its tables bound to the query at hand.

    ``anchors`` maps each table the SQL names to a column path of the query's model;
    resolving them makes the query join those tables (as the original expression would
    have) and tells which alias each join received, which the SQL is then rewritten to use.
    """

    output_field = TextField()

    def __init__(self, sql: str, params: tuple, anchors: dict[str, str]):
        self.sql = sql
        self.params = tuple(params)
        self.tables = list(anchors)
        super().__init__(*(F(path) for path in anchors.values()))

    def as_sql(self, compiler, connection, **extra_context):
        sql = self.sql
        for table, anchor in zip(self.tables, self.get_source_expressions(), strict=True):
            if anchor.alias != table:
                sql = sql.replace(f'"{table}".', f"{compiler.quote_name_unless_alias(anchor.alias)}.")
        return sql, list(self.params)


class AsText(Func):
    template = "(%(expressions)s)::text"
    output_field = TextField()


class Link(Func):
    """An absolute URL: the list endpoint's address followed by the id and a slash."""

    output_field = TextField()

    def __init__(self, prefix: str, expression):
        self.prefix = prefix
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"(%s || ({sql})::text || '/')", [self.prefix, *params]


def _rating() -> Subquery:
    # A correlated subquery rather than a join: PostgreSQL plans it in half the time, and
    # planning is a third of what a page costs the database. No rating gives NULL.
    ratings = Rating.objects.filter(pk=OuterRef("rating_id")).values(
        json=JSONObject(slug=F("slug"), label=F("label"), value=F("value"), colour=F("colour"))
    )
    return Subquery(ratings, output_field=JSONField())


def _speaker(speakers_prefix: str) -> Subquery:
    speakers = Speaker.objects.filter(pk=OuterRef("claim__speaker_id")).values(
        json=JSONObject(
            id=F("id"),
            url=Link(speakers_prefix, F("id")),
            name=F("name"),
            kind=F("kind"),
            is_anonymous=F("is_anonymous"),
            role=F("role"),
        )
    )
    return Subquery(speakers, output_field=JSONField())


def verdict_summary(verdicts_prefix: str) -> JSONObject:
    """VerdictSummarySerializer, for rows of the verdicts table."""
    return JSONObject(
        id=F("id"),
        url=Link(verdicts_prefix, F("id")),
        status=F("status"),
        headline=F("headline"),
        rating=_rating(),
        published_at=F("published_at"),
        is_correction=Func(F("supersedes_id"), template="(%(expressions)s IS NOT NULL)"),
    )


def claim_summary(claims_prefix: str, speakers_prefix: str, verdicts_prefix: str) -> AsText:
    """ClaimSummarySerializer, for a claim reached through the verdict it is listed with."""
    return AsText(
        JSONObject(
            id=F("claim_id"),
            url=Link(claims_prefix, F("claim_id")),
            text=F("claim__text"),
            speaker=_speaker(speakers_prefix),
            made_on=F("claim__made_on"),
            made_on_text=F("claim__made_on_text"),
            made_in=F("claim__made_in"),
            language=F("claim__language"),
            verdict=verdict_summary(verdicts_prefix),
            updated_at=F("claim__updated_at"),
        )
    )


def verdict_list_item(claims_prefix: str, verdicts_prefix: str) -> AsText:
    """VerdictListSerializer."""
    summary = verdict_summary(verdicts_prefix)
    return AsText(
        JSONObject(
            **dict(zip(summary.keys, summary.get_source_expressions(), strict=True)),
            claim=JSONObject(id=F("claim_id"), url=Link(claims_prefix, F("claim_id")), text=F("claim__text")),
            updated_at=F("updated_at"),
        )
    )
