"""Key versions and rotation: new data is sealed with the new version, old data still opens;
a master-key rotation rewraps key rows without re-encrypting any field (SE2)."""

from __future__ import annotations

import base64
import os

import pytest
from django.db import connection

from officium.accounts.models import User
from officium.privacy.vault import keys
from officium.privacy.vault.cli import main as keys_cli
from officium.privacy.vault.crypto import token_key_version
from officium.privacy.vault.kms import KeyUnwrapError, wrapped_key_id
from officium.privacy.vault.models import SubjectKey

pytestmark = pytest.mark.django_db


def raw_phone(user_id: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user_id])
        return bytes(cursor.fetchone()[0])


def test_SE2_rotate_adds_a_version_and_old_values_still_open(bob):
    old_token = raw_phone(bob.pk)
    assert token_key_version(old_token) == 1
    assert keys_cli(["rotate", str(bob.pk)]) == 0
    assert sorted(SubjectKey.objects.filter(subject_id=bob.pk).values_list("version", flat=True)) == [1, 2]
    keys.clear_cache()
    assert User.objects.get(pk=bob.pk).phone == "+49 30 1234567"  # version 1 still opens
    bob.phone = "+49 30 7654321"
    bob.save()
    assert token_key_version(raw_phone(bob.pk)) == 2
    assert User.objects.get(pk=bob.pk).phone == "+49 30 7654321"


def test_SE2_master_key_rotation_rewraps_without_touching_fields(bob, settings):
    token = raw_phone(bob.pk)
    old_master = settings.OFFICIUM_MASTER_KEY
    settings.OFFICIUM_MASTER_KEY = base64.b64encode(os.urandom(32)).decode()
    keys.clear_cache()
    with pytest.raises(KeyUnwrapError):  # the new master key alone cannot open old rows
        keys.subject_key(bob.pk)
    settings.OFFICIUM_RETIRED_MASTER_KEYS = [old_master]
    assert keys_cli(["rewrap"]) == 0
    row = SubjectKey.objects.get(subject_id=bob.pk)
    assert wrapped_key_id(bytes(row.wrapped_key)) == keys.kms().key_id
    settings.OFFICIUM_RETIRED_MASTER_KEYS = []
    keys.clear_cache()
    assert raw_phone(bob.pk) == token  # no field was re-encrypted
    assert User.objects.get(pk=bob.pk).phone == "+49 30 1234567"


def test_keys_command_refuses_bad_input(capsys):
    assert keys_cli([]) == 2
    assert keys_cli(["rotate", "bob"]) == 2
    assert "integers" in capsys.readouterr().out


def test_organization_keys_are_separate_and_stable(alice_org, charlie_org):
    first = keys.organization_key(alice_org.pk)
    again = keys.organization_key(alice_org.pk)
    other = keys.organization_key(charlie_org.pk)
    assert first.current == again.current and first.current != other.current
    token = first.encrypt(b"space key", b"ctx")
    assert again.decrypt(token, b"ctx") == b"space key"
