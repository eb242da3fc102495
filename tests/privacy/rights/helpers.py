"""What the registry says a subject holds, computed independently of the rights app."""

from __future__ import annotations

import csv
import io
import zipfile

from officium.privacy import registry


def registered_pks(user_id: int) -> dict[str, set[str]]:
    """Label -> primary keys of every registered model's rows of this subject."""
    found = {}
    for reg in registry.registrations():
        pks = {str(pk) for pk in reg.model._base_manager.filter(reg.subject_q(user_id))
               .values_list("pk", flat=True)}
        if pks:
            found[reg.label] = pks
    return found


def zip_pks(data: bytes) -> dict[str, set[str]]:
    """Label -> primary keys listed in an export's records/<label>.csv files."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("records/") and name.endswith(".csv"):
                rows = list(csv.reader(io.StringIO(archive.read(name).decode())))
                found[name[len("records/"):-len(".csv")]] = {r[0] for r in rows[2:]}
    return found
