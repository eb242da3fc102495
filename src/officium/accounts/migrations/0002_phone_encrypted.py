"""SE2: User.phone moves from plaintext to a token sealed under the user's key.

Safe on a live database: the sealed column is added next to the old one, every existing
number is sealed (and blind-indexed) from the old column, then the old column is dropped
and the sealed one takes its name. The reverse opens the tokens again.
"""

from django.db import migrations

import officium.privacy.vault.fields

FIELD = "phone"
LABEL = "accounts.User"
CONTEXT = f"{LABEL}.{FIELD}"


def _seal_existing(apps, schema_editor):
    from officium.privacy.vault import keys
    from officium.privacy.vault.crypto import blind_index, field_aad
    from officium.privacy.vault.fields import normalize_phone

    User = apps.get_model("accounts", "User")
    rows = User.objects.using(schema_editor.connection.alias).exclude(phone="").values_list("pk", "phone")
    for pk, phone in rows.iterator(chunk_size=500):
        token = keys.subject_key(pk).encrypt(phone.encode("utf-8"), field_aad(LABEL, FIELD, pk))
        digest = blind_index(keys.index_key(CONTEXT), normalize_phone(phone), CONTEXT)
        User.objects.filter(pk=pk).update(phone_sealed=token, phone_index=digest)


def _open_existing(apps, schema_editor):
    from officium.privacy.vault import keys
    from officium.privacy.vault.crypto import field_aad

    User = apps.get_model("accounts", "User")
    rows = User.objects.using(schema_editor.connection.alias).exclude(phone_sealed=None)
    for pk, token in rows.values_list("pk", "phone_sealed").iterator(chunk_size=500):
        subject = keys.subject_key(pk, create=False)
        phone = "" if subject is None else subject.decrypt(bytes(token.token), field_aad(LABEL, FIELD, pk))
        User.objects.filter(pk=pk).update(phone=phone if isinstance(phone, str) else phone.decode())


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("vault", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="phone_sealed",
            field=officium.privacy.vault.fields.EncryptedTextField(blank=True, max_length=32, null=True,
                                                                   subject="self"),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_index",
            field=officium.privacy.vault.fields.BlindIndexField(
                normalize="officium.privacy.vault.fields.normalize_phone", source="phone"),
        ),
        migrations.RunPython(_seal_existing, _open_existing),
        migrations.RemoveField(model_name="user", name="phone"),
        migrations.RenameField(model_name="user", old_name="phone_sealed", new_name="phone"),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=officium.privacy.vault.fields.EncryptedTextField(blank=True, max_length=32, null=True),
        ),
    ]
