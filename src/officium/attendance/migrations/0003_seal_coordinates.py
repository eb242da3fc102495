"""SE2, step 2 of 3: seal every stored coordinate under its member's subject key.

The tokens are exactly what ``EncryptedFloatField`` writes (the subject's current cipher, the
associated data of model, field and subject), so the ORM opens them. Reversible: unsealing
writes the plaintext back (a shredded subject's values stay empty).
"""

import struct

from django.db import migrations

FIELDS = ("latitude", "longitude", "accuracy_m")
LABEL = "attendance.LocationEvent"
CHUNK = 2000
_DOUBLE = struct.Struct(">d")


def _chunks(queryset, columns):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", "member__user_id", *columns)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(schema_editor, model, columns, rows):
    ops = schema_editor.connection.ops
    table = ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{ops.quote_name(c)} = %s" for c in columns)
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {ops.quote_name('id')} = %s",  # noqa: S608
                           rows)  # quoted identifiers, values as parameters


def seal(apps, schema_editor):
    from officium.privacy.vault import keys
    from officium.privacy.vault.crypto import field_aad

    event = apps.get_model("attendance", "LocationEvent")
    plain = [f"{name}_plain" for name in FIELDS]
    todo = event._base_manager.exclude(latitude_plain=None, longitude_plain=None, accuracy_m_plain=None)
    ciphers = {}  # keys loaded inside a transaction are not cached by the vault until commit
    for rows in _chunks(todo, plain):
        out = []
        for pk, subject_id, *values in rows:
            cipher = ciphers.get(subject_id)
            if cipher is None:
                cipher = ciphers[subject_id] = keys.subject_key(subject_id).cipher
            out.append((*(None if v is None else cipher.encrypt(_DOUBLE.pack(float(v)),
                                                                field_aad(LABEL, name, subject_id))
                          for name, v in zip(FIELDS, values, strict=True)), pk))
        _update(schema_editor, event, FIELDS, out)


def unseal(apps, schema_editor):
    from officium.privacy.vault import keys
    from officium.privacy.vault.crypto import field_aad

    event = apps.get_model("attendance", "LocationEvent")
    todo = event._base_manager.exclude(latitude=None, longitude=None, accuracy_m=None)
    loaded = {}
    for rows in _chunks(todo, FIELDS):
        out = []
        for pk, subject_id, *tokens in rows:
            if subject_id not in loaded:
                loaded[subject_id] = keys.subject_key(subject_id, create=False)
            found = loaded[subject_id]
            out.append((*(None if t is None or found is None else
                          _DOUBLE.unpack(found.decrypt(getattr(t, "token", t), field_aad(LABEL, name, subject_id)))[0]
                          for name, t in zip(FIELDS, tokens, strict=True)), pk))
        _update(schema_editor, event, [f"{n}_plain" for n in FIELDS], out)


class Migration(migrations.Migration):

    dependencies = [
        ("attendance", "0002_coordinates_sealed_columns"),
        ("vault", "0001_initial"),
    ]

    operations = [migrations.RunPython(seal, unseal)]
