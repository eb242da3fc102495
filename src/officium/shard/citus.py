"""The statements that distribute a shard-ready schema on Citus (``officium manage citus_sql``).

- reference tables (copied to every node): the tables tenant tables point at that have no
  organization of their own (organizations, accounts), and what those point at in turn;
- distributed tables: every tenant table, by ``organization_id``, all colocated, each after the
  tenant tables it references (Citus wants a foreign key's target distributed first);
- every other table (audit log, outbox, rights requests, consent, retention evidence, key
  store, sessions, task queue) stays on the coordinator: Citus adds a local table that points
  at a reference table to its metadata itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from officium.shard.catalog import Schema
from officium.shard.tenancy import TENANT_COLUMN


def _ordered(tables: Iterable[str], depends: dict[str, set[str]]) -> list[str]:
    """Tables with each after the ones it depends on (name order otherwise)."""
    remaining = set(tables)
    ordered: list[str] = []
    while remaining:
        ready = sorted(t for t in remaining if not (depends.get(t, set()) - {t}) & remaining)
        if not ready:
            raise ValueError(f"foreign keys form a cycle among: {', '.join(sorted(remaining))}")
        ordered.extend(ready)
        remaining -= set(ready)
    return ordered


def reference_tables(schema: Schema) -> list[str]:
    targets: dict[str, set[str]] = {}
    for fk in schema.foreign_keys:
        targets.setdefault(fk.table, set()).add(fk.to_table)
    found: set[str] = set()
    stack = [t for table in schema.tenant_tables for t in targets.get(table, set()) if not schema.is_tenant(t)]
    while stack:
        table = stack.pop()
        if table not in found:
            found.add(table)
            stack.extend(targets.get(table, set()))
    return _ordered(found, targets)


def distribution_sql(schema: Schema) -> list[str]:
    depends: dict[str, set[str]] = {}
    for fk in schema.foreign_keys:
        if schema.is_tenant(fk.table) and schema.is_tenant(fk.to_table):
            depends.setdefault(fk.table, set()).add(fk.to_table)
    statements = [f"SELECT create_reference_table('{table}');" for table in reference_tables(schema)]
    distributed = _ordered(schema.tenant_tables, depends)
    for index, table in enumerate(distributed):
        colocate = "'none'" if index == 0 else f"'{distributed[0]}'"
        statements.append(f"SELECT create_distributed_table('{table}', '{TENANT_COLUMN}', colocate_with => {colocate});")
    return statements
