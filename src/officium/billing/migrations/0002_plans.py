"""The operator's price list as data (BI1): change it in the table, not in code."""

from django.db import migrations

PLANS = [
    # code, name, cents a month, members, storage MB, retention choices, features, rank
    ("free", "Free", 0, 5, 1024, False, ["attendance", "portal"], 0),
    ("standard", "Standard", 4900, 50, 51200, True, ["attendance", "portal", "workforce", "api"], 1),
    ("enterprise", "Enterprise", 19900, 0, 512000, True,
     ["attendance", "portal", "workforce", "api", "support_grants", "sso"], 2),
]


def seed(apps, schema_editor):
    PlanTier = apps.get_model("billing", "PlanTier")
    for code, name, cents, members, storage, retention, features, rank in PLANS:
        PlanTier.objects.get_or_create(code=code, defaults={
            "name": name, "monthly_price_cents": cents, "max_members": members, "max_storage_mb": storage,
            "retention_choices": retention, "features": features, "rank": rank})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
