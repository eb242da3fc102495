"""SC3: the check that the database could be distributed by organization_id (Citus).

``officium manage check --deploy --database default --tag shard`` (PostgreSQL; CI runs it in
``tests/ops/test_shard.py``). Deploy-only on purpose: ``migrate`` runs the ordinary database
checks before it migrates, and a database that migrate is about to convert must not stop it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import connections

from officium.shard import catalog
from officium.shard.tenancy import TENANT_COLUMN

_HINTS = {
    "E001": "Tenant tables get the primary key (id, organization_id) from Officium's PostgreSQL backend "
            "(officium.shard.postgresql) and from migrate's conversion: run `officium manage migrate`.",
    "E002": "Uniqueness on a tenant table can only be per organization: Officium's backend appends "
            "organization_id to unique fields, unique_together and UniqueConstraint(fields=...); a "
            "constraint on expressions or written in SQL must name organization_id itself.",
    "E003": "A foreign key between tenant tables must be (organization_id, x_id) -> (organization_id, id): "
            "Officium's backend writes it so, and migrate's conversion rewrites an old one.",
    "E004": "A table without a non-null organization (a reference or local table under Citus) cannot "
            "hold a foreign key into a tenant table: make it a TenantModel, or point it elsewhere.",
}


@dataclass(frozen=True)
class Problem:
    code: str
    table: str
    constraint: str
    message: str


def _pairs_organization(columns: Sequence[str], to_columns: Sequence[str]) -> bool:
    return (TENANT_COLUMN in columns and TENANT_COLUMN in to_columns
            and columns.index(TENANT_COLUMN) == to_columns.index(TENANT_COLUMN))


def problems(schema: catalog.Schema) -> list[Problem]:
    found = []
    for key in schema.keys:
        if schema.is_tenant(key.table) and TENANT_COLUMN not in key.columns:
            code, kind = ("E001", "primary key") if key.primary else ("E002", "unique key")
            found.append(Problem(code, key.table, key.name,
                                 f"tenant table {key.table}: {kind} {key.name} ({', '.join(key.columns) or 'an expression'}) "
                                 f"leaves out {TENANT_COLUMN}"))
    for fk in schema.foreign_keys:
        source, target = schema.is_tenant(fk.table), schema.is_tenant(fk.to_table)
        if source and target and not _pairs_organization(fk.columns, fk.to_columns):
            found.append(Problem("E003", fk.table, fk.name,
                                 f"tenant table {fk.table}: foreign key {fk.name} ({', '.join(fk.columns)}) to "
                                 f"tenant table {fk.to_table} leaves out {TENANT_COLUMN}"))
        elif target and not source:
            found.append(Problem("E004", fk.table, fk.name,
                                 f"table {fk.table} (not a tenant table): foreign key {fk.name} into tenant table "
                                 f"{fk.to_table}"))
    return found


def check_shard_ready(app_configs: Iterable[AppConfig] | None = None, databases: Iterable[str] | None = None,
                      **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        for problem in problems(catalog.read(connection)):
            messages.append(checks.Error(problem.message, hint=_HINTS[problem.code], obj=problem.table,
                                         id=f"shard.{problem.code}"))
    return messages
