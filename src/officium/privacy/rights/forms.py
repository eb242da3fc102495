"""Forms of the privacy center, the public request form and the officer's pages; the
choices come from the active policy (rights, purposes)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from officium.privacy.policy.country_names import COUNTRY_NAMES
from officium.privacy.policy.geography import ISO_3166_1
from officium.privacy.policy.loader import active_policy
from officium.privacy.rights.models import RequestType
from officium.privacy.rights.restriction import objectionable

COUNTRIES = [("", "Choose your country of residence")] + sorted(
    ((c, COUNTRY_NAMES.get(c, c)) for c in ISO_3166_1), key=lambda pair: pair[1])


def purpose_choices() -> list[tuple[str, str]]:
    return [(p.id, p.description) for p in active_policy().purposes if objectionable(p.id)]


class RequestForm(forms.Form):
    request_type = forms.ChoiceField(label="What would you like to do?", choices=RequestType.choices)
    residence_country = forms.ChoiceField(label="Country where you live", choices=COUNTRIES,
                                          help_text="Which rights apply depends on it.")
    residence_region = forms.CharField(label="State or region (optional)", required=False,
                                       max_length=6, help_text="For example US-CA for California.")
    details = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="For a correction: what is wrong and what it should be.")
    purposes = forms.MultipleChoiceField(label="Processing you object to", required=False,
                                         widget=forms.CheckboxSelectMultiple, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["purposes"]).choices = purpose_choices()


class AccountRequestForm(RequestForm):
    password = forms.CharField(label="Your password", required=False, widget=forms.PasswordInput,
                               help_text="Needed to see, export, correct or delete your data.")


class PublicRequestForm(RequestForm):
    email = forms.EmailField(label="Your email address",
                             help_text="We send a code to it to check it is yours.")
    field_order = ["email", "request_type", "residence_country", "residence_region",
                   "details", "purposes"]


class CodeForm(forms.Form):
    code = forms.CharField(label="Code from the email", max_length=8, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "one-time-code"}))


class PasswordForm(forms.Form):
    password = forms.CharField(label="Your password", widget=forms.PasswordInput)


class ProfileCorrectionForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(max_length=32, required=False)
    position = forms.CharField(max_length=150, required=False)
    residence_country = forms.ChoiceField(label="Country where you live", choices=COUNTRIES)
    password = forms.CharField(label="Your password", required=False, widget=forms.PasswordInput)


class OfficerRequestForm(RequestForm):
    member = forms.TypedChoiceField(label="On behalf of", coerce=int, choices=[])
    field_order = ["member", "request_type", "residence_country", "residence_region",
                   "details", "purposes"]

    def __init__(self, members: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["member"]).choices = [(m.pk, str(m.user)) for m in members]


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AnswerForm(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)


class RectifyForm(forms.Form):
    field = forms.ChoiceField(choices=[])
    value = forms.CharField(max_length=254)

    def __init__(self, fields: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["field"]).choices = [(f, f.replace("_", " ")) for f in fields]
