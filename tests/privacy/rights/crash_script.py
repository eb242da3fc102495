"""Driven by test_crash.py in a separate process on a file-backed SQLite database:
``setup KIND`` | ``run ID`` | ``resume`` | ``check ID``. Prints one JSON line."""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")
os.environ.setdefault("OFFICIUM_ENV", "test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models.signals import post_delete  # noqa: E402
from django.utils import timezone  # noqa: E402


def setup(kind: str) -> dict:
    from officium.accounts.models import Membership, Organization, User
    from officium.attendance.models import LocationEvent
    from officium.privacy.rights import intake

    call_command("migrate", interactive=False, verbosity=0)
    org = Organization.objects.create(name="Crash Org", slug="crash-org", country="DE")
    users = []
    for name in ("victim", "bystander"):
        user = User.objects.create_user(f"{name}@crash.example", "correct-horse-battery-staple",
                                        first_name=name, is_active=True)
        member = Membership.objects.create(organization=org, user=user)
        now = timezone.now()
        LocationEvent.objects.bulk_create([LocationEvent(
            organization=org, member=member, kind="attendance", occurred_at=now, received_at=now,
            latitude=52.5, longitude=13.4, location_status="recorded") for _ in range(300)])
        users.append(user)
    filed = intake.file_for_account(users[0], request_type=kind, country="DE",
                                    password="correct-horse-battery-staple")
    return {"id": filed.pk, "subject": users[0].pk, "bystander": users[1].pk}


def check(pk: int) -> dict:
    from officium.privacy import registry
    from officium.privacy.rights.export import exports_dir
    from officium.privacy.rights.models import ExportFile, RightsRequest

    request = RightsRequest.objects.get(pk=pk)
    left = {reg.label: reg.model._base_manager.filter(reg.subject_q(request.subject_ref)).count()
            for reg in registry.registrations()}
    return {"status": request.status,
            "completed_events": request.events.filter(kind="completed").count(),
            "started_events": request.events.filter(kind="started").count(),
            "exports": ExportFile.objects.filter(request=request).count(),
            "files": sorted(p.name for p in exports_dir().iterdir()),
            "left": {k: v for k, v in left.items() if v},
            "location_events_total": _location_events(),
            "answer": request.answer}


def _location_events() -> int:
    from officium.attendance.models import LocationEvent

    return LocationEvent.objects.count()


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "setup":
        result = setup(argv[1])
    elif command == "run":
        if os.environ.get("OFFICIUM_RIGHTS_CRASH_AT") == "erasure":
            from officium.accounts.models import Membership
            from officium.privacy.rights import crashpoints

            # Mid-erasure: the location events are gone (committed), the memberships not yet.
            post_delete.connect(lambda **kw: crashpoints.reached("erasure"), sender=Membership,
                                weak=False)
        from officium.privacy.rights.execution import run

        result = {"run": run(int(argv[1]))}
    elif command == "resume":
        from officium.privacy.rights.execution import resume_stalled

        result = {"resumed": resume_stalled()}
    else:
        result = check(int(argv[1]))
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
