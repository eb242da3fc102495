"""comms' outbox folds into the one outbox (officium.mail): unfinished emails move there."""

from django.db import migrations

STATUS = {"queued": "pending", "sent": "sent", "failed": "failed", "cancelled": "cancelled"}


def move_to_outbox(apps, schema_editor):  # type: ignore[no-untyped-def]
    old = apps.get_model("comms", "OutboundEmail")
    new = apps.get_model("mail", "OutboxEmail")
    rows = []
    for row in old.objects.filter(status="queued").iterator():
        guard = {}
        if row.kind == "marketing":
            guard = {"guard": "comms.marketing-consent",
                     "guard_data": {"subject": row.consent_subject, "purpose": row.consent_purpose}}
        rows.append(new(kind=row.kind, category=row.kind, user_id=row.user_id,
                        organization_id=row.organization_id, to_address=row.to_address,
                        subject=row.subject, body=row.body, headers=row.headers,
                        status=STATUS[row.status], attempts=row.attempts,
                        next_attempt_at=row.next_attempt_at, last_error=row.last_error,
                        created_at=row.created_at, **guard))
    new.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('comms', '0001_initial'),
        ('mail', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(move_to_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='OutboundEmail',
        ),
    ]
