"""Readiness: can this process do its work right now?

Each check touches the real dependency the way a request would, and answers ``ok`` or the
exception's class name (never its message: a message can carry a path, a host or a key id):

* ``database``: a ``SELECT 1`` on the default connection;
* ``storage``: a small probe object written, read back and deleted on the portal's storage;
* ``queue``: the configured task backend is reachable (the task table, or Redis for RQ);
* ``key_store``: the vault's KMS unwraps a stored data key (or, with none stored yet, one it
  just wrapped), so a wrong or missing master key fails readiness, not the first request.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

PROBE_DIR = ".readyz"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    error: str = ""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_storage() -> None:
    from officium.portal.storage import portal_storage

    storage = portal_storage()
    payload = os.urandom(16)
    name = storage.save(f"{PROBE_DIR}/{payload.hex()}", ContentFile(payload))
    try:
        with storage.open(name, "rb") as handle:
            if handle.read() != payload:
                raise OSError("the storage answered other bytes than were written")
    finally:
        storage.delete(name)


def check_queue() -> None:
    backend = str(settings.TASKS["default"]["BACKEND"])
    if backend.endswith("RQBackend"):
        import django_rq

        django_rq.get_queue("default").connection.ping()
    elif backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(pk__isnull=True).exists()
    # the immediate backend runs tasks in the request: nothing to reach


def check_key_store() -> None:
    from officium.privacy.vault import keys
    from officium.privacy.vault.models import OrganizationKey, ServiceKey, SubjectKey

    service = keys.kms()
    for model, kind, owner_field in ((ServiceKey, keys.SERVICE, "name"),
                                     (OrganizationKey, keys.ORGANIZATION, "organization_id"),
                                     (SubjectKey, keys.SUBJECT, "subject_id")):
        row = model.objects.order_by("-pk").first()
        if row is not None:
            owner = getattr(row, owner_field)
            service.unwrap(bytes(row.wrapped_key), keys.context_for(kind, owner, row.version))
            return
    context = keys.context_for(keys.SERVICE, "readyz", 1)
    probe = os.urandom(32)
    if service.unwrap(service.wrap(probe, context), context) != probe:
        raise ValueError("the key store unwrapped other bytes than it wrapped")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "storage": check_storage,
    "queue": check_queue,
    "key_store": check_key_store,
}


def readiness() -> list[CheckResult]:
    results = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001  (any failure means not ready; named below)
            results.append(CheckResult(name, False, type(error).__name__))
        else:
            results.append(CheckResult(name, True))
    return results
