"""Bring an existing PostgreSQL schema to the shard-ready shape the backend writes.

For a database created before the backend (or by another tool): every foreign key between
tenant tables becomes ``(organization_id, x) -> (organization_id, y)``, every tenant table's
primary key ``(id, organization_id)`` and its unique keys get ``organization_id`` appended, in
one transaction. Constraint and index names are kept. Idempotent: with nothing to change it
reads the catalog (three queries) and writes nothing. ``migrate`` runs it before and after
migrating (``apps.py``); a row that points into another organization stops it, naming the
foreign key (such a row is a tenancy bug to fix first).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from officium.shard import catalog
from officium.shard.tenancy import TENANT_COLUMN

_FOREIGN_KEY = re.compile(r"^FOREIGN KEY \((?P<columns>[^)]*)\) REFERENCES (?P<to>.+?)\((?P<to_columns>[^)]*)\)(?P<rest>.*)$",
                          re.DOTALL)
_INDEX_COLUMNS = re.compile(r" USING \w+ \(")


def _q(connection: BaseDatabaseWrapper, *names: str) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _index_with_organization(connection: BaseDatabaseWrapper, definition: str) -> str:
    """A unique index's definition with organization_id appended to its key columns."""
    match = _INDEX_COLUMNS.search(definition)
    if match is None:
        raise ValueError(f"unexpected index definition: {definition}")
    depth, position = 1, match.end()
    while depth:
        depth += {"(": 1, ")": -1}.get(definition[position], 0)
        position += 1
    return f"{definition[:position - 1]}, {_q(connection, TENANT_COLUMN)}{definition[position - 1:]}"


def plan(connection: BaseDatabaseWrapper, schema: catalog.Schema) -> list[str]:
    """The statements that make ``schema`` shard-ready (empty when it is)."""
    q = connection.ops.quote_name
    # Tables some other table's foreign key depends on through a key we would rewrite:
    # keys referenced from outside the tenant tables stay (the check names them, E004).
    outside = {(fk.to_table, fk.to_columns) for fk in schema.foreign_keys
               if not schema.is_tenant(fk.table) and schema.is_tenant(fk.to_table)}
    drop_fks, add_fks = [], []
    for fk in schema.foreign_keys:
        if not (schema.is_tenant(fk.table) and schema.is_tenant(fk.to_table)) or TENANT_COLUMN in fk.columns:
            continue
        match = _FOREIGN_KEY.match(fk.definition)
        if match is None or TENANT_COLUMN in fk.to_columns or (fk.to_table, fk.to_columns) in outside:
            continue
        drop_fks.append(f"ALTER TABLE {q(fk.table)} DROP CONSTRAINT {q(fk.name)}")
        add_fks.append(
            f"ALTER TABLE {q(fk.table)} ADD CONSTRAINT {q(fk.name)} FOREIGN KEY ({_q(connection, TENANT_COLUMN, *fk.columns)}) "
            f"REFERENCES {q(fk.to_table)} ({_q(connection, TENANT_COLUMN, *fk.to_columns)}){match['rest']}")
    keys = []
    for key in schema.keys:
        if not schema.is_tenant(key.table) or TENANT_COLUMN in key.columns or not key.columns:
            continue
        if (key.table, key.columns) in outside:
            continue
        if key.primary:
            keys.append(f"ALTER TABLE {q(key.table)} DROP CONSTRAINT {q(key.name)}, ADD CONSTRAINT {q(key.name)} "
                        f"PRIMARY KEY ({_q(connection, *key.columns, TENANT_COLUMN)})")
        elif key.constraint:
            keys.append(f"ALTER TABLE {q(key.table)} DROP CONSTRAINT {q(key.name)}, ADD CONSTRAINT {q(key.name)} "
                        f"UNIQUE ({_q(connection, *key.columns, TENANT_COLUMN)})")
        else:
            keys.append(f"DROP INDEX {q(key.index)}")
            keys.append(_index_with_organization(connection, key.definition))
    return [*drop_fks, *keys, *add_fks]


def make_shard_ready(connection: BaseDatabaseWrapper) -> list[str]:
    """Run :func:`plan` on ``connection`` (PostgreSQL) in one transaction; return what ran."""
    if connection.vendor != "postgresql":
        return []
    with transaction.atomic(using=connection.alias):
        statements = plan(connection, catalog.read(connection))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return statements
