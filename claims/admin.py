"""The reviewers' and editors' workspace. Thin: every write goes through claims.services."""

from admin_auto_filters.filters import AutocompleteFilter
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from factcheck.history_admin import HistoryAdmin
from factcheck.paginators import LargeTablePaginator

from . import importer, services
from .choices import VerdictStatus
from .forms import ClaimReviewImportForm, CorrectionForm, TransitionForm, VerdictAdminForm, VersionedModelForm
from .models import Appearance, Claim, Evidence, Rating, ReviewQueue, Speaker, Topic, Verdict
from .selectors import (
    filter_by_current_rating,
    filter_by_current_status,
    review_queue,
    search_claims,
    with_current_verdict,
)
from .workflow import TRANSITIONS, Transition

WORKFLOW_ERRORS = (services.WorkflowError, services.ConflictError, PermissionDenied)


IMPORT_SESSION_KEY = "claimreview_import"
IMPORT_RESULT_SESSION_KEY = "claimreview_import_result"


def colour_chip(label: str | None, colour: str | None):
    if not label:
        return "—"
    return format_html('<span class="rating-chip" style="background:{}"></span> {}', colour, label)


def status_badge(status: str | None):
    if not status:
        return format_html('<span class="status-badge status-none">{}</span>', "no verdict")
    return format_html('<span class="status-badge status-{}">{}</span>', status, VerdictStatus(status).label.lower())


class AdminStyles:
    css = {"all": ["claims/admin.css"]}


# Filters ------------------------------------------------------------------------------


class CurrentStatusFilter(admin.SimpleListFilter):
    title = "verdict status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("none", "No verdict yet"), *[(s.value, s.label) for s in VerdictStatus if s.value in _CURRENT]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return filter_by_current_status(queryset, None)
        if value in _CURRENT:
            return filter_by_current_status(queryset, value)
        return queryset


_CURRENT = {VerdictStatus.DRAFT.value, VerdictStatus.IN_REVIEW.value, VerdictStatus.PUBLISHED.value}


class CurrentRatingFilter(admin.SimpleListFilter):
    title = "rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(rating.slug, rating.label) for rating in Rating.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return filter_by_current_rating(queryset, self.value())
        return queryset


class HasVerdictFilter(admin.SimpleListFilter):
    title = "any verdict"
    parameter_name = "has_verdict"

    def lookups(self, request, model_admin):
        return [("yes", "Has a verdict (any state)"), ("no", "Has never had a verdict")]

    def queryset(self, request, queryset):
        verdicts = Verdict.objects.filter(claim=OuterRef("pk"))
        if self.value() == "yes":
            return queryset.filter(Exists(verdicts))
        if self.value() == "no":
            return queryset.filter(~Exists(verdicts))
        return queryset


class StaffUserFilter(admin.SimpleListFilter):
    """Filter on a user field by the desk's staff (a short list), never by scanning the table."""

    field: str

    def lookups(self, request, model_admin):
        users = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        return [("me", "Me"), ("nobody", "Nobody"), *[(str(user.pk), user.get_username()) for user in users]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(**{self.field: request.user})
        if value == "nobody":
            return queryset.filter(**{f"{self.field}__isnull": True})
        if value and value.isdigit():
            return queryset.filter(**{f"{self.field}_id": int(value)})
        return queryset


class AssignedReviewerFilter(StaffUserFilter):
    title = "assigned reviewer"
    parameter_name = "assigned"
    field = "assigned_to"


class VerdictReviewerFilter(StaffUserFilter):
    title = "reviewer"
    parameter_name = "reviewer"
    field = "reviewer"


class SpeakerFilter(AutocompleteFilter):
    title = "speaker"
    field_name = "speaker"


class SourceFilter(AutocompleteFilter):
    """Claims that appear in a source, picked by autocomplete (a table too large to list)."""

    title = "appears in source"
    field_name = "source"
    rel_model = Appearance
    parameter_name = "source"

    def queryset(self, request, queryset):
        if self.value() and str(self.value()).isdigit():
            return queryset.filter(Exists(Appearance.objects.filter(claim=OuterRef("pk"), source_id=self.value())))
        return queryset


class TopicFilter(admin.SimpleListFilter):
    title = "topic"
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        return list(Topic.objects.values_list("slug", "name"))

    def queryset(self, request, queryset):
        if self.value():
            tagged = Claim.topics.through.objects.filter(claim=OuterRef("pk"), topic__slug=self.value())
            return queryset.filter(Exists(tagged))
        return queryset


# Claims -------------------------------------------------------------------------------


class AppearanceInline(admin.TabularInline):
    model = Appearance
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "attributed_to"]


class VerdictSummaryInline(admin.TabularInline):
    """The claim's verdicts, newest first, read-only: they change through their own pages."""

    model = Verdict
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["status_display", "rating", "headline", "reviewer", "editor", "published_at"]
    readonly_fields = fields
    verbose_name_plural = "verdicts (every version is kept)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rating", "reviewer", "editor").order_by("-created_at")

    @admin.display(description="status")
    def status_display(self, verdict):
        return status_badge(verdict.status)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimAdminForm(VersionedModelForm):
    class Meta:
        model = Claim
        fields = "__all__"


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    # Changes go through the services (workflow, corrections): history is read-only.
    revert_allowed = False
    form = ClaimAdminForm
    list_display = ["claim_text", "speaker", "made", "status", "rating", "assigned_to", "updated_at"]
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
    autocomplete_fields = ["speaker", "topics"]
    inlines = [AppearanceInline, VerdictSummaryInline]
    fieldsets = [
        (None, {"fields": ["text", "speaker", ("made_on", "made_on_text"), "made_in", "language", "topics"]}),
        ("Review", {"fields": ["assigned_to", "verdict_link", "loaded_version"]}),
    ]
    readonly_fields = ["verdict_link"]
    paginator = LargeTablePaginator
    show_full_result_count = False
    list_per_page = 50
    actions = ["assign_to_me"]
    history_list_display = ["text", "speaker", "assigned_to"]
    Media = AdminStyles

    def get_queryset(self, request):
        # speaker and assigned_to are shown in every row; the current verdict and its rating
        # come from one join (see with_current_verdict).
        return with_current_verdict(super().get_queryset(request).select_related("speaker", "assigned_to"))

    def get_search_results(self, request, queryset, search_term):
        return search_claims(queryset, search_term), False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.claim_save(claim=obj, actor=request.user, expected_version=form.cleaned_data.get("version"))

    @admin.display(description="claim", ordering="text")
    def claim_text(self, claim):
        return str(claim)

    @admin.display(description="made")
    def made(self, claim):
        return claim.made_on or claim.made_on_text or "—"

    @admin.display(description="status")
    def status(self, claim):
        return status_badge(getattr(claim, "current_status", None))

    @admin.display(description="rating")
    def rating(self, claim):
        return colour_chip(getattr(claim, "current_rating_label", None), getattr(claim, "current_rating_colour", None))

    @admin.display(description="verdict")
    def verdict_link(self, claim):
        if claim.pk is None:
            return "Save the claim first."
        current = claim.verdicts.filter(status__in=_CURRENT).select_related("rating").first()
        if current is not None:
            url = reverse("admin:claims_verdict_change", args=[current.pk])
            return format_html(
                '<a class="button" href="{}">Open the {} verdict</a> {}',
                url,
                current.get_status_display().lower(),
                colour_chip(current.rating.label if current.rating else None, current.rating and current.rating.colour),
            )
        url = reverse("admin:claims_claim_grade", args=[claim.pk])
        return format_html('<a class="button" id="grade-claim" href="{}">Grade this claim</a>', url)

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
        """Start a draft verdict for the claim (or open the one already in progress)."""
        claim = get_object_or_404(Claim, pk=claim_id)
        current = claim.verdicts.filter(status__in=_CURRENT).first()
        if current is None:
            try:
                current = services.verdict_save(verdict=Verdict(claim=claim), actor=request.user)
            except WORKFLOW_ERRORS as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[current.pk]))

    @admin.action(description="Assign selected claims to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        for claim in queryset:
            services.claim_assign(claim=claim, actor=request.user, reviewer=request.user)
        self.message_user(request, f"{queryset.count()} claim(s) are now in your queue.", messages.SUCCESS)


@admin.register(ReviewQueue)
class ReviewQueueAdmin(ClaimAdmin):
    """The logged-in reviewer's work: claims assigned to them or drafts they are writing."""

    list_display = ["claim_text", "speaker", "made", "status", "rating", "created_at"]
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


# Verdicts -----------------------------------------------------------------------------


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "stance", "quote", "note", "position"]

    def _editable(self, request, verdict):
        return verdict is not None and services.can_edit_verdict(verdict, request.user)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or self._editable(request, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self._editable(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self._editable(request, obj))


@admin.register(Verdict)
class VerdictAdmin(HistoryAdmin):
    # Changes go through the services (workflow, corrections): history is read-only.
    revert_allowed = False
    form = VerdictAdminForm
    change_form_template = "admin/claims/verdict/change_form.html"
    list_display = ["claim_text", "rating_chip", "status_display", "reviewer", "editor", "updated_at"]
    list_filter = ["status", "rating", VerdictReviewerFilter]
    list_select_related = ["claim", "rating", "reviewer", "editor"]
    search_fields = ["headline"]  # replaced by a claim search; kept so the search box shows
    search_help_text = "Searches the claims' text, quotes and speakers."
    autocomplete_fields = ["claim"]
    inlines = [EvidenceInline]
    actions = ["submit_selected", "publish_selected", "return_selected", "retract_selected"]
    paginator = LargeTablePaginator
    show_full_result_count = False
    list_per_page = 50
    history_list_display = ["status", "rating", "headline"]
    workflow_fields = [
        "status_display",
        "reviewer",
        "editor",
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
        # Only unpublished drafts can be deleted; everything else is part of the record.
        if obj is None:
            return super().has_delete_permission(request)
        return (
            super().has_delete_permission(request, obj)
            and obj.status == VerdictStatus.DRAFT
            and services.can_edit_verdict(obj, request.user)
        )

    def save_model(self, request, obj, form, change):
        services.verdict_save(verdict=obj, actor=request.user, expected_version=form.cleaned_data.get("loaded_version"))

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
                "transitions": [t for t in TRANSITIONS.values() if t.allowed_for(verdict, request.user)],
                "can_correct": verdict.status == VerdictStatus.PUBLISHED
                and request.user.has_perm("claims.correct_verdict"),
                "can_save_and_submit": verdict.status == VerdictStatus.DRAFT
                and services.can_edit_verdict(verdict, request.user)
                and request.user.has_perm("claims.submit_verdict"),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # Display ----------------------------------------------------------------------------

    @admin.display(description="claim", ordering="claim__text")
    def claim_text(self, verdict):
        return str(verdict.claim)

    @admin.display(description="rating", ordering="rating__position")
    def rating_chip(self, verdict):
        return colour_chip(verdict.rating and verdict.rating.label, verdict.rating and verdict.rating.colour)

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

    # Workflow views and actions ---------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:verdict_id>/workflow/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="claims_verdict_transition",
            ),
            path(
                "<int:verdict_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="claims_verdict_correct",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="claims_verdict_import"),
            *super().get_urls(),
        ]

    def _context(self, request, verdict, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "verdict": verdict,
            "original": verdict,
            **extra,
        }

    def transition_view(self, request: HttpRequest, verdict_id: int, name: str):
        verdict = get_object_or_404(Verdict.objects.select_related("claim", "rating"), pk=verdict_id)
        transition = TRANSITIONS.get(name)
        if transition is None or not request.user.has_perm(transition.permission):
            raise PermissionDenied
        change_url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        form = TransitionForm(request.POST if request.method == "POST" else None, text_field=transition.text_field)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data.get(transition.text_field[0], "") if transition.text_field else ""
            expected = request.POST.get("loaded_version")
            try:
                transition.run(
                    verdict,
                    request.user,
                    text=text,
                    expected_version=int(expected) if expected and expected.isdigit() else None,
                )
            except WORKFLOW_ERRORS as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{transition.label}: done.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = self._context(
            request, verdict, f"{transition.label}?", transition=transition, form=form, change_url=change_url
        )
        return TemplateResponse(request, "admin/claims/verdict/transition.html", context)

    def correct_view(self, request: HttpRequest, verdict_id: int):
        verdict = get_object_or_404(Verdict.objects.select_related("claim", "rating"), pk=verdict_id)
        if not request.user.has_perm("claims.correct_verdict"):
            raise PermissionDenied
        initial = {field: getattr(verdict, field) for field in services.CORRECTABLE_FIELDS}
        form = CorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            changes = {field: form.cleaned_data[field] for field in services.CORRECTABLE_FIELDS}
            expected = request.POST.get("loaded_version")
            try:
                corrected = services.verdict_correct(
                    verdict=verdict,
                    actor=request.user,
                    public_note=form.cleaned_data["public_note"],
                    changes=changes,
                    expected_version=int(expected) if expected and expected.isdigit() else None,
                )
            except WORKFLOW_ERRORS as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, "The correction is published; the previous version is kept.")
                return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[corrected.pk]))
        context = self._context(
            request,
            verdict,
            "Publish a correction",
            form=form,
            change_url=reverse("admin:claims_verdict_change", args=[verdict.pk]),
        )
        return TemplateResponse(request, "admin/claims/verdict/correct.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm("claims.import_claimreview")}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest):
        """Upload ClaimReview, read the dry run's summary, then confirm the import.

        The uploaded files wait in storage under a token bound to this session, so the
        confirmed import writes exactly what the dry run checked.
        """
        if not request.user.has_perm("claims.import_claimreview"):
            raise PermissionDenied
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import ClaimReview",
        }
        if request.method == "POST" and "cancel" in request.POST:
            importer.discard(pending.get("token", ""))
            request.session.pop(IMPORT_SESSION_KEY, None)
            self.message_user(request, "Import cancelled; nothing was written.", messages.INFO)
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, pending, context)

        posted = request.method == "POST"
        form = ClaimReviewImportForm(request.POST if posted else None, request.FILES if posted else None)
        if posted and form.is_valid():
            importer.discard(pending.get("token", ""))
            request.session.pop(IMPORT_SESSION_KEY, None)
            inputs = [importer.Input(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
            options = {
                "publisher_name": form.cleaned_data["publisher_name"],
                "skip_invalid": form.cleaned_data["skip_invalid"],
            }
            try:
                summary = importer.import_claimreview(inputs, dry_run=True, actor=request.user, **options)
            except importer.ImportRefused as refused:
                context.update(form=form, summary=refused.summary, refused=True)
                return TemplateResponse(request, "admin/claims/verdict/import.html", context)
            token = importer.stash(inputs)
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "names": [item.name for item in inputs],
                **options,
            }
            context.update(summary=summary, pending=request.session[IMPORT_SESSION_KEY], token=token)
            return TemplateResponse(request, "admin/claims/verdict/import.html", context)
        context.update(form=form, result=request.session.pop(IMPORT_RESULT_SESSION_KEY, None))
        return TemplateResponse(request, "admin/claims/verdict/import.html", context)

    def _confirm_import(self, request, pending, context):
        token = request.POST.get("token", "")
        if not pending or pending.get("token") != token:
            self.message_user(
                request, "That upload is no longer waiting (already imported or cancelled).", messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        try:
            inputs = importer.unstash(token)
        except FileNotFoundError:
            request.session.pop(IMPORT_SESSION_KEY, None)
            self.message_user(request, "That upload has expired; please upload the files again.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        try:
            summary = importer.import_claimreview(
                inputs,
                skip_invalid=pending["skip_invalid"],
                publisher_name=pending["publisher_name"],
                actor=request.user,
            )
        except importer.ImportRefused as refused:
            context.update(form=ClaimReviewImportForm(), summary=refused.summary, refused=True)
            return TemplateResponse(request, "admin/claims/verdict/import.html", context)
        finally:
            # Imported or refused, the upload is done with: a retry starts from a new upload.
            importer.discard(token)
            request.session.pop(IMPORT_SESSION_KEY, None)
        self.message_user(request, summary.lines()[0], messages.SUCCESS)
        request.session[IMPORT_RESULT_SESSION_KEY] = summary.lines()
        return HttpResponseRedirect(reverse("admin:claims_verdict_import"))

    def _bulk(self, request, queryset, transition: Transition):
        form = TransitionForm(request.POST if "confirm" in request.POST else None, text_field=transition.text_field)
        if "confirm" in request.POST and form.is_valid():
            text = form.cleaned_data.get(transition.text_field[0], "") if transition.text_field else ""
            done, failures = 0, []
            for verdict in queryset:
                try:
                    transition.run(verdict, request.user, text=text)
                except WORKFLOW_ERRORS as error:
                    failures.append(f"“{verdict.claim}”: {error}")
                else:
                    done += 1
            if done:
                self.message_user(request, f"{transition.label}: {done} verdict(s).", messages.SUCCESS)
            for failure in failures:
                self.message_user(request, f"Not done for {failure}", messages.ERROR)
            return None
        context = self._context(
            request,
            None,
            f"{transition.label}: {queryset.count()} verdict(s)?",
            transition=transition,
            form=form,
            queryset=queryset,
            action=f"{transition.name}_selected",
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )
        return TemplateResponse(request, "admin/claims/verdict/transition.html", context)

    @admin.action(description="Submit selected drafts for review", permissions=["submit"])
    def submit_selected(self, request, queryset):
        return self._bulk(request, queryset, TRANSITIONS["submit"])

    @admin.action(description="Publish selected verdicts", permissions=["publish"])
    def publish_selected(self, request, queryset):
        return self._bulk(request, queryset, TRANSITIONS["publish"])

    @admin.action(description="Return selected verdicts to their reviewers", permissions=["return"])
    def return_selected(self, request, queryset):
        return self._bulk(request, queryset, TRANSITIONS["return"])

    @admin.action(description="Retract selected verdicts", permissions=["retract"])
    def retract_selected(self, request, queryset):
        return self._bulk(request, queryset, TRANSITIONS["retract"])

    def has_submit_permission(self, request):
        return request.user.has_perm("claims.submit_verdict")

    def has_publish_permission(self, request):
        return request.user.has_perm("claims.publish_verdict")

    def has_return_permission(self, request):
        return request.user.has_perm("claims.return_verdict")

    def has_retract_permission(self, request):
        return request.user.has_perm("claims.retract_verdict")


# Reference data -----------------------------------------------------------------------


@admin.register(Speaker)
class SpeakerAdmin(HistoryAdmin):
    list_display = ["name", "kind", "is_anonymous", "role", "affiliation", "wikidata_id"]
    list_filter = ["kind", "is_anonymous"]
    search_fields = ["name"]
    paginator = LargeTablePaginator
    show_full_result_count = False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["chip", "slug", "value", "position", "description"]
    list_editable = ["position"]
    ordering = ["position"]
    Media = AdminStyles

    @admin.display(description="rating")
    def chip(self, rating):
        return colour_chip(rating.label, rating.colour)

    def get_readonly_fields(self, request, obj=None):
        # API clients and ClaimReview consumers key on the slug: it never changes once used.
        return ["slug"] if obj and obj.verdicts.exists() else []
