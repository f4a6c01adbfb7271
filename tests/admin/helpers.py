"""Turn a rendered admin change form into the POST data a browser would send back."""

from django import forms


def _add_form(data: dict, form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
            continue
        if value is None:
            data[key] = ""
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)


def change_form_data(response, **changes) -> dict:
    """The data of the admin change form in ``response``, with ``changes`` applied."""
    data: dict = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    data.update(changes)
    return data


def formset_data(formset) -> dict:
    """The POST data of a rendered formset (management form and rows), as a browser sends it."""
    data: dict = {}
    _add_form(data, formset.management_form)
    for form in formset.forms:
        _add_form(data, form)
    return data
