"""SE2: sensitive values are encrypted at rest under per-subject keys kept apart from the data."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from officium.accounts.models import User
from officium.privacy.vault import keys, ledger
from officium.privacy.vault.crypto import DecryptionError
from officium.privacy.vault.fields import ERASED, Sealed, index_for, open_value
from officium.privacy.vault.models import SubjectKey

pytestmark = pytest.mark.django_db


def raw_phone(user_id: int) -> bytes | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user_id])
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)


def test_SE2_phone_is_ciphertext_at_rest(bob):
    token = raw_phone(bob.pk)
    assert token is not None
    assert b"1234567" not in token and b"+49" not in token
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [bob.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert "1234567" not in row
    assert User.objects.get(pk=bob.pk).phone == "+49 30 1234567"


def test_SE2_key_is_wrapped_and_bound_to_the_subject(bob):
    key_row = SubjectKey.objects.get(subject_id=bob.pk)
    data_key = keys.subject_key(bob.pk).current
    assert data_key not in bytes(key_row.wrapped_key)
    assert key_row.kms_key_id.startswith("local:")


def test_SE2_ciphertext_moved_to_another_subject_fails(alice, bob):
    User.objects.filter(pk=alice.pk).update(phone=Sealed(raw_phone(bob.pk)))
    assert User.objects.get(pk=alice.pk).phone == ERASED  # alice has no key: nothing opens
    alice.phone = "+1 555 0100"
    alice.save()
    User.objects.filter(pk=alice.pk).update(phone=Sealed(raw_phone(bob.pk)))
    moved = User.objects.get(pk=alice.pk)
    with pytest.raises(DecryptionError):
        moved.phone  # noqa: B018
    with pytest.raises(DecryptionError):
        open_value(User, "phone", alice.pk, raw_phone(alice.pk))


def test_SE2_empty_phone_stores_nothing(alice):
    assert raw_phone(alice.pk) is None
    assert User.objects.get(pk=alice.pk).phone == ""


def test_SE2_blind_index_finds_the_number_in_any_spelling(bob, alice):
    found = User.objects.filter(phone_index=index_for(User, "phone", "+49-30-123 4567"))
    assert list(found) == [bob]
    assert not User.objects.filter(phone_index=index_for(User, "phone", "+49 30 7654321")).exists()


def test_SE2_update_and_filter_refuse_plaintext(bob):
    with pytest.raises(TypeError, match="encrypted"), transaction.atomic():
        User.objects.filter(pk=bob.pk).update(phone="+1 555")
    with pytest.raises(TypeError, match="blind index"):
        list(User.objects.filter(phone="+49 30 1234567"))
    assert User.objects.get(pk=bob.pk).phone == "+49 30 1234567"


def test_SE2_changed_phone_is_resealed_and_reindexed(bob):
    bob.phone = "+33 1 23 45 67 89"
    bob.save()
    fresh = User.objects.get(pk=bob.pk)
    assert fresh.phone == "+33 1 23 45 67 89"
    assert fresh.phone_index == index_for(User, "phone", "+33123456789")


def test_destroyed_key_reads_as_erased_and_raw_open_raises(bob):
    token = raw_phone(bob.pk)
    keys.destroy(keys.SUBJECT, bob.pk)
    assert User.objects.get(pk=bob.pk).phone == ERASED
    with pytest.raises(keys.KeyDestroyed):
        open_value(User, "phone", bob.pk, token)


def test_ledger_keeps_a_destroyed_key_dead_even_if_its_row_returns(bob, settings, tmp_path):
    settings.VAULT_SHRED_LEDGER = str(tmp_path / "ledger")
    row = SubjectKey.objects.get(subject_id=bob.pk)
    ledger.record("subject", bob.pk, [row.kid])
    keys.clear_cache()
    assert User.objects.get(pk=bob.pk).phone == ERASED
    assert ledger.apply_to_database() == 1
    assert not SubjectKey.objects.filter(subject_id=bob.pk).exists()
