"""The verdict's workflow screens: confirmation pages, the correction form and bulk actions.

Which transitions exist, and who may make them when, is the table in
``claims.transitions``; these views ask ``services.may`` / ``services.allowed_transitions``
and carry a transition out with ``services.verdict_transition``.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .. import services
from ..forms import CorrectionForm, TransitionForm, correction_evidence_formset
from ..models import Verdict
from ..transitions import TRANSITIONS, Transition
from .display import WORKFLOW_ERRORS


def _expected_version(request: HttpRequest) -> int | None:
    expected = request.POST.get("loaded_version")
    return int(expected) if expected and expected.isdigit() else None


class WorkflowViews:
    """Mixed into the verdict admin: one confirmation page per transition, and the correction form."""

    def workflow_urls(self):
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
        ]

    def transition_url(self, verdict: Verdict, transition: Transition) -> str:
        if transition.name == "correct":  # the correction has its own form
            return reverse("admin:claims_verdict_correct", args=[verdict.pk])
        return reverse("admin:claims_verdict_transition", args=[verdict.pk, transition.name])

    def _context(self, request, verdict, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "verdict": verdict,
            "original": verdict,
            **extra,
        }

    def _stale(self, request: HttpRequest, verdict: Verdict) -> bool:
        """Whether the verdict changed since the person opened the form (said in a message)."""
        try:
            with transaction.atomic():
                services.lock_current_version(Verdict, verdict.pk, _expected_version(request))
        except services.ConflictError as error:
            self.message_user(request, str(error), messages.ERROR)
            return True
        return False

    def _after(self, verdict: Verdict, transition: Transition) -> str:
        if transition.to_status is None:  # the verdict is gone: back to its claim
            return reverse("admin:claims_claim_change", args=[verdict.claim_id])
        return reverse("admin:claims_verdict_change", args=[verdict.pk])

    def transition_view(self, request: HttpRequest, verdict_id: int, name: str):
        verdict = get_object_or_404(Verdict.objects.select_related("claim", "rating"), pk=verdict_id)
        transition = TRANSITIONS.get(name)
        if transition is None or not request.user.has_perm(transition.permission):
            raise PermissionDenied
        if transition.name == "correct":
            return HttpResponseRedirect(self.transition_url(verdict, transition))
        change_url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        refused = services.refusal_of(verdict, request.user, transition.name)
        if refused and request.method != "POST":
            # Not offered now (its status moved on, or the second-person rule): say why, ask nothing.
            self.message_user(request, refused, messages.ERROR)
            return HttpResponseRedirect(change_url)
        form = TransitionForm(request.POST if request.method == "POST" else None, text_field=transition.text_field)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data.get(transition.text_name, "") if transition.text_name else ""
            try:
                services.verdict_transition(
                    name=transition.name,
                    verdict=verdict,
                    actor=request.user,
                    text=text,
                    expected_version=_expected_version(request),
                )
            except WORKFLOW_ERRORS as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{transition.label}: done.", messages.SUCCESS)
                return HttpResponseRedirect(self._after(verdict, transition))
        context = self._context(
            request, verdict, f"{transition.label}?", transition=transition, form=form, change_url=change_url
        )
        return TemplateResponse(request, "admin/claims/verdict/transition.html", context)

    def correct_view(self, request: HttpRequest, verdict_id: int):
        verdict = get_object_or_404(Verdict.objects.select_related("claim", "rating"), pk=verdict_id)
        change_url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        refused = services.refusal_of(verdict, request.user, "correct")
        if not request.user.has_perm(TRANSITIONS["correct"].permission):
            raise PermissionDenied
        if refused and request.method != "POST":
            self.message_user(request, refused, messages.ERROR)
            return HttpResponseRedirect(change_url)
        posted = request.POST if request.method == "POST" else None
        initial = {field: getattr(verdict, field) for field in services.CORRECTABLE_FIELDS}
        form = CorrectionForm(posted, initial=initial, previous=verdict)
        evidence = correction_evidence_formset(self.admin_site, previous=verdict, data=posted)
        stale = posted is not None and self._stale(request, verdict)
        if posted is not None and not stale and form.is_valid() and evidence.is_valid():
            changes = {field: form.cleaned_data[field] for field in services.CORRECTABLE_FIELDS}
            try:
                corrected = services.verdict_correct(
                    verdict=verdict,
                    actor=request.user,
                    public_note=form.cleaned_data["public_note"],
                    changes=changes,
                    evidence=evidence.evidence(),
                    expected_version=_expected_version(request),
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
            evidence_formset=evidence,
            media=self.media + form.media + evidence.media,
            names_old_rating=form.names_old_rating(verdict.explanation),
            transition=TRANSITIONS["correct"],
            change_url=change_url,
        )
        return TemplateResponse(request, "admin/claims/verdict/correct.html", context)

    # Bulk actions: one per transition the table offers in bulk ----------------------------

    def workflow_actions(self, request) -> dict:
        actions = {}
        for transition in TRANSITIONS.values():
            if transition.bulk and request.user.has_perm(transition.permission):
                name = f"{transition.name}_selected"
                action = self._bulk_action(transition)
                actions[name] = (action, name, f"{transition.label}: the selected verdicts")
        return actions

    def _bulk_action(self, transition: Transition):
        def action(modeladmin, request, queryset):
            return modeladmin._bulk(request, queryset, transition)

        return action

    def _bulk(self, request, queryset, transition: Transition):
        """Confirm, then make ``transition`` on the selected verdicts this person may move now.

        The others are named and left out before anything is asked (the services check
        each one again when it is carried out).
        """
        selected = list(queryset.select_related("claim", "rating", "reviewer"))
        allowed = [verdict for verdict in selected if services.may(verdict, request.user, transition.name)]
        left_out = [verdict for verdict in selected if verdict not in allowed]
        if not allowed:
            self.message_user(
                request,
                f"{transition.label}: none of the selected verdicts can be moved by you now.",
                messages.WARNING,
            )
            return None
        form = TransitionForm(request.POST if "confirm" in request.POST else None, text_field=transition.text_field)
        if "confirm" in request.POST and form.is_valid():
            text = form.cleaned_data.get(transition.text_name, "") if transition.text_name else ""
            done, failures = 0, []
            for verdict in allowed:
                try:
                    services.verdict_transition(name=transition.name, verdict=verdict, actor=request.user, text=text)
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
            f"{transition.label}: {len(allowed)} verdict(s)?",
            transition=transition,
            form=form,
            queryset=allowed,
            left_out=[(verdict, services.refusal_of(verdict, request.user, transition.name)) for verdict in left_out],
            action=f"{transition.name}_selected",
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )
        return TemplateResponse(request, "admin/claims/verdict/transition.html", context)
