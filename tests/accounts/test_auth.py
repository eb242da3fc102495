"""AC7: strong one-way password hashes, throttled logins, change and reset; the optional second factor."""

import re
import time

import pyotp
import pytest
from django.core import mail
from django.test import Client

from officium.accounts.mfa import services as mfa_services
from officium.accounts.models import User
from officium.privacy.audit.models import AuditEntry


def sign_in(client, email, password):
    """Through the real login form (axes needs the request)."""
    client.post("/accounts/login/", {"username": email, "password": password})
    return "_auth_user_id" in client.session




@pytest.fixture
def pw():
    return "correct-horse-battery-staple"


@pytest.mark.django_db
def test_AC7_passwords_are_argon2_hashes(alice, pw):
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$argon2id$")
    assert pw not in alice.password
    assert alice.check_password(pw)


@pytest.mark.django_db
def test_AC7_login_is_throttled_after_repeated_failures(alice, pw):
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": alice.email, "password": "wrong-guess"})
        assert response.status_code in (400, 429)
    response = client.post("/accounts/login/", {"username": alice.email, "password": pw})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_AC7_login_with_wrong_password_gives_clear_message(alice):
    response = Client().post("/accounts/login/", {"username": alice.email, "password": "nope"})
    assert response.status_code == 400
    assert b"do not match an active account" in response.content


@pytest.mark.django_db
def test_AC7_password_change(alice_client, alice, pw):
    new = "another-long-passphrase-77"
    response = alice_client.post("/accounts/password/", {
        "old_password": pw, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert AuditEntry.objects.filter(event="accounts.password_changed", subject_id=alice.pk).exists()


@pytest.mark.django_db
def test_AC7_password_change_refuses_wrong_old_password(alice_client, alice, pw):
    response = alice_client.post("/accounts/password/", {
        "old_password": "wrong", "new_password1": "x-long-passphrase-1", "new_password2": "x-long-passphrase-1"})
    assert response.status_code == 200 and response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(pw)


@pytest.mark.django_db
def test_AC7_password_reset_by_email(alice, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # the worker delivers after commit
        client.post("/accounts/password/reset/", {"email": alice.email})
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    new = "reset-passphrase-long-9"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)


@pytest.mark.django_db
def test_AC7_password_reset_for_unknown_email_reveals_nothing(db):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302 and mail.outbox == []


@pytest.mark.django_db
def test_totp_second_factor_is_required_once_enabled(alice_client, alice, pw):
    alice_client.post("/accounts/security/two-step/", {"action": "start_totp"})
    secret = alice_client.get("/accounts/security/two-step/").context["setup_secret"]
    bad = alice_client.post("/accounts/security/two-step/", {"action": "confirm_totp", "code": "000000"})
    assert bad.status_code == 400
    time.sleep(1.1)  # the throttle: one second after one wrong code
    enabled = alice_client.post("/accounts/security/two-step/",
                                {"action": "confirm_totp", "code": pyotp.TOTP(secret).now()})
    assert enabled.status_code == 200 and len(enabled.context["new_codes"]) == 10
    assert mfa_services.has_second_factor(alice)

    client = Client()
    response = client.post("/accounts/login/", {"username": alice.email, "password": pw})
    assert response.url == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.post("/accounts/login/verify/", {"code": "123456"}).status_code == 400
    time.sleep(1.1)
    # the code that turned the app on was used once already: the next step's code signs in
    response = client.post("/accounts/login/verify/", {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.django_db
def test_inactive_account_cannot_sign_in(db, pw):
    User.objects.create_user("idle@alpha.example", pw)
    assert not sign_in(Client(), "idle@alpha.example", pw)
