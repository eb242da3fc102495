"""Which tables are tenant tables: one rule, for models (the schema editor) and the catalog."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models

#: The distribution column: every tenant table has it, non-null, referencing TENANT_TABLE.
TENANT_COLUMN = "organization_id"
#: The tenants' own table (a reference table under Citus: small, replicated to every node).
TENANT_TABLE = "accounts_organization"
TENANT_FIELD = "organization"


def tenant_field(model: type[models.Model]) -> models.ForeignKey[models.Model, models.Model] | None:
    """The model's ``organization`` field if the model is a tenant table, else None.

    A tenant table has a concrete, non-null foreign key (or one-to-one) named ``organization``
    to the organizations' table: every ``TenantModel`` and any model declaring the same field.
    """
    try:
        field = model._meta.get_field(TENANT_FIELD)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, models.ForeignKey) or field.null or not field.concrete:
        return None
    related = field.related_model
    if isinstance(related, str) or related is None:
        return None
    if related._meta.db_table != TENANT_TABLE:
        return None
    return field


def unique_key_scope(organization_id: int, using: str = "default") -> dict[str, int]:
    """The ``organization_id`` filter that completes a lookup by a tenant table's unique key.

    On PostgreSQL every unique key ends with ``organization_id`` (SC3): the lookup names the
    whole key, so it probes that key's index (and, distributed, one shard). SQLite's unique keys
    leave it out, and SQLite's planner, with no statistics unless ANALYZE ran, prefers the
    ``organization_id`` index to a unique one probed once per value of an ``IN`` list: it would
    read every row of the organization (the batch sync's replay check grew with the table).
    There the rest of the key (a device, a member) already belongs to one organization.
    """
    from django.db import connections

    return {} if connections[using].vendor == "sqlite" else {TENANT_COLUMN: organization_id}
