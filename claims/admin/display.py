"""Small pieces the desk's screens share: rating chips, status badges, stylesheet, errors."""

from typing import TYPE_CHECKING, Any, cast

from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.html import format_html

from .. import services
from ..choices import VerdictStatus

# What a workflow write can be refused with; the message is shown to the person as it is.
WORKFLOW_ERRORS = (services.WorkflowError, services.ConflictError, PermissionDenied)


def colour_chip(label: str | None, colour: str | None):
    if not label:
        return "—"
    return format_html('<span class="rating-chip" style="background:{}"></span> {}', colour, label)


def status_badge(status: str | None):
    if not status:
        return format_html('<span class="status-badge status-none">{}</span>', "no verdict")
    return format_html('<span class="status-badge status-{}">{}</span>', status, VerdictStatus(status).label.lower())


def acting_user(request: HttpRequest) -> User:
    """The person acting on an admin screen."""
    # The admin site lets only signed-in staff reach its views, so this is never anonymous.
    return cast(User, request.user)


class AdminStyles:
    css = {"all": ["claims/admin.css"]}


def inline_parts(formsets, inline: type[InlineModelAdmin]) -> services.Parts:
    """The rows an inline's formset would write, unsaved, for the services to write.

    ``save(commit=False)`` also fills the formset's lists of new, changed and deleted
    objects that the admin's change message reads.
    """
    parts = services.Parts()
    for formset in formsets:
        saved = formset.save(commit=False)
        if formset.model is inline.model:
            parts.saved.extend(saved)
            parts.deleted.extend(formset.deleted_objects)
        elif saved or formset.deleted_objects:  # read-only inlines write nothing
            raise PermissionDenied(f"{formset.model._meta.verbose_name_plural.capitalize()} cannot be changed here.")
    return parts

if TYPE_CHECKING:
    _Inline = InlineModelAdmin[Any, Any]
else:
    _Inline = object  # a mixin: the inline class comes later in the class's bases


class LabelledInline(_Inline):
    """A tabular inline whose inputs are named for screen readers.

    Tabular inlines show a field's label only as the column header; each input gets its
    column's name as ``aria-label`` (and the delete box its own).
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for field in formset.form.base_fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))
        add_fields = formset.add_fields

        def add_labelled_fields(self, form, index):
            add_fields(self, form, index)
            if "DELETE" in form.fields:
                form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this row"

        # The formset class was just built for this inline: replacing its method touches no other.
        formset.add_fields = add_labelled_fields  # type: ignore[method-assign]
        return formset
