"""Officium's own words for the fixed values of a policy file.

The notice and the ROPA are generated, so their phrasing lives here once: each enum value
a policy may hold has one plain-language rendering, and nothing is copied from a seed.
"""

from __future__ import annotations

from officium.privacy.policy import geography
from officium.privacy.policy.sections import Period, RetentionRule
from officium.privacy.policy.vocabulary import BasisKind

BASIS: dict[BasisKind, str] = {
    "consent": "your consent",
    "contract": "performing our contract with you or your organization",
    "legitimate_interest": "our legitimate interests, balanced against yours",
    "legal_obligation": "a legal obligation we have",
    "vital_interest": "protecting someone's vital interests",
}

RIGHTS: dict[str, str] = {
    "access": "get a copy of the personal data we hold about you",
    "rectification": "have inaccurate data corrected and incomplete data completed",
    "erasure": "have your personal data erased",
    "restriction": "have the processing of your data restricted",
    "objection": "object to processing based on legitimate interests or for marketing",
    "portability": "receive your data in a structured, machine-readable file",
    "withdraw_consent": "withdraw a consent at any time, as easily as you gave it",
    "complaint": "complain to a data protection supervisory authority",
    "confirm_processing": "ask whether we hold or process any of your data, even without an account",
    "forum_removal": "ask us to remove what you posted on our public forums",
    "ccpa_know": "know the categories and specific pieces of personal data we collected",
    "ccpa_delete": "have the personal data we collected about you deleted",
    "ccpa_opt_out_of_sale": "opt out of the sale of your personal data (we never sell it)",
}

CHANNELS: dict[str, str] = {
    "self_service": "yourself, from your account settings",
    "request_form": "through the privacy request form",
    "email": "by writing to our privacy contact",
}

SIGNUP_FIELDS: dict[str, str] = {
    "first_name": "first name", "last_name": "last name", "full_name": "name",
    "email": "email address", "company_name": "company name",
    "employee_count": "number of employees", "phone": "phone number", "country": "country",
    "preferred_domain": "preferred domain name", "position": "position or title",
    "contact_channels": "how you want us to contact you",
    "address": "address", "industry": "industry", "city": "city", "state": "state",
    "zip_code": "ZIP or postal code", "username": "user name", "password": "password",
}

COOKIES: dict[str, str] = {
    "strictly_necessary": "Strictly necessary",
    "preferences": "Preferences",
    "analytics": "Analytics",
    "third_party": "Third party",
}

LOG_RECORDS: dict[str, str] = {
    "ip_address": "IP address", "user_agent": "browser type", "device": "device",
    "operating_system": "operating system", "isp": "internet service provider",
    "timestamp": "date and time", "page": "page requested", "referrer": "referring page",
    "clicks": "clicks", "app_configuration": "app configuration",
    "usage_statistics": "usage statistics",
}

ROLES: dict[str, str] = {
    "processor": "processes data on our behalf",
    "affiliate": "affiliated company",
    "partner": "partner",
    "authority": "public authority",
}

TRIGGERS: dict[str, str] = {
    "created": "after it is recorded",
    "account_terminated": "after the account is terminated",
    "account_cancelled": "after the user account is cancelled",
    "request_closed": "after the request is closed",
}

SENSITIVITY: dict[str, str] = {
    "normal": "",
    "sensitive": "sensitive",
    "special": "special category",
}


def places(codes: list[str]) -> str:
    return ", ".join(geography.describe(code) for code in codes)


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def retention_period(rule: RetentionRule) -> str:
    if rule.duration_days == 0:
        when = {"account_terminated": "when the account is terminated",
                "account_cancelled": "when the user account is cancelled",
                "request_closed": "when the request is closed",
                "created": "immediately"}[rule.trigger]
        period = f"deleted {when}"
    else:
        period = f"{days(rule.duration_days)} {TRIGGERS[rule.trigger]}"
    if rule.min_days is not None or rule.max_days is not None:
        if rule.min_days != rule.max_days:
            low = days(rule.min_days or 0)
            high = days(rule.max_days) if rule.max_days is not None else "longer"
            period += f" (your organization may choose between {low} and {high})"
    return period


def deadline(period: Period, extension: Period | None) -> str:
    text = f"within {period.describe()} of receiving your request"
    if extension is not None:
        text += (f"; if a request is complex we may extend this by {extension.describe()}, "
                 "and we tell you why within the first period")
    return text
