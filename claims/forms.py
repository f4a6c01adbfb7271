"""Admin forms: optimistic locking for edits, and the forms behind workflow transitions."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from .models import Rating, Verdict
from .services import ConflictError, WorkflowError, check_no_current_verdict, lock_current_version


class VersionedModelForm(forms.ModelForm):
    """Carries the version of the row the person opened; refuses to save over a newer one.

    The check runs inside the admin's transaction and locks the row, so two people
    saving at the same moment cannot both pass it; the service re-checks before saving.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            expected = cleaned.get("loaded_version")
            try:
                lock_current_version(type(self.instance), self.instance.pk, expected if expected is not None else -1)
            except ConflictError as error:
                raise ValidationError(str(error), code="conflict") from error
        return cleaned


class RatingChoiceField(forms.ModelChoiceField):
    """The desk's scale as radio buttons, each with its colour and description."""

    def label_from_instance(self, rating: Rating):
        return format_html(
            '<span class="rating-chip" style="background:{}"></span> <strong>{}</strong> '
            '<span class="rating-description">{}</span>',
            rating.colour,
            rating.label,
            rating.description,
        )


class TransitionForm(forms.Form):
    """Confirmation of a workflow transition, with the text some transitions require."""

    def __init__(self, *args, text_field: tuple[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if text_field:
            name, label = text_field
            self.fields[name] = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 4}))


class CorrectionForm(forms.Form):
    """A corrected version of a published verdict and the public note that explains it."""

    rating = RatingChoiceField(queryset=Rating.objects.all(), widget=forms.RadioSelect, empty_label=None)
    headline = forms.CharField(max_length=300)
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    internal_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    public_note = forms.CharField(
        label="Public correction note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown with the corrected verdict: what changed and why.",
    )


class VerdictAdminForm(VersionedModelForm):
    rating = RatingChoiceField(
        queryset=Rating.objects.all(), widget=forms.RadioSelect, required=False, empty_label=None
    )

    class Meta:
        model = Verdict
        fields = ["claim", "rating", "headline", "explanation", "internal_notes"]

    def clean(self):
        cleaned = super().clean()
        claim = cleaned.get("claim")
        if self.instance.pk is None and claim is not None:
            try:
                check_no_current_verdict(claim)
            except WorkflowError as error:
                raise ValidationError(str(error), code="current_verdict_exists") from error
        return cleaned
