"""RE1: an organization's chosen location period moves to the retention engine's override
(``retention.RetentionOverride`` for the policy rule governing location events); the app's own
column goes. Choices the active policy does not allow are dropped, as the sweep ignored them."""

from django.db import migrations


def _rule():
    from officium.attendance.retention import TIMED_TRIGGERS, location_rule

    rule = location_rule()
    return rule if rule is not None and rule.trigger in TIMED_TRIGGERS else None


def to_engine(apps, schema_editor):
    settings = apps.get_model("attendance", "AttendanceSettings")
    override = apps.get_model("retention", "RetentionOverride")
    rule = _rule()
    if rule is None:
        return
    for organization_id, days in settings.objects.exclude(location_retention_days=None).values_list(
            "organization_id", "location_retention_days"):
        if rule.allows(days):
            override.objects.update_or_create(organization_id=organization_id, rule_id=rule.id,
                                              defaults={"days": days})


def from_engine(apps, schema_editor):
    settings = apps.get_model("attendance", "AttendanceSettings")
    override = apps.get_model("retention", "RetentionOverride")
    rule = _rule()
    if rule is None:
        return
    for organization_id, days in override.objects.filter(rule_id=rule.id).values_list("organization_id", "days"):
        settings.objects.update_or_create(organization_id=organization_id,
                                          defaults={"location_retention_days": days})


class Migration(migrations.Migration):

    dependencies = [
        ("attendance", "0004_drop_plaintext_coordinates"),
        ("retention", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_engine, from_engine),
        migrations.RemoveField("attendancesettings", "location_retention_days"),
    ]
