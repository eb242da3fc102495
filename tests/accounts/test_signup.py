"""Signup collects exactly the policy's fields (AC1) and stays inactive until the email is
confirmed (AC3); bad input is refused with a clear message and writes nothing (SE3)."""

import re

import pytest
from django.core import mail

from officium.accounts.models import Membership, Organization, User
from officium.accounts.signup_fields import signup_field_spec
from officium.privacy.audit.models import AuditEntry

NEW_PASSWORD = "a-much-longer-passphrase-42"

def sign_in(client, email, password):
    """Through the real login form (axes needs the request)."""
    client.post("/accounts/login/", {"username": email, "password": password})
    return "_auth_user_id" in client.session



def officeportal_form(**overrides):
    data = {
        "first_name": "Dana", "last_name": "Doe", "email": "dana@delta.example",
        "company_name": "Delta Logistics", "employee_count": "25", "phone": "+49 30 555 0101",
        "country": "de", "preferred_domain": "delta-logistics", "position": "COO",
        "contact_channels": ["email"], "age_confirmation": "yes",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_AC1_signup_form_asks_exactly_the_policy_fields(client, db):
    response = client.get("/accounts/signup/")
    asked = set(re.findall(r'<(?:input|select|textarea)[^>]* name="([a-z_]+)"', response.content.decode())) - {"csrfmiddlewaretoken"}
    # The age question (NO4) is not personal data the policy collects: it is asked, never stored;
    # the organization's time zone (WT1) is a setting of the organization, not personal data.
    assert asked - {"age_confirmation", "birth_date", "time_zone"} == {key for key, _ in signup_field_spec()}


@pytest.mark.django_db
def test_AC3_account_inactive_until_email_confirmed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", officeportal_form())
    assert response.status_code == 200
    assert b"Check your email" in response.content
    user = User.objects.get(email="dana@delta.example")
    organization = Organization.objects.get(slug="delta-logistics")
    assert not user.is_active and user.email_confirmed_at is None
    assert organization.country == "DE" and organization.employee_count == 25
    assert Membership.objects.get(user=user).role == "owner"

    assert len(mail.outbox) == 1
    link = re.search(r"http://[^\s]+/accounts/confirm/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link
    assert not sign_in(client, user.email, NEW_PASSWORD)

    assert client.get(path).status_code == 200  # a mail scanner's GET confirms nothing
    user.refresh_from_db()
    assert not user.is_active

    response = client.post(path, {"new_password1": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.email_confirmed_at is not None
    assert client.get("/").status_code == 302  # signed in, sent to the dashboard

    client.logout()
    assert client.post(path, {"new_password1": NEW_PASSWORD}).status_code == 404  # single use
    assert sign_in(client, user.email, NEW_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field", [
    ({"email": "not-an-email"}, "email"),
    ({"first_name": ""}, "first_name"),
    ({"employee_count": "-3"}, "employee_count"),
    ({"country": "Germany"}, "country"),
    ({"phone": "call me"}, "phone"),
    ({"preferred_domain": "Bad Domain!"}, "preferred_domain"),
])
def test_SE3_bad_signup_input_is_refused_and_writes_nothing(client, overrides, field):
    before = (User.objects.count(), Organization.objects.count(), AuditEntry.objects.count())
    response = client.post("/accounts/signup/", officeportal_form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert (User.objects.count(), Organization.objects.count(), AuditEntry.objects.count()) == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_AC7_signup_answers_the_same_for_an_existing_address(client, alice, django_capture_on_commit_callbacks):
    """Signup does not tell who has an account: the holder gets an email instead."""
    organizations = Organization.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post("/accounts/signup/", officeportal_form(email="ALICE@alpha.example"))
        fresh = client.post("/accounts/signup/", officeportal_form(email="newcomer@delta.example"))
    assert taken.status_code == fresh.status_code == 200
    pages = [[t.name for t in r.templates if "/email/" not in t.name] for r in (taken, fresh)]
    assert pages[0] == pages[1]
    def page(response, email):  # the page less the address typed and the per-answer CSRF token
        body = response.content.decode().replace(email, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert page(taken, "alice@alpha.example") == page(fresh, "newcomer@delta.example")
    # no second account and no organization for the taken address
    assert User.objects.filter(email__iexact="alice@alpha.example").count() == 1
    assert Organization.objects.count() == organizations + 1
    to_alice = [m for m in mail.outbox if m.to == ["alice@alpha.example"]]
    assert len(to_alice) == 1
    assert "tried to create a new Officium organization" in to_alice[0].body
    assert "/accounts/password/reset/" in to_alice[0].body
    assert "/accounts/confirm/" not in to_alice[0].body


@pytest.mark.django_db
def test_signup_field_not_in_policy_is_not_stored(client):
    client.post("/accounts/signup/", officeportal_form(industry="Spying", zip_code="12345"))
    organization = Organization.objects.get(slug="delta-logistics")
    assert organization.industry == "" and organization.zip_code == ""
