"""The age gate and reports of children's accounts (NO4).

Signup asks what the active policy's age rule needs: a declaration ("I am at least N") or a
birth date. Below the threshold nothing is created and nothing typed is kept, not even in
the audit log. Anyone may report an account as a child's; the privacy officers of that
account's organizations confirm or dismiss the report, and confirming deletes the account.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership, User
from officium.accounts.roles import PRIVACY_STAFF
from officium.privacy import audit
from officium.privacy.models import ChildReport, ChildReportStatus
from officium.privacy.policy.loader import active_policy
from officium.privacy.policy.sections import AgeGate

DECLARATION = "age_confirmation"
BIRTH_DATE = "birth_date"
FIELD_NAMES = (DECLARATION, BIRTH_DATE)


def rule() -> AgeGate | None:
    return active_policy().age


def signup_fields() -> dict[str, forms.Field]:
    """The fields the signup form adds for the policy's age rule (none without one)."""
    gate = rule()
    if gate is None:
        return {}
    n = gate.threshold
    if gate.check == "birth_date":
        return {BIRTH_DATE: forms.DateField(
            label="Date of birth", help_text=f"Only to check you are at least {n}; it is not stored.",
            widget=forms.DateInput(attrs={"type": "date"}))}
    return {DECLARATION: forms.ChoiceField(
        label="Your age", widget=forms.RadioSelect,
        choices=[("yes", f"I am {n} or older"), ("no", f"I am under {n}")])}


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def refuses(cleaned: dict[str, Any]) -> bool:
    """True when the answers given show the person is below the policy's threshold."""
    gate = rule()
    if gate is None:
        return False
    if gate.check == "birth_date":
        born = cleaned.get(BIRTH_DATE)
        return born is not None and age_on(born, timezone.localdate()) < gate.threshold
    return cleaned.get(DECLARATION) == "no"


def signup_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    """What the signup service receives: the birth date is dropped, only the fact that the
    age was confirmed remains (it shows in the signup audit entry as a field name)."""
    data = {k: v for k, v in cleaned.items() if k not in FIELD_NAMES}
    if rule() is not None:
        data[DECLARATION] = "yes"
    return data


# --- reports of children's accounts --------------------------------------------------------

def report_child_account(email: str, reporter: User | None = None) -> int:
    """Open one report per organization of the account with this email; returns how many.

    The answer a reporter sees does not depend on it (no one learns whether an account
    exists), and an email matching no account is not kept anywhere.
    """
    if rule() is None:
        return 0
    account = User.objects.filter(email__iexact=email.strip()).first()
    if account is None:
        return 0
    opened = 0
    with transaction.atomic():
        for membership in Membership.objects.filter(user=account).select_related("organization"):
            if ChildReport.objects.filter(organization=membership.organization, account=account,
                                          status=ChildReportStatus.OPEN).exists():
                continue
            report = ChildReport.objects.create(organization=membership.organization,
                                                account=account, reporter=reporter)
            audit.record("privacy.child_reported", actor=reporter,
                         organization=membership.organization, subject=account, target=report)
            opened += 1
    return opened


def open_reports(organization: Any) -> Any:
    return ChildReport.objects.filter(organization=organization).select_related("account")


def _check_decider(actor: Membership, report: ChildReport) -> None:
    if actor.role not in PRIVACY_STAFF or report.organization_id != actor.organization_id:
        raise PermissionDenied("Only this organization's privacy officer decides on reports.")
    if report.status != ChildReportStatus.OPEN or report.account_id is None:
        raise ValidationError("This report has already been decided.")
    if report.account_id == actor.user_id:
        raise ValidationError("Another privacy officer must decide on a report about you.")


def confirm_report(actor: Membership, report: ChildReport) -> None:
    """The account belongs to a child: delete it, close every report on it, keep evidence."""
    _check_decider(actor, report)
    account = report.account
    if account is None:  # checked by _check_decider; kept for the type checker
        raise ValidationError("This report has already been decided.")
    now = timezone.now()
    with transaction.atomic():
        ChildReport.objects.filter(account=account, status=ChildReportStatus.OPEN).exclude(
            pk=report.pk).update(status=ChildReportStatus.CLOSED, decided_at=now)
        report.status, report.decided_by_id, report.decided_at = (
            ChildReportStatus.CONFIRMED, actor.user_id, now)
        report.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record("privacy.child_account_deleted", actor=actor.user_id,
                     organization=actor.organization_id, subject=account.pk, target=report,
                     details={"report": report.pk, "organizations": list(
                         account.memberships.values_list("organization_id", flat=True))})
        _delete_account(account, actor)


def dismiss_report(actor: Membership, report: ChildReport) -> None:
    _check_decider(actor, report)
    with transaction.atomic():
        report.status, report.decided_by_id, report.decided_at = (
            ChildReportStatus.DISMISSED, actor.user_id, timezone.now())
        report.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record("privacy.child_report_dismissed", actor=actor.user_id,
                     organization=actor.organization_id, subject=report.account_id,
                     target=report)


def _delete_account(account: User, actor: Membership) -> None:
    """Through the vault's shredding: keys destroyed (backups unreadable), every registered
    row of the account deleted, the user row last."""
    from officium.privacy.vault.shredding import shred_subject

    shred_subject(account.pk, actor=actor.user_id, reason="child_account")
