"""SE2, step 1 of 3: keep the plaintext coordinate columns aside, add the sealed ones."""

from django.db import migrations

import officium.privacy.vault.fields

FIELDS = ("latitude", "longitude", "accuracy_m")


class Migration(migrations.Migration):

    dependencies = [
        ("attendance", "0001_initial"),
    ]

    operations = [
        *(migrations.RenameField("locationevent", name, f"{name}_plain") for name in FIELDS),
        *(migrations.AddField("locationevent", name,
                              officium.privacy.vault.fields.EncryptedFloatField(blank=True, null=True))
          for name in FIELDS),
    ]
