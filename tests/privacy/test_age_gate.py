"""NO4: the age gate at each policy's threshold, refusing without keeping what was typed, and
reports of children's accounts that the privacy officer confirms, deleting the account.
AC1/AC2: each profile's signup form asks exactly the profile's fields (plus the age gate)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone
from tests.conftest import client_for, make_user

from officium.accounts.models import Membership, Organization, User
from officium.accounts.roles import Role
from officium.privacy.audit.models import AuditEntry
from officium.privacy.models import ChildReport
from officium.privacy.policy import loader
from officium.privacy.policy.loader import PROFILES

THRESHOLDS = {"officeportal": 16, "officexlr": 13, "workoptima": 18, "officetrack": None,
              "officetools": None}

# AC1 (000) and AC2 (001, 004) as PROMISES.md lists them; 002 and 003 as their profiles do.
EXPECTED_FIELDS = {
    "officeportal": {"first_name", "last_name", "email", "company_name", "employee_count",
                     "phone", "country", "preferred_domain", "position", "contact_channels"},
    "officetools": {"company_name", "industry", "employee_count", "phone", "position", "city",
                    "state", "country", "zip_code", "username", "email", "password"},
}



def asked_fields(client) -> set[str]:
    html = client.get("/accounts/signup/").content.decode()
    return set(re.findall(r'<(?:input|select|textarea)[^>]* name="([a-z_]+)"', html)) - {
        "csrfmiddlewaretoken"}


def filled_form(profile: str, **extra: str) -> dict[str, str]:
    """A valid signup for the profile: every field it asks, with plausible values."""
    values = {"first_name": "Kim", "last_name": "Young", "full_name": "Kim Young",
              "email": "kim@young.example", "company_name": "Young Kids Ltd",
              "employee_count": "3", "phone": "+49 30 555 0199", "country": "DE",
              "preferred_domain": "young-kids", "position": "Founder", "address": "1 Main St",
              "industry": "Toys", "city": "Berlin", "state": "Berlin", "zip_code": "10115",
              "username": "kimyoung", "password": "a-much-longer-passphrase-42"}
    keys = [f.key for f in loader.active_policy().signup_fields]
    return {**{k: values[k] for k in keys if k in values}, **extra}


@pytest.mark.django_db
@pytest.mark.parametrize("profile", PROFILES)
def test_AC1_AC2_signup_form_asks_exactly_the_profile_fields(client, use_policy, profile):
    use_policy(profile)
    policy = loader.active_policy()
    age_fields = {"age_confirmation"} if policy.age else set()
    # The organization's time zone (WT1) is a setting of the organization, not personal data.
    assert asked_fields(client) == set(policy.signup_keys) | age_fields | {"time_zone"}
    if profile in EXPECTED_FIELDS:
        assert set(policy.signup_keys) == EXPECTED_FIELDS[profile]


@pytest.mark.django_db
@pytest.mark.parametrize("profile", PROFILES)
def test_NO4_signup_asks_for_the_policy_threshold(client, use_policy, profile):
    use_policy(profile)
    html = client.get("/accounts/signup/").content.decode()
    threshold = THRESHOLDS[profile]
    if threshold is None:
        assert "age_confirmation" not in html and "birth_date" not in html
    else:
        assert f"I am {threshold} or older" in html and f"I am under {threshold}" in html


def audit_text() -> str:
    return str(list(AuditEntry.objects.values()))


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main>"):html.index("</main>")]


def counts() -> tuple[int, int, int, int]:
    return (User.objects.count(), Organization.objects.count(), Membership.objects.count(),
            AuditEntry.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize("profile", ["officeportal", "officexlr", "workoptima"])
def test_NO4_below_the_threshold_nothing_is_created_or_kept(client, use_policy, profile):
    use_policy(profile)
    before = counts()
    response = client.post("/accounts/signup/", filled_form(profile, age_confirmation="no"))
    assert response.status_code == 403
    html = response.content.decode()
    assert f"at least {THRESHOLDS[profile]}" in html
    for typed in ("kim@young.example", "Young Kids", "555 0199", "kimyoung"):
        assert typed not in html
    assert counts() == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_NO4_refused_even_when_other_fields_are_wrong(client, use_policy):
    use_policy("officeportal")
    before = counts()
    response = client.post("/accounts/signup/", {"email": "not-an-email", "age_confirmation": "no"})
    assert response.status_code == 403 and "not-an-email" not in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_NO4_missing_age_answer_names_the_field(client, use_policy):
    use_policy("officeportal")
    before = counts()
    response = client.post("/accounts/signup/", filled_form("officeportal"))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["age_confirmation"]
    assert "This field is required" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_NO4_at_or_above_the_threshold_signup_proceeds_and_keeps_no_answer(
        client, use_policy, django_capture_on_commit_callbacks):
    use_policy("officexlr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", filled_form("officexlr", age_confirmation="yes"))
    assert response.status_code == 200
    user = User.objects.get(email="kim@young.example")
    entry = AuditEntry.objects.get(event="accounts.signup", subject_id=user.pk)
    assert "age_confirmation" in entry.details["fields"]  # evidence the age was confirmed


@pytest.mark.django_db
def test_NO4_birth_date_rule_refuses_under_age_and_never_stores_the_date(
        client, use_policy, django_capture_on_commit_callbacks):
    use_policy("officeportal", ("  check: declaration\n", "  check: birth_date\n"))
    assert "birth_date" in asked_fields(client) and "age_confirmation" not in asked_fields(client)
    today = timezone.localdate()
    child = today.replace(year=today.year - 15).isoformat()
    before = counts()
    response = client.post("/accounts/signup/", filled_form("officeportal", birth_date=child))
    assert response.status_code == 403 and child not in response.content.decode()
    assert counts() == before

    adult = date(today.year - 30, 1, 15).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", filled_form("officeportal", birth_date=adult))
    assert response.status_code == 200
    assert adult not in audit_text()


# --- reports of children's accounts ------------------------------------------------------------

@pytest.mark.django_db
def test_NO4_anyone_can_report_an_account_without_learning_if_it_exists(client, bob, alice_org):
    known = client.post("/privacy/report-child/", {"email": bob.email.upper()})
    unknown = client.post("/privacy/report-child/", {"email": "nobody@nowhere.example"})
    assert known.status_code == unknown.status_code == 200
    assert main_of(known) == main_of(unknown)
    report = ChildReport.objects.get()
    assert (report.organization, report.account, report.status) == (alice_org, bob, "open")
    assert "nobody@nowhere.example" not in audit_text()


@pytest.mark.django_db
def test_NO4_bad_report_input_names_the_field(client):
    response = client.post("/privacy/report-child/", {"email": "not-an-email"})
    assert response.status_code == 400 and "Enter a valid email address" in response.content.decode()
    assert not ChildReport.objects.exists()


@pytest.mark.django_db
def test_NO4_no_reports_where_the_policy_sets_no_age(client, use_policy, bob):
    use_policy("officetrack")
    assert client.get("/privacy/report-child/").status_code == 404
    assert client.post("/privacy/report-child/", {"email": bob.email}).status_code == 404
    assert not ChildReport.objects.exists()


@pytest.mark.django_db
def test_NO4_privacy_officer_confirms_and_the_account_is_deleted(client, alice, bob, alice_org):
    officer = make_user("petra@alpha.example", "Petra", "Officer")
    Membership.objects.create(organization=alice_org, user=officer, role=Role.PRIVACY_OFFICER)
    client.post("/privacy/report-child/", {"email": bob.email})
    report = ChildReport.objects.get()
    officer_client = client_for(officer)
    listing = officer_client.get("/o/alpha/privacy/child-reports/")
    assert listing.status_code == 200 and bob.email in listing.content.decode()
    page = f"/o/alpha/privacy/child-reports/{report.pk}/"
    response = officer_client.post(page, {"action": "confirm"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=bob.pk).exists()
    assert not Membership.objects.filter(user_id=bob.pk).exists()
    report.refresh_from_db()
    assert report.status == "confirmed" and report.decided_by == officer and report.account is None
    evidence = AuditEntry.objects.get(event="privacy.child_account_deleted")
    assert (evidence.subject_id, evidence.actor_id) == (bob.pk, officer.pk)
    assert evidence.details["organizations"] == [alice_org.pk]
    assert bob.email not in audit_text()


@pytest.mark.django_db
def test_NO4_dismissing_keeps_the_account(client, alice, alice_client, bob):
    client.post("/privacy/report-child/", {"email": bob.email})
    report = ChildReport.objects.get()
    alice_client.post(f"/o/alpha/privacy/child-reports/{report.pk}/", {"action": "dismiss"})
    report.refresh_from_db()
    assert report.status == "dismissed" and User.objects.filter(pk=bob.pk).exists()
    assert AuditEntry.objects.filter(event="privacy.child_report_dismissed").exists()
    response = alice_client.post(f"/o/alpha/privacy/child-reports/{report.pk}/", {"action": "confirm"})
    assert response.status_code == 400 and User.objects.filter(pk=bob.pk).exists()


@pytest.mark.django_db
def test_NO4_only_the_accounts_privacy_staff_decide(client, alice, bob, bob_client, charlie_client):
    client.post("/privacy/report-child/", {"email": alice.email})
    report = ChildReport.objects.get()
    page = f"/o/alpha/privacy/child-reports/{report.pk}/"
    assert bob_client.post(page, {"action": "confirm"}).status_code in (403, 404)
    assert charlie_client.post(page, {"action": "confirm"}).status_code == 404
    assert charlie_client.post(f"/o/charlie-co/privacy/child-reports/{report.pk}/",
                               {"action": "confirm"}).status_code == 404
    # Alice, the owner, cannot decide on a report about herself.
    assert client_for(alice).post(page, {"action": "confirm"}).status_code == 400
    assert User.objects.filter(pk=alice.pk).exists()
