"""SE2 / RE2 for documents: space keys are sealed under the organization's vault key, so
destroying that key (termination, purge) makes every file of the organization unreadable:
a clear answer, nothing served. Also the data migration that re-seals existing spaces."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from officium.portal import keys
from officium.portal.downloads import open_file
from officium.portal.models import Space
from officium.privacy.vault import keys as vault_keys
from officium.privacy.vault.crypto import DecryptionError, pack_parts

ORG = "alpha"
DATA = b"quarterly figures " * 5000


@pytest.mark.django_db
def test_SE2_space_key_sealed_under_the_organization_key(space, alice, carol_client, portal):
    assert space.key_id.startswith(keys.KEY_ID_PREFIX)
    organization = vault_keys.organization_key(space.organization_id, create=False)
    assert organization is not None
    aad = keys.space_aad(space.organization_id, space.pk)
    assert organization.decrypt(bytes(space.wrapped_key), aad) == keys.space_key(space)
    # Bound to its space: the sealed key moved to another space of the organization fails.
    other = Space.objects.create(organization_id=space.organization_id, name="Other",
                                 wrapped_key=space.wrapped_key, key_id=space.key_id)
    with pytest.raises(DecryptionError):
        keys.space_key(other)
    file = portal.store_file(alice.memberships.get(), space, DATA)
    body = carol_client.get(f"/api/portal/orgs/{ORG}/files/{file.pk}/content")
    assert body.status_code == 200 and b"".join(body.streaming_content) == DATA


@pytest.mark.django_db
def test_RE2_destroyed_organization_key_makes_files_unreadable(space, alice, carol, carol_client, portal):
    file = portal.store_file(alice.memberships.get(), space, DATA)
    vault_keys.destroy(vault_keys.ORGANIZATION, space.organization_id)
    for url in (f"/api/portal/orgs/{ORG}/files/{file.pk}/content",
                f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/download/"):
        response = carol_client.get(url)
        assert response.status_code == 410, url
        assert "key was destroyed" in response.json()["message"]
        assert DATA[:18] not in response.content
    with pytest.raises(keys.KeysDestroyed):
        open_file(carol.memberships.get(), file, None)
    # No new key is made on the fly to read old data; uploads are refused too.
    assert vault_keys.organization_key(space.organization_id, create=False) is None
    response = portal.api_create(carol_client, ORG, space, DATA)
    assert response.status_code == 410


LATEST = "0003_file_manager"


@pytest.mark.django_db(transaction=True)
def test_SE2_migration_reseals_kms_wrapped_space_keys(space, alice, carol_client, portal):
    file = portal.store_file(alice.memberships.get(), space, DATA)
    key = keys.space_key(space)
    # A space as the previous release stored it: wrapped by the KMS directly.
    kms = vault_keys.local_kms()
    context = pack_parts("officium/portal/space", space.organization_id, space.pk)
    Space.objects.filter(pk=space.pk).update(wrapped_key=kms.wrap(key, context), key_id=kms.key_id)
    MigrationExecutor(connection).migrate([("portal", "0001_initial")])  # leaves it as it is
    MigrationExecutor(connection).migrate([("portal", "0002_space_keys_under_organization_key")])
    MigrationExecutor(connection).migrate([("portal", LATEST)])  # the columns the code reads
    space.refresh_from_db()
    assert space.key_id.startswith(keys.KEY_ID_PREFIX) and keys.space_key(space) == key
    body = carol_client.get(f"/api/portal/orgs/{ORG}/files/{file.pk}/content")
    assert b"".join(body.streaming_content) == DATA
    # Reversible: back to the KMS wrapping, then forward again.
    MigrationExecutor(connection).migrate([("portal", "0001_initial")])
    space.refresh_from_db()
    assert space.key_id == kms.key_id and kms.unwrap(bytes(space.wrapped_key), context) == key
    MigrationExecutor(connection).migrate([("portal", LATEST)])
    space.refresh_from_db()
    assert keys.space_key(space) == key
