"""The PostgreSQL catalog as the shard check and the conversion read it (current schema only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper

from officium.shard.tenancy import TENANT_COLUMN, TENANT_TABLE

# Key columns in order; INCLUDE columns and expressions are not key columns.
_KEYS = """
SELECT t.relname, i.relname, x.indisprimary, con.conname,
       ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
             WHERE k.n <= x.indnkeyatts ORDER BY k.n),
       pg_get_indexdef(x.indexrelid)
FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
     AND con.contype IN ('p', 'u')
WHERE x.indisunique AND n.nspname = current_schema() AND t.relkind IN ('r', 'p')
ORDER BY t.relname, i.relname
"""

_FOREIGN_KEYS = """
SELECT c.conname, t.relname, ft.relname,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n),
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n),
       pg_get_constraintdef(c.oid)
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_class ft ON ft.oid = c.confrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE c.contype = 'f' AND n.nspname = current_schema()
ORDER BY t.relname, c.conname
"""

# Non-null organization column: with a foreign key to the tenants' table, a tenant table.
_NOT_NULL_TENANT_COLUMN = """
SELECT t.relname FROM pg_attribute a
JOIN pg_class t ON t.oid = a.attrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE a.attname = %s AND a.attnotnull AND NOT a.attisdropped
  AND n.nspname = current_schema() AND t.relkind IN ('r', 'p')
"""


@dataclass(frozen=True)
class Key:
    """A primary key or a unique key (a constraint or a unique index)."""

    table: str
    index: str
    primary: bool
    constraint: str | None  # the constraint's name, None for a bare unique index
    columns: tuple[str, ...]
    definition: str  # pg_get_indexdef

    @property
    def name(self) -> str:
        return self.constraint or self.index


@dataclass(frozen=True)
class ForeignKey:
    name: str
    table: str
    to_table: str
    columns: tuple[str, ...]
    to_columns: tuple[str, ...]
    definition: str  # pg_get_constraintdef


@dataclass(frozen=True)
class Schema:
    tenant_tables: frozenset[str]
    keys: tuple[Key, ...]
    foreign_keys: tuple[ForeignKey, ...]

    def is_tenant(self, table: str) -> bool:
        return table in self.tenant_tables


def read(connection: BaseDatabaseWrapper) -> Schema:
    with connection.cursor() as cursor:
        cursor.execute(_KEYS)
        keys = tuple(Key(table, index, primary, constraint, tuple(columns), definition)
                     for table, index, primary, constraint, columns, definition in cursor.fetchall())
        cursor.execute(_FOREIGN_KEYS)
        foreign_keys = tuple(ForeignKey(name, table, to_table, tuple(columns), tuple(to_columns), definition)
                             for name, table, to_table, columns, to_columns, definition in cursor.fetchall())
        cursor.execute(_NOT_NULL_TENANT_COLUMN, [TENANT_COLUMN])
        not_null = {row[0] for row in cursor.fetchall()}
    tenant_tables = frozenset(
        fk.table for fk in foreign_keys
        if fk.to_table == TENANT_TABLE and fk.columns == (TENANT_COLUMN,) and fk.table in not_null)
    return Schema(tenant_tables, keys, foreign_keys)
