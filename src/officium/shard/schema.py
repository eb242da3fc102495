"""PostgreSQL schema editor that writes tenant tables in the shape Citus can distribute.

Django's model state keeps ``id`` as each model's primary key; only the DDL differs, and only
for tenant tables (``tenancy.tenant_field``):

- primary key ``(id, organization_id)`` instead of ``(id)`` (``id`` first: a lookup by id alone,
  which Django makes everywhere, still finds the row through the key's index);
- a unique field, ``unique_together`` or ``UniqueConstraint(fields=...)`` gets
  ``organization_id`` appended (uniqueness is per organization, which is all a sharded
  database can enforce; the lookup column stays first, so its index still serves it);
- a foreign key to another tenant table is ``(organization_id, x_id) REFERENCES
  other (organization_id, id)``: the database refuses a row that points into another
  organization.

Django finds constraints to drop by their columns; ``_constraint_names`` also matches the
composite forms, so later migrations that alter or remove such fields work unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import models
from django.db.backends.ddl_references import Columns, Statement
from django.db.backends.postgresql.schema import DatabaseSchemaEditor as PostgresSchemaEditor

from officium.shard.tenancy import tenant_field


class DatabaseSchemaEditor(PostgresSchemaEditor):
    # Foreign keys of added columns as separate statements (as every other backend does), so a
    # tenant table's can be composite; PostgreSQL's inline form names one column only.
    sql_create_column_inline_fk = None  # type: ignore[assignment]  # Django declares it str

    def _iter_column_sql(  # type: ignore[no-untyped-def]  # Django's private signature, untyped
        self, column_db_type, params, model, field, field_db_params, include_default
    ) -> Iterator[str]:
        parts = self._django()._iter_column_sql(column_db_type, params, model, field, field_db_params, include_default)
        organization = tenant_field(model)
        if organization is None or field.name == organization.name:
            yield from parts
            return
        for part in parts:
            # The table's key and unique keys are written with organization_id (table_sql,
            # add_field), never inline on one column.
            if (part == "PRIMARY KEY" and field.primary_key) or (part == "UNIQUE" and field.unique):
                continue
            yield part

    def table_sql(self, model: type[models.Model]) -> tuple[str, list[Any]]:
        sql, params = super().table_sql(model)
        organization = tenant_field(model)
        if organization is None:
            return sql, params
        keys = []
        pk = model._meta.pk
        if pk is not None and pk.name != organization.name and not isinstance(pk, models.CompositePrimaryKey):
            keys.append(f"PRIMARY KEY ({self._key_columns(str(pk.column), str(organization.column))})")
        for field in model._meta.local_concrete_fields:
            if field.unique and not field.primary_key and field.name != organization.name:
                keys.append(f"UNIQUE ({self._key_columns(str(field.column), str(organization.column))})")
        if not keys:
            return sql, params
        if model._meta.db_tablespace or not sql.endswith(")"):
            raise NotImplementedError(f"{model._meta.db_table}: a tenant table cannot name a tablespace")
        return f"{sql[:-1]}, {', '.join(keys)})", params

    def _django(self) -> Any:
        """Django's schema editor, whose private methods (the ones overridden here) the stubs omit."""
        return super()

    def _key_columns(self, *columns: str) -> str:
        return ", ".join(self.quote_name(column) for column in columns)

    def add_field(self, model: type[models.Model], field: models.Field[Any, Any]) -> None:
        super().add_field(model, field)
        organization = tenant_field(model)
        if (organization is not None and field.unique and not field.primary_key and field.column
                and field.name != organization.name and not field.many_to_many):
            self.execute(self._create_unique_sql(model, [field]))  # type: ignore[no-untyped-call]  # private Django API

    def _create_primary_key_sql(self, model: type[models.Model], field: models.Field[Any, Any]) -> Statement:
        statement: Statement = self._django()._create_primary_key_sql(model, field)
        organization = tenant_field(model)
        if organization is not None and field.name != organization.name:
            statement.parts["columns"] = Columns(
                model._meta.db_table, [str(field.column), str(organization.column)], self.quote_name)
        return statement

    def _with_organization(self, model: type[models.Model], fields: Sequence[Any] | None) -> Sequence[Any] | None:
        organization = tenant_field(model)
        if organization is None or not fields:
            return fields
        if any(field.column == organization.column for field in fields):
            return fields
        return [*fields, organization]

    def _unique_sql(self, model, fields, name, *args, **kwargs):  # type: ignore[no-untyped-def]  # Django's private signature
        return self._django()._unique_sql(model, self._with_organization(model, fields), name, *args, **kwargs)

    def _create_unique_sql(self, model, fields, *args, **kwargs):  # type: ignore[no-untyped-def]  # Django's private signature
        return self._django()._create_unique_sql(model, self._with_organization(model, fields), *args, **kwargs)

    def _create_fk_sql(self, model, field, suffix):  # type: ignore[no-untyped-def]  # Django's private signature
        statement = self._django()._create_fk_sql(model, field, suffix)
        organization = tenant_field(model)
        target = field.target_field
        target_organization = tenant_field(target.model)
        if (organization is None or target_organization is None or field.name == organization.name
                or target.column == target_organization.column):
            return statement
        table, to_table = model._meta.db_table, target.model._meta.db_table
        statement.parts["column"] = Columns(table, [organization.column, field.column], self.quote_name)
        statement.parts["to_column"] = Columns(
            to_table, [target_organization.column, target.column], self.quote_name)
        return statement

    def _constraint_names(  # type: ignore[no-untyped-def]  # Django's private signature
        self, model, column_names=None, unique=None, primary_key=None, index=None, foreign_key=None,
        check=None, type_=None, exclude=None,
    ) -> list[str]:
        found: list[str] = self._django()._constraint_names(
            model, column_names, unique, primary_key, index, foreign_key, check, type_, exclude)
        organization = tenant_field(model)
        if (organization is None or not column_names or organization.column in column_names
                or not (unique or foreign_key) or primary_key):
            return found
        # The composite forms this editor writes for a unique or foreign-key column.
        for columns in ([organization.column, *column_names], [*column_names, organization.column]):
            for name in self._django()._constraint_names(
                    model, columns, unique, primary_key, index, foreign_key, check, type_, exclude):
                if name not in found:
                    found.append(name)
        return found

