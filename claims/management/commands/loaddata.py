"""loaddata that loads a fixture whole or not at all, and names the object that stops it.

Django's loaddata writes objects as they are (``save(raw=True)``): nothing checks a value
against its field's choices or length, or a quote against its source, and SQLite stores
an over-long text without complaint. This command validates every object it loads and
refuses the whole call, every fixture in it, if any object is invalid, naming the file,
the object's index in it, its model and primary key, and what is wrong.

Each object's fields are checked before it is written, so the database never sees a value
its column cannot hold. Once every fixture is written (objects may refer to objects later
in the same fixture), references are checked against the database being loaded and
each object's ``full_clean()`` runs. Check and unique constraints are left to the
database, which enforces them as each row is written.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializedObject
from django.db import DatabaseError, router
from django.db.models import Exists, Model, OuterRef
from django.utils.functional import cached_property

# Primary keys per query when looking for many-to-many rows that point nowhere.
BATCH = 500


@dataclass(frozen=True)
class Loaded:
    """An object read from a fixture, and where it was read."""

    fixture: str
    index: int
    obj: DeserializedObject

    @property
    def instance(self) -> Model:
        return self.obj.object

    def problem(self, what: str) -> str:
        instance = self.instance
        return f"{self.fixture}, object at index {self.index} ({instance._meta.label_lower} pk={instance.pk}): {what}"


class Command(loaddata.Command):
    help = (
        "Installs the named fixture(s) in the database, validating every object; "
        "if any object is invalid, nothing is installed."
    )

    def loaddata(self, fixture_labels):
        self.labels_left = len(fixture_labels)
        self.fixture_file, self.position = "", 0
        self.loaded: list[Loaded] = []
        try:
            super().loaddata(fixture_labels)
        except DatabaseError as error:
            # Django's own last check of foreign keys, after ours; it can name no object.
            raise CommandError(f"{error}\nNothing was loaded.") from error

    @cached_property
    def compression_formats(self):
        # Django opens each fixture file through one of these just before reading its
        # objects: the one moment that says which file the following objects come from.
        def opening(open_file):
            def open_fixture(path, mode):
                self.fixture_file, self.position = path, 0
                return open_file(path, mode)

            return open_fixture

        formats: Any = super().compression_formats
        return {name: (opening(open_file), mode) for name, (open_file, mode) in formats.items()}

    def load_label(self, fixture_label):
        try:
            super().load_label(fixture_label)
        except CommandError:
            raise
        except Exception as error:
            # An object that could not be read: Django names the file, not the object.
            what = str(error).removeprefix(f"Problem installing fixture '{self.fixture_file}': ")
            where = f"{self.fixture_file}, object at index {self.position}"
            raise CommandError(f"{where}: {what}\nNothing was loaded.") from error
        self.labels_left -= 1
        if not self.labels_left:
            self.validate_loaded()

    def save_obj(self, obj):
        item = Loaded(self.fixture_file, self.position, obj)
        self.position += 1
        instance = item.instance
        if self.will_save(instance):
            try:
                clean_fields(instance)
            except ValidationError as error:
                refuse([item.problem(describe(error))])
        try:
            saved = super().save_obj(obj)
        # psycopg raises ValueError for text with NUL characters.
        except (DatabaseError, ValueError) as error:
            prefix = f"Could not load {instance._meta.label}(pk={instance.pk}): "
            refuse([item.problem(str(error).removeprefix(prefix))], cause=error)
        if saved:
            self.loaded.append(item)
        return saved

    def will_save(self, instance: Model) -> bool:
        """Whether super().save_obj() writes this object (not excluded, routed here)."""
        excluded = instance._meta.app_config in self.excluded_apps or type(instance) in self.excluded_models
        return not excluded and router.allow_migrate_model(self.using, type(instance))

    def validate_loaded(self) -> None:
        """Validate every object written, now that all of them are: the last step before commit."""
        # Django would save these next; objects must be complete to be validated.
        by_obj = {id(item.obj): item for item in self.loaded}
        for obj in self.objs_with_deferred_fields:
            try:
                obj.save_deferred_fields(using=self.using)
            except Exception as error:
                item = by_obj.get(id(obj))
                refuse([item.problem(str(error)) if item else str(error)], cause=error)
        self.objs_with_deferred_fields = []

        problems = self.dangling_references()
        unsound = {id(item) for item, _ in problems}
        for item in self.loaded:
            if id(item) in unsound:
                continue
            try:
                # References were checked above, against the database being loaded.
                item.instance.full_clean(
                    exclude=relation_names(item.instance), validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                problems.append((item, describe(error)))
        if problems:
            order = {id(item): position for position, item in enumerate(self.loaded)}
            problems.sort(key=lambda problem: order[id(problem[0])])
            refuse([item.problem(what) for item, what in problems])

    def dangling_references(self) -> list[tuple[Loaded, str]]:
        """Foreign keys and many-to-many links of loaded objects that point to no row.

        Found references are cached on the objects, so that ``clean()`` methods reading
        them (an appearance's source) read the database being loaded, in one query per model.
        """
        dangling = []
        wanted: defaultdict[tuple[Any, str], defaultdict[Any, list]] = defaultdict(lambda: defaultdict(list))
        for item in self.loaded:
            fields: Any = item.instance._meta.concrete_fields  # relations are read by name below
            for field in fields:
                value = getattr(item.instance, field.attname)
                if (field.many_to_one or field.one_to_one) and value is not None:
                    wanted[field.remote_field.model, field.target_field.name][value].append((item, field))
        for (model, target_name), references in wanted.items():
            found = model._base_manager.using(self.using).in_bulk(list(references), field_name=target_name)
            for value, users in references.items():
                for item, field in users:
                    if value in found:
                        field.set_cached_value(item.instance, found[value])
                    else:
                        dangling.append((item, f"{field.name}: {missing(model, target_name, value)}"))

        by_model: defaultdict[type[Model], list] = defaultdict(list)
        for item in self.loaded:
            by_model[type(item.instance)].append(item)
        for model, items in by_model.items():
            many_to_many: Any = model._meta.many_to_many
            for field in many_to_many:
                through: Any = field.remote_field.through
                if not through._meta.auto_created:
                    continue  # an explicit through model is loaded, and checked, as objects
                source: Any = through._meta.get_field(field.m2m_field_name())
                target: Any = through._meta.get_field(field.m2m_reverse_field_name())
                target_rows = target.remote_field.model._base_manager.filter(
                    **{target.target_field.name: OuterRef(target.attname)}
                )
                by_key = {getattr(item.instance, source.target_field.attname): item for item in items}
                keys_in_order = list(by_key)
                for start in range(0, len(keys_in_order), BATCH):
                    keys = keys_in_order[start : start + BATCH]
                    links = (
                        through._base_manager.using(self.using)
                        .filter(**{f"{source.attname}__in": keys})
                        .filter(~Exists(target_rows))
                        .values_list(source.attname, target.attname)
                    )
                    for key, value in links:
                        what = missing(target.remote_field.model, target.target_field.name, value)
                        dangling.append((by_key[key], f"{field.name}: {what}"))
        return dangling


def clean_fields(instance: Model) -> None:
    """``clean_fields()`` for everything but references, choices of non-editable fields included."""
    errors: dict[str, list] = {}
    try:
        instance.clean_fields(exclude=relation_names(instance))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # Django skips the choices of fields no form edits (a verdict's status); a fixture sets them.
    for field in instance._meta.concrete_fields:
        if not field.choices or field.editable or field.name in errors:
            continue
        value = getattr(instance, field.attname)
        allowed_empty = (value is None and field.null) or (value == "" and field.blank)
        if not allowed_empty and value not in {choice for choice, _ in field.flatchoices}:
            errors[field.name] = [ValidationError(field.error_messages["invalid_choice"], params={"value": value})]
    if errors:
        raise ValidationError(errors)


def relation_names(instance: Model) -> list[str]:
    return [field.name for field in instance._meta.concrete_fields if field.is_relation]


def missing(model: type[Model], field_name: str, value) -> str:
    return f"{model._meta.label_lower} with {field_name} {value!r} does not exist"


def describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(
        " ".join(messages) if field == "__all__" else f"{field}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )


def refuse(problems: list[str], *, cause: Exception | None = None):
    """Stop the load; leaving the command's transaction with an error undoes every fixture."""
    if len(problems) == 1:
        message = f"{problems[0]}\nNothing was loaded."
    else:
        message = f"{len(problems)} invalid objects; nothing was loaded:\n" + "\n".join(problems)
    raise CommandError(message) from cause
