"""SQL expressions that make PostgreSQL build JSON, in exactly the format the serializers use.

A page of fifty claims then costs the database one text value and Python nothing per
item, instead of parsing a thousand typed columns into objects. Date-times come out as
PostgreSQL writes them in JSON (the connection's time zone is UTC), the format every
other part of the API uses too (factcheck.api.fields).
"""

from django.db.models import F, Func, JSONField, TextField


class JSONObject(Func):
    """``json_build_object('key', value, ...)``: keys in the order given (JSONB would sort them)."""

    output_field = JSONField()

    def __init__(self, **fields):
        self.keys = list(fields)
        super().__init__(*fields.values())

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
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

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
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

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"(%s || ({sql})::text || '/')", [self.prefix, *params]
