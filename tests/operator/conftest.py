"""Operator fixtures: a platform staff member made by the command, with two-step sign-in on."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from officium.accounts.mfa import services as mfa
from officium.accounts.mfa.totp import base32_secret
from officium.operator.staff import create_staff


def enrol(user) -> None:
    device = mfa.start_totp(user)
    secret = base32_secret(device)
    outcome, _ = mfa.confirm_totp(user, device, pyotp.TOTP(secret).now())
    assert outcome.ok


@pytest.fixture
def staff(db):
    user, _ = create_staff("sam@operator.example")
    enrol(user)
    return user


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client
