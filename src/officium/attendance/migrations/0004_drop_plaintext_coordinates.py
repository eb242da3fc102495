"""SE2, step 3 of 3: drop the plaintext coordinate columns."""

from django.db import migrations

FIELDS = ("latitude", "longitude", "accuracy_m")


class Migration(migrations.Migration):

    dependencies = [
        ("attendance", "0003_seal_coordinates"),
    ]

    operations = [migrations.RemoveField("locationevent", f"{name}_plain") for name in FIELDS]
