"""The signup form, built from the active policy's signup fields (AC1, AC2).

Each key the policy may list maps to one form field and one place it is stored. A key the
policy does not list is neither asked nor stored: the form simply has no such field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.validators import RegexValidator

from officium.privacy.policy.loader import active_policy
from officium.text import phone_validator

slug_validator = RegexValidator(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$",
                                "Use 3-63 lowercase letters, digits and hyphens.")

CONTACT_CHANNELS = [("email", "Email"), ("phone", "Phone"), ("sms", "Text message")]


@dataclass(frozen=True)
class SignupField:
    key: str
    target: str  # "user.<attr>", "organization.<attr>", or "special"
    build: Any


def _char(label: str, max_length: int = 150, **kw: Any) -> Any:
    return lambda required: forms.CharField(label=label, max_length=max_length, required=required, **kw)


CATALOGUE: dict[str, SignupField] = {
    f.key: f
    for f in [
        SignupField("first_name", "user.first_name", _char("First name")),
        SignupField("last_name", "user.last_name", _char("Last name")),
        SignupField("full_name", "special", _char("Full name", 300)),
        SignupField("email", "user.email",
                    lambda r: forms.EmailField(label="Work email", required=True)),
        SignupField("username", "user.username", _char("Username", 150)),
        SignupField("phone", "user.phone",
                    lambda r: forms.CharField(label="Phone", max_length=32, required=r,
                                              validators=[phone_validator])),
        SignupField("position", "user.position", _char("Position / title")),
        SignupField("contact_channels", "user.contact_channels",
                    lambda r: forms.MultipleChoiceField(
                        label="How may we contact you? (your consent, changeable any time)",
                        choices=CONTACT_CHANNELS, required=False,
                        widget=forms.CheckboxSelectMultiple)),
        SignupField("company_name", "organization.name", _char("Company name", 200)),
        SignupField("employee_count", "organization.employee_count",
                    lambda r: forms.IntegerField(label="Number of employees", min_value=1,
                                                 max_value=10_000_000, required=r)),
        SignupField("industry", "organization.industry", _char("Industry", 100)),
        SignupField("country", "organization.country",
                    lambda r: forms.RegexField(label="Country (ISO code, e.g. DE)", regex=r"^[A-Za-z]{2}$",
                                               max_length=2, required=r,
                                               error_messages={"invalid": "Use a two-letter country code."})),
        SignupField("preferred_domain", "organization.preferred_domain",
                    lambda r: forms.CharField(label="Preferred domain name", max_length=63,
                                              required=r, validators=[slug_validator])),
        SignupField("address", "organization.address", _char("Address", 300)),
        SignupField("city", "organization.city", _char("City", 100)),
        SignupField("state", "organization.state", _char("State / region", 100)),
        SignupField("zip_code", "organization.zip_code", _char("ZIP / postal code", 20)),
        SignupField("password", "special",
                    lambda r: forms.CharField(label="Password", widget=forms.PasswordInput,
                                              strip=False, required=True)),
    ]
}


def signup_field_spec() -> list[tuple[str, bool]]:
    """(key, required) pairs of the active policy's signup fields, in order."""
    policy = active_policy()
    return [(f.key, f.required) for f in policy.signup_fields]
