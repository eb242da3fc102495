"""BI2/SE2: cards arrive as the provider's token, never as numbers.

The browser gives the card to the provider's own script; the page posts us the token (a
payment method id) with the cardholder name and billing address. We ask the provider what the
token is (brand, last four, expiry) and keep that. The token itself is kept only when the
holder agreed to keep the card for future payments (purpose ``saved_card`` in the consent
ledger); otherwise it is detached at the provider once the payment is made and cleared here.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership, Organization
from officium.accounts.roles import Role
from officium.billing.audit_events import CARD_ADDED, CARD_REMOVED
from officium.billing.limits import subscription_for
from officium.billing.models import PaymentMethod
from officium.billing.providers import provider
from officium.billing.providers.base import CardDetails, ProviderError
from officium.errors import ErrorCode
from officium.privacy import audit
from officium.privacy.consent import catalogue, ledger
from officium.privacy.consent.models import Method, State
from officium.text import validate_name

SAVED_CARD = "saved_card"
TOKEN = re.compile(r"^(pm|card|tok)_[A-Za-z0-9]{6,96}$")
DIGIT_RUN = re.compile(r"\d[\d \-]{11,}\d")


class PaymentRefused(ValidationError):
    """The provider declined: shown on the card form (402 on the API)."""

    http_status = 402
    error_code = ErrorCode.PAYMENT_REFUSED


def contains_card_number(text: str) -> bool:
    """SE2: a Luhn-valid run of 13-19 digits (spaces or dashes between them allowed)."""
    from officium.billing.providers.standin import luhn_valid

    for match in DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        for length in range(19, 12, -1):
            for start in range(0, len(digits) - length + 1):
                if luhn_valid(digits[start:start + length]):
                    return True
    return False


def saving_offered() -> bool:
    """Whether the active policy has the ``saved_card`` purpose (consent to keep a card)."""
    try:
        catalogue.purpose(SAVED_CARD)
    except ValidationError:
        return False
    return True


def payments_offered() -> bool:
    """Cards are taken only under a policy with the ``payments`` purpose (its notice says so)."""
    try:
        catalogue.purpose("payments")
    except ValidationError:
        return False
    return True


def address_kept() -> bool:
    """The billing address is kept only where the policy declares postal addresses."""
    from officium.privacy.policy_runtime import collected_signup_keys

    return "category:pd:PhysicalAddress" in collected_signup_keys()


def require_owner(actor: Membership) -> None:
    if actor.role != Role.OWNER:
        raise PermissionDenied("Only the organization's owner manages its plan and payment.")


def clean_card_form(data: dict[str, Any]) -> dict[str, Any]:
    """The fields we keep, validated; any field holding a card number is refused (SE2)."""
    if not payments_offered():
        raise ValidationError({"payment_method": "Card payments are not offered under this privacy policy."})
    for name, value in data.items():
        # A provider's token is random letters and digits: a run of them may pass the Luhn check
        # (one in a few hundred did), yet it is no card number.
        if isinstance(value, str) and not TOKEN.match(value.strip()) and contains_card_number(value):
            raise ValidationError({name: "This looks like a card number. Card numbers go to the payment "
                                         "provider only: type it into the card field."})
    token = str(data.get("payment_method") or "").strip()
    if not TOKEN.match(token):
        raise ValidationError({"payment_method": "The card was not tokenized by the payment provider: "
                                                 "enter the card again."})
    values: dict[str, Any] = {"payment_method": token}
    for name, limit, label in (("cardholder_name", 120, "the cardholder's name"),
                               ("address_line", 200, "the billing address"),
                               ("postal_code", 20, "the postal code"), ("city", 100, "the city")):
        value = str(data.get(name) or "").strip()
        if not value or len(value) > limit:
            raise ValidationError({name: f"Enter {label} (1-{limit} characters)."})
        values[name] = validate_name(value, name) if name == "cardholder_name" else value
    country = str(data.get("country") or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise ValidationError({"country": "Enter the two-letter country code (DE, FR, ...)."})
    values["country"] = country
    save = data.get("save_card")
    if save not in (None, "", True, False, "on", "true", "false"):
        raise ValidationError({"save_card": "Answer true or false."})
    values["save_card"] = save in (True, "on", "true")
    if values["save_card"] and not saving_offered():
        raise ValidationError({"save_card": "Keeping cards is not offered under this privacy policy."})
    return values


def attach_card(actor: Membership, values: dict[str, Any]) -> tuple[PaymentMethod, CardDetails]:
    """Ask the provider what the token is and keep the description (outside any transaction:
    a provider call may be slow; nothing of ours is written until it answers)."""
    organization = actor.organization
    subscription = subscription_for(organization)
    try:
        gateway = provider()
        if not subscription.provider_customer:
            subscription.provider_customer = gateway.create_customer(organization.pk)
            subscription.save(update_fields=["provider_customer"])
        card = gateway.attach(values["payment_method"], subscription.provider_customer)
    except ProviderError as error:
        raise PaymentRefused({"payment_method": error.message}) from None
    address = address_kept()
    method = PaymentMethod(
        organization=organization, holder=actor.user, cardholder_name=values["cardholder_name"],
        address_line=values["address_line"] if address else "",
        postal_code=values["postal_code"] if address else "", city=values["city"] if address else "",
        country=values["country"] if address else "", brand=card.brand, last4=card.last4, exp_month=card.exp_month,
        exp_year=card.exp_year, provider_token=card.token if values["save_card"] else "",
        saved=values["save_card"])
    return method, card


def store_card(actor: Membership, method: PaymentMethod, consent_method: str = Method.CARD_FORM) -> PaymentMethod:
    """Inside the caller's transaction: older saved cards are replaced; consent recorded as
    given where it was: the checkbox of the card form (``card_form``) or the API's
    ``save_card`` sent with the owner's own token (``api``)."""
    if method.saved:
        for old in PaymentMethod.objects.filter(organization=method.organization, saved=True,
                                                removed_at=None):
            _forget(old)
            if old.provider_token and old.provider_token != method.provider_token:
                transaction.on_commit(partial(release_token, old.provider_token))
        ledger.decide(ledger.Subject.of(actor.user), SAVED_CARD, State.GIVEN, consent_method)
    method.save()
    audit.record(CARD_ADDED, actor=actor.user_id, organization=actor.organization_id,
                 subject=actor.user_id, target=method, details={"saved": method.saved})
    return method


def release_token(token: str) -> None:
    """Detach a token we are not keeping (no consent); best effort after the payment."""
    try:
        provider().detach(token)
    except ProviderError:
        pass


def saved_card(organization: Organization) -> PaymentMethod | None:
    return PaymentMethod.objects.filter(organization=organization, saved=True, removed_at=None) \
        .exclude(provider_token="").first()


def remove_saved_card(actor: Membership) -> None:
    """The holder withdraws: the card is detached at the provider and its token forgotten."""
    require_owner(actor)
    method = saved_card(actor.organization)
    if method is None:
        raise ValidationError({"card": "There is no saved card."})
    token = method.provider_token
    with transaction.atomic():
        _forget(method)
        if method.holder_id:
            ledger.decide(ledger.Subject(user_id=method.holder_id), SAVED_CARD, State.WITHDRAWN,
                          Method.BILLING_PAGE)
        audit.record(CARD_REMOVED, actor=actor.user_id, organization=actor.organization_id,
                     subject=method.holder_id, target=method)
        transaction.on_commit(lambda: release_token(token))


def withdrawn_elsewhere(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A ``saved_card`` consent withdrawn anywhere but the billing page (the privacy
    preferences page, an officer): the holder's saved cards are forgotten and detached at the
    provider, as the billing page's button does. Connected to the ledger's ``post_save``."""
    if (not created or raw or instance.purpose != SAVED_CARD or instance.state != State.WITHDRAWN
            or instance.method == Method.BILLING_PAGE or instance.subject_user_id is None):
        return
    for method in PaymentMethod.objects.filter(holder_id=instance.subject_user_id, saved=True, removed_at=None):
        token = method.provider_token
        _forget(method)
        audit.record(CARD_REMOVED, actor=instance.subject_user_id, organization=method.organization_id,
                     subject=instance.subject_user_id, target=method, details={"consent": str(instance.method)})
        if token:
            transaction.on_commit(partial(release_token, token))


def _forget(method: PaymentMethod) -> None:
    PaymentMethod.objects.filter(pk=method.pk).update(saved=False, provider_token="",
                                                      removed_at=timezone.now())
