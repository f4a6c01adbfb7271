"""Verdicts: the list, the verdict form with its evidence, and what the page offers to do next.

Saving goes through ``services.verdict_save`` (the verdict and its evidence as one new
version); deleting a draft is ``services.verdict_discard``. The workflow pages and the
import wizard are mixed in from ``workflow`` and ``imports``.
"""

from typing import cast

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from factcheck.history_admin import HistoryAdmin
from factcheck.large_lists import LargeListAdmin
from integrations.admin_actions import export_csv

from .. import services
from ..forms import EvidenceFormSet, VerdictAdminForm
from ..models import Evidence, Verdict
from ..selectors import search_claims
from ..transitions import TRANSITIONS
from .display import WORKFLOW_ERRORS, AdminStyles, LabelledInline, colour_chip, inline_parts, status_badge
from .filters import VerdictReviewerFilter
from .history import ReadableHistory
from .imports import ImportViews
from .workflow import WorkflowViews


def _submitting(request) -> bool:
    """The person pressed "Save and submit for review": the form checks what submitting needs."""
    return request.method == "POST" and "_submit" in request.POST


class EvidenceInline(LabelledInline, admin.TabularInline):
    model = Evidence
    formset = EvidenceFormSet
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "stance", "quote", "note", "position"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.submitting = _submitting(request)
        return formset

    def _editable(self, request, verdict):
        return verdict is not None and services.can_edit_verdict(verdict, request.user)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or self._editable(request, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self._editable(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self._editable(request, obj))


@admin.register(Verdict)
class VerdictAdmin(LargeListAdmin, ReadableHistory, WorkflowViews, ImportViews, HistoryAdmin):
    # Changes go through the services (workflow, corrections): history is read-only.
    revert_allowed = False
    form = VerdictAdminForm
    change_form_template = "admin/claims/verdict/change_form.html"
    list_display = ["claim_text", "rating_chip", "status_display", "reviewer_name", "editor_name", "updated_at"]
    list_filter = ["status", "rating", VerdictReviewerFilter]
    search_fields = ["headline"]  # replaced by a claim search; kept so the search box shows
    search_help_text = "Searches the claims' text, quotes and speakers."
    autocomplete_fields = ["claim"]
    inlines = [EvidenceInline]
    # Bulk actions: one per transition the table offers in bulk (WorkflowViews.workflow_actions),
    # and the CSV export of the selected (or all filtered) verdicts.
    actions = [export_csv]
    history_list_display = ["status", "rating", "headline"]
    workflow_fields = [
        "status_display",
        "reviewer_name",
        "editor_name",
        "return_comment",
        "public_note",
        "supersedes_link",
        "submitted_at",
        "published_at",
        "retracted_at",
    ]
    Media = AdminStyles

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "rating", "reviewer", "editor")

    def list_rows(self, request, queryset):
        return queryset.select_related("claim", "rating", "reviewer", "editor")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return search_claims(queryset, search_term, through="claim"), False

    def get_readonly_fields(self, request, obj=None):
        return ["claim", "claim_context", *self.workflow_fields] if obj else []

    def get_fieldsets(self, request, obj=None):
        content = ["rating", "headline", "explanation", "internal_notes"]
        if obj is None:
            return [(None, {"fields": ["claim", *content]})]
        if self.has_change_permission(request, obj):
            content.append("loaded_version")
        return [
            ("Claim", {"fields": ["claim", "claim_context"]}),
            ("Verdict", {"fields": content}),
            ("Workflow", {"fields": self.workflow_fields}),
        ]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return super().has_change_permission(request, obj) and services.can_edit_verdict(obj, request.user)

    def has_delete_permission(self, request, obj=None):
        # Only a draft, by its author (services.verdict_discard); everything else is the record.
        if obj is None:
            return request.user.has_perm(TRANSITIONS["discard"].permission)
        return services.may(obj, request.user, "discard")

    def delete_model(self, request, obj):
        services.verdict_discard(verdict=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for verdict in queryset:
            services.verdict_discard(verdict=verdict, actor=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Django's bulk delete would skip the services; drafts are discarded one by one.
        actions.pop("delete_selected", None)
        return {**actions, **self.workflow_actions(request)}

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Django builds the form class from ``self.form``, a VerdictAdminForm.
        form = cast(type[VerdictAdminForm], super().get_form(request, obj, change, **kwargs))
        form.submitting = _submitting(request)
        return form

    def save_model(self, request, obj, form, change):
        """Nothing yet: the verdict is saved with its evidence in save_related, as one version."""

    def save_related(self, request, form, formsets, change):
        services.verdict_save(
            verdict=form.instance,
            actor=request.user,
            expected_version=form.cleaned_data.get("loaded_version"),
            evidence=inline_parts(formsets, EvidenceInline),
        )

    def _submit_after_save(self, request, obj):
        if "_submit" not in request.POST:
            return
        try:
            services.verdict_submit(verdict=obj, actor=request.user)
        except WORKFLOW_ERRORS as error:
            self.message_user(request, f"Saved as a draft, but not submitted: {error}", messages.ERROR)
        else:
            self.message_user(request, "Submitted for review.", messages.SUCCESS)

    def response_add(self, request, obj, post_url_continue=None):
        self._submit_after_save(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._submit_after_save(request, obj)
        return super().response_change(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        verdict = self.get_object(request, object_id)
        if verdict is not None:
            extra_context = {
                **(extra_context or {}),
                "workflow_links": [
                    (transition, self.transition_url(verdict, transition))
                    for transition in services.allowed_transitions(verdict, request.user)
                ],
                "can_save_and_submit": services.can_edit_verdict(verdict, request.user)
                and services.may(verdict, request.user, "submit"),
                # Discarding a draft is one of the workflow links, with its own confirmation.
                "show_delete": False,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # Display ----------------------------------------------------------------------------

    @admin.display(description="claim", ordering="claim__text")
    def claim_text(self, verdict):
        return str(verdict.claim)

    @admin.display(description="rating", ordering="rating__position")
    def rating_chip(self, verdict):
        return colour_chip(verdict.rating and verdict.rating.label, verdict.rating and verdict.rating.colour)

    # Names, not links: a reviewer may not open the user admin.
    @admin.display(description="reviewer", ordering="reviewer__username")
    def reviewer_name(self, verdict):
        return verdict.reviewer.get_username() if verdict.reviewer else "—"

    @admin.display(description="editor", ordering="editor__username")
    def editor_name(self, verdict):
        return verdict.editor.get_username() if verdict.editor else "—"

    @admin.display(description="status", ordering="status")
    def status_display(self, verdict):
        return status_badge(verdict.status)

    @admin.display(description="corrects")
    def supersedes_link(self, verdict):
        if verdict.supersedes_id is None:
            return "—"
        url = reverse("admin:claims_verdict_change", args=[verdict.supersedes_id])
        return format_html('<a href="{}">the version published {}</a>', url, verdict.supersedes.published_at)

    @admin.display(description="the claim as it appeared")
    def claim_context(self, verdict):
        claim = verdict.claim
        appearances = claim.appearances.select_related("source__publisher")
        speaker = claim.speaker or "stated by the source itself"
        when = claim.made_on or claim.made_on_text or "date not given"
        items = format_html_join(
            "",
            '<li><blockquote class="quote">{}</blockquote><span class="where">{}{} — <a href="{}">{}</a>{}</span></li>',
            (
                (
                    appearance.quote,
                    appearance.attributed_to or "unattributed",
                    "",
                    reverse("admin:sources_source_change", args=[appearance.source_id]),
                    appearance.source.title,
                    f" ({appearance.source.publisher})" if appearance.source.publisher else "",
                )
                for appearance in appearances
            ),
        )
        return format_html(
            '<div class="claim-context"><p><strong>{}</strong></p><p>{} · {}{}</p><ul class="appearances">{}</ul>'
            '<p><a href="{}">Open the claim</a></p></div>',
            claim.text,
            speaker,
            when,
            f" · {claim.made_in}" if claim.made_in else "",
            items or format_html("<li>{}</li>", "No appearances recorded."),
            reverse("admin:claims_claim_change", args=[claim.pk]),
        )

    def get_urls(self):
        return [*self.workflow_urls(), *self.import_urls(), *super().get_urls()]
