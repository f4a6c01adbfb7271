"""The public record's version (claims.public_version) and, on PostgreSQL, the trigger that moves it at
commit; and claims_serial_plan(), which keeps full-text searches off parallel plans (claims.selectors)."""

import time

from django.db import migrations, models

MARKERS = [
    "CREATE TABLE claims_publicrecordchange (id bigserial PRIMARY KEY)",
    """
CREATE FUNCTION claims_public_record_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved bigint;
BEGIN
    DELETE FROM claims_publicrecordchange WHERE id = NEW.id;
    INSERT INTO claims_publicrecordversion (id, version)
    VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (id) DO UPDATE
        SET version = greatest(claims_publicrecordversion.version + 1, excluded.version)
    RETURNING version INTO moved;
    -- Delivered when the transaction commits, to every app process listening.
    PERFORM pg_notify('claims_public_record', moved::text);
    RETURN NULL;
END
$$
""",
    # True, and parallel unsafe: a statement that calls it is planned without parallel
    # workers. Immutable, so the planner folds it away once it has noted that.
    """
CREATE FUNCTION claims_serial_plan() RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL UNSAFE AS $$ SELECT true $$
""",
    # Deferred: runs at commit, after everything else the transaction locks.
    """
CREATE CONSTRAINT TRIGGER claims_public_record_moved
    AFTER INSERT ON claims_publicrecordchange
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION claims_public_record_moved()
""",
]

NO_MARKERS = [
    "DROP TABLE claims_publicrecordchange",
    "DROP FUNCTION claims_public_record_moved()",
    "DROP FUNCTION claims_serial_plan()",
]


def create_markers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in MARKERS:
            schema_editor.execute(statement)


def drop_markers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in NO_MARKERS:
            schema_editor.execute(statement)


def first_version(apps, schema_editor):
    # A time, so that a database started again never repeats an ETag an older one gave.
    apps.get_model("claims", "PublicRecordVersion").objects.using(schema_editor.connection.alias).create(
        id=1, version=time.time_ns() // 1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0019_web_urls"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicRecordVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="claims_publicrecordversion_single_row")
                ],
            },
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        migrations.RunPython(create_markers, drop_markers),
    ]
