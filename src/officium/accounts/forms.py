from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from officium.accounts import age_gate, localtime
from officium.accounts.models import Membership, Organization
from officium.accounts.roles import GRANTABLE, Role
from officium.accounts.signup_fields import CATALOGUE, signup_field_spec


class SignupForm(forms.Form):
    """Built per request from the active policy: exactly its fields, nothing else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, required in signup_field_spec():
            self.fields[key] = CATALOGUE[key].build(required)
        self.fields.update(age_gate.signup_fields())  # NO4: only what the policy's age rule needs
        self.fields["time_zone"] = time_zone_field()  # WT1: the organization's, not personal data

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


def time_zone_field() -> forms.ChoiceField:
    """A select of IANA zone names; time_zone.js preselects the browser's own zone."""
    return forms.ChoiceField(
        label="Your organization's time zone", initial=localtime.DEFAULT_ZONE, required=False,
        choices=[(name, name) for name in localtime.zone_names()],
        help_text="Days, shifts and every time shown use it; a site may have its own. Empty: UTC.",
        widget=forms.Select(attrs={"data-browser-zone": "1"}))


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, label="Name")
    time_zone = forms.CharField()  # replaced by the select in __init__ (zone names load lazily)
    logo = forms.FileField(required=False, label="Logo",
                           help_text="PNG, JPEG or WebP, at most 256 KB; shown in the header.")
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = time_zone_field()
        self.fields["time_zone"].help_text = "Days, schedules and every time shown use it."


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))
    error_messages = {
        "invalid_login": "That email and password do not match an active account.",
        "inactive": "This account is not active yet: use the link in the confirmation email.",
    }


class SetPasswordForm(forms.Form):
    new_password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput, strip=False)

    def clean_new_password1(self) -> str:
        password: str = self.cleaned_data["new_password1"]
        password_validation.validate_password(password)
        return password


class InvitedSignupForm(SetPasswordForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)


class MemberChoiceField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user} ({obj.get_role_display()})"


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices)
    reports_to = MemberChoiceField(queryset=Membership.objects.none(), required=False,
                                   label="Reporting manager")

    def __init__(self, actor: Membership, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r.value, r.label) for r in GRANTABLE[Role(actor.role)]]
        self.fields["role"].initial = Role.MEMBER
        cast(MemberChoiceField, self.fields["reports_to"]).queryset = _managers(actor.organization)


class MemberForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    reports_to = MemberChoiceField(queryset=Membership.objects.none(), required=False,
                                   label="Reporting manager")
    can_see_report_locations = forms.BooleanField(
        required=False, label="May see the check-in locations of their reports")

    def __init__(self, actor: Membership, member: Membership, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r.value, r.label) for r in GRANTABLE[Role(actor.role)]]
        cast(MemberChoiceField, self.fields["reports_to"]).queryset = _managers(actor.organization).exclude(pk=member.pk)


def _managers(organization: Organization) -> Any:
    return Membership.objects.for_organization(organization).select_related("user").exclude(
        role=Role.CLIENT)


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100)
