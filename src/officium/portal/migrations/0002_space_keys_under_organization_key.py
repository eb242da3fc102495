"""Re-seal every space key under its organization's vault key (was: wrapped by the KMS
directly), so destroying the organization's key makes its documents unreadable.

The space key itself does not change, so no file key or stored object is touched. Reversible:
unsealing wraps the key with the KMS again, as before.
"""

from django.db import migrations

PREFIX = "vault-org:v"


def _legacy_kms():
    """The KMS the portal wrapped with: the master key (and retired ones, to unwrap)."""
    from officium.privacy.vault.keys import local_kms

    return local_kms()


def _context(organization_id, space_id):
    from officium.privacy.vault.crypto import pack_parts

    return pack_parts("officium/portal/space", organization_id, space_id)


def reseal(apps, schema_editor):
    from officium.privacy.vault import keys

    space_model = apps.get_model("portal", "Space")
    kms = None
    for space in space_model.objects.exclude(key_id__startswith=PREFIX).iterator(chunk_size=500):
        kms = kms or _legacy_kms()
        context = _context(space.organization_id, space.pk)
        key = kms.unwrap(bytes(space.wrapped_key), context)
        organization = keys.organization_key(space.organization_id)
        space_model.objects.filter(pk=space.pk).update(
            wrapped_key=organization.encrypt(key, context),
            key_id=f"{PREFIX}{organization.current_version}")


def unseal(apps, schema_editor):
    from officium.privacy.vault import keys

    space_model = apps.get_model("portal", "Space")
    kms = None
    for space in space_model.objects.filter(key_id__startswith=PREFIX).iterator(chunk_size=500):
        kms = kms or _legacy_kms()
        context = _context(space.organization_id, space.pk)
        organization = keys.organization_key(space.organization_id, create=False)
        if organization is None:
            continue  # destroyed: nothing left to unwrap
        key = organization.decrypt(bytes(space.wrapped_key), context)
        space_model.objects.filter(pk=space.pk).update(wrapped_key=kms.wrap(key, context),
                                                       key_id=kms.key_id)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0001_initial"),
        ("vault", "0001_initial"),
    ]

    operations = [migrations.RunPython(reseal, unseal)]
