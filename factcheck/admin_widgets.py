"""A fix to Django's admin autocomplete widget, installed once at start-up.

Re-rendering a form after an invalid submission, the autocomplete widget looks up the
submitted values as ids: a value that is not one (``claim=abc``) raised ValueError, a
500, where the form should show its "Select a valid choice" error. Values the related
field cannot read or hold are left out of that lookup; the form's own error still says why.
"""

from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError

_optgroups = AutocompleteMixin.optgroups


def _readable(widget, values) -> list:
    remote = widget.field.remote_field
    target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
    readable = []
    for value in values:
        try:
            target.run_validators(target.to_python(value))  # a number, and in the column's range
        except (ValidationError, ValueError, TypeError):
            continue
        readable.append(value)
    return readable


def optgroups(self, name, value, attr=None):
    return _optgroups(self, name, _readable(self, value), attr)


def install() -> None:
    AutocompleteMixin.optgroups = optgroups
