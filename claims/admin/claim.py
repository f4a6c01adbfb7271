"""Claims: the list reviewers pick work from, the claim page, and "my review queue".

Edits (the claim, its topics and appearances), assignment and starting a verdict go
through ``claims.services``.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from factcheck.history_admin import HistoryAdmin
from factcheck.large_lists import LargeListAdmin
from integrations.admin_actions import export_csv

from .. import services
from ..choices import CURRENT_VERDICT_STATUSES
from ..forms import VersionedModelForm
from ..matching.selectors import listed_verdict, near_duplicates, possible_duplicates
from ..models import Appearance, Claim, ReviewQueue, Verdict
from ..selectors import review_queue, search_claims, with_desk_status
from .display import WORKFLOW_ERRORS, AdminStyles, LabelledInline, acting_user, colour_chip, inline_parts, status_badge
from .filters import (
    AssignedReviewerFilter,
    CurrentRatingFilter,
    CurrentStatusFilter,
    HasVerdictFilter,
    SourceFilter,
    SpeakerFilter,
    TopicFilter,
)
from .history import ReadableHistory


class AppearanceInline(LabelledInline, admin.TabularInline):
    model = Appearance
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "attributed_to"]


class VerdictSummaryInline(LabelledInline, admin.TabularInline):
    """The claim's verdicts, newest first, read-only: they change through their own pages."""

    model = Verdict
    extra = 0
    can_delete = False
    show_change_link = True
    readonly_fields = fields = ("status_display", "rating", "headline", "reviewer_name", "editor_name", "published_at")
    verbose_name_plural = "verdicts (every version is kept)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rating", "reviewer", "editor").order_by("-created_at")

    @admin.display(description="status")
    def status_display(self, verdict):
        return status_badge(verdict.status)

    # Names, not links: a reviewer may not open the user admin.
    @admin.display(description="reviewer")
    def reviewer_name(self, verdict):
        return verdict.reviewer.get_username() if verdict.reviewer else "—"

    @admin.display(description="editor")
    def editor_name(self, verdict):
        return verdict.editor.get_username() if verdict.editor else "—"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimAdminForm(VersionedModelForm):
    save_anyway = forms.BooleanField(
        required=False, label="Save anyway", help_text="It is not the same statement as the claims listed above."
    )

    class Meta:
        model = Claim
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("text")
        if self.instance.pk is None and text and not cleaned.get("save_anyway"):
            duplicates = near_duplicates(text, language=cleaned.get("language") or None)
            if duplicates:
                raise forms.ValidationError(
                    format_html(
                        "Possibly already checked: {}. Add the statement as an appearance of that claim instead "
                        "(open it and add an appearance), or tick “Save anyway”.",
                        format_html_join(", ", "{}", ((match_link(match),) for match in duplicates)),
                    )
                )
        return cleaned


def match_link(match) -> str:
    verdict = listed_verdict(match.claim)
    status = verdict.get_status_display() if verdict else "no verdict"
    rating = verdict.rating.label if verdict and verdict.rating_id and verdict.rating else "unrated"
    return format_html(
        '<a href="{}">“{}”</a> ({}, {}, score {})',
        reverse("admin:claims_claim_change", args=[match.claim_id]),
        str(match.claim),
        status,
        rating,
        f"{match.score:.2f}",
    )


# The claim's own fields on its page; a new claim adds "Save anyway" to them.
CLAIM_FIELDS: tuple[str | tuple[str, ...], ...] = (
    "text",
    "speaker",
    ("made_on", "made_on_text"),
    "made_in",
    "language",
    "topics",
)


@admin.register(Claim)
class ClaimAdmin(LargeListAdmin, ReadableHistory, HistoryAdmin):
    # Changes go through the services (workflow, corrections): history is read-only.
    revert_allowed = False
    form = ClaimAdminForm
    # What a reviewer picks work by, narrow enough for a laptop screen beside the filters.
    list_display = ["claim_text", "speaker_name", "status", "rating", "assigned_to"]
    list_filter = [
        CurrentStatusFilter,
        CurrentRatingFilter,
        HasVerdictFilter,
        AssignedReviewerFilter,
        SpeakerFilter,
        SourceFilter,
        TopicFilter,
    ]
    search_fields = ["text"]  # replaced by search_claims; kept so the search box shows
    search_help_text = "Searches claim text, quotes and speaker names. Use quotes for a phrase, -word to exclude."
    autocomplete_fields = ["speaker"]
    # Topics are a short list: checkboxes, readable and reachable by keyboard.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [AppearanceInline, VerdictSummaryInline]
    fieldsets = [
        (None, {"fields": CLAIM_FIELDS}),
        ("Review", {"fields": ["assigned_to", "verdict_link", "loaded_version"]}),
    ]
    readonly_fields = ["verdict_link", "possibly_already_checked"]
    actions = ["assign_to_me", export_csv]
    history_list_display = ["text", "speaker", "assigned_to"]
    Media = AdminStyles

    def get_fieldsets(self, request, obj=None):
        checked = ("Possibly already checked", {"fields": ["possibly_already_checked"]})
        if obj is None:
            # A near-duplicate is refused until "Save anyway" is ticked (ClaimAdminForm.clean).
            review = self.fieldsets[1]
            return [(None, {"fields": [*CLAIM_FIELDS, "save_anyway"]}), review]
        return [*self.fieldsets, checked]

    @admin.display(description="top matches (drafts included)")
    def possibly_already_checked(self, claim):
        matches = possible_duplicates(claim.text, exclude=claim.pk) if claim.pk else []
        if not matches:
            return "No similar claim on file."
        return format_html_join(mark_safe("<br>"), "{}", ((match_link(match),) for match in matches))

    def list_rows(self, request, queryset):
        # speaker and assigned_to are shown in every row; the current verdict and its rating
        # come from indexed probes per row (see with_current_verdict), a retraction from one more.
        return with_desk_status(queryset.select_related("speaker", "assigned_to"))

    def get_search_results(self, request, queryset, search_term):
        return search_claims(queryset, search_term), False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Nothing yet: the claim is saved with its topics and appearances in save_related, as one version."""

    def save_related(self, request, form, formsets, change):
        services.claim_save(
            claim=form.instance,
            actor=acting_user(request),
            expected_version=form.cleaned_data.get("loaded_version"),
            topics=form.cleaned_data.get("topics"),
            appearances=inline_parts(formsets, AppearanceInline),
        )

    @admin.display(description="claim", ordering="text")
    def claim_text(self, claim):
        return str(claim)

    @admin.display(description="speaker", ordering="speaker__name")
    def speaker_name(self, claim):
        return str(claim.speaker) if claim.speaker else "—"

    @admin.display(description="made")
    def made(self, claim):
        return claim.made_on or claim.made_on_text or "—"

    @admin.display(description="status")
    def status(self, claim):
        return status_badge(getattr(claim, "desk_status", None))

    @admin.display(description="rating")
    def rating(self, claim):
        return colour_chip(getattr(claim, "current_rating_label", None), getattr(claim, "current_rating_colour", None))

    @admin.display(description="verdict")
    def verdict_link(self, claim):
        if claim.pk is None:
            return "Save the claim first."
        # The desk's own verdict: reviews imported from other fact-checkers are not the desk's to open.
        current = (
            claim.verdicts.filter(status__in=CURRENT_VERDICT_STATUSES, reviewed_by=None)
            .select_related("rating")
            .first()
        )
        if current is not None:
            url = reverse("admin:claims_verdict_change", args=[current.pk])
            return format_html(
                '<a class="button" href="{}">Open the {} verdict</a> {}',
                url,
                current.get_status_display().lower(),
                colour_chip(current.rating.label if current.rating else None, current.rating and current.rating.colour),
            )
        # Starting a draft is a write: the button posts the page's form (and its CSRF token) to the grade URL.
        url = reverse("admin:claims_claim_grade", args=[claim.pk])
        return format_html(
            '<button type="submit" class="button" id="grade-claim" formaction="{}" formmethod="post" '
            "formnovalidate>Grade this claim</button>",
            url,
        )

    def get_urls(self):
        return [
            path(
                "<int:claim_id>/grade/",
                self.admin_site.admin_view(self.grade_view),
                name="claims_claim_grade",
            ),
            *super().get_urls(),
        ]

    def grade_view(self, request: HttpRequest, claim_id: int):
        """Start a draft verdict for the claim (POST), or open the one already in progress.

        A GET writes nothing: it opens the current verdict, or the claim with its button.
        """
        claim = get_object_or_404(Claim, pk=claim_id)
        current = claim.verdicts.filter(status__in=CURRENT_VERDICT_STATUSES, reviewed_by=None).first()
        if current is None and request.method != "POST":
            return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        if current is None:
            try:
                current = services.verdict_save(verdict=Verdict(claim=claim), actor=acting_user(request))
            except WORKFLOW_ERRORS as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[current.pk]))

    @admin.action(description="Assign selected claims to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        for claim in queryset:
            services.claim_assign(claim=claim, actor=acting_user(request), reviewer=acting_user(request))
        self.message_user(request, f"{queryset.count()} claim(s) are now in your queue.", messages.SUCCESS)


@admin.register(ReviewQueue)
class ReviewQueueAdmin(ClaimAdmin):
    """The logged-in reviewer's work: claims assigned to them or drafts they are writing."""

    list_display = ["claim_text", "speaker_name", "status", "rating", "made"]
    list_filter = [CurrentStatusFilter, TopicFilter]
    ordering = ["created_at", "id"]
    actions = []
    inlines = []

    def get_queryset(self, request):
        return review_queue(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_claim")

    def has_module_permission(self, request):
        return request.user.has_perm("claims.view_claim")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[object_id]))
