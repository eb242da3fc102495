"""Shard-ready schema (SC3): every tenant table can be distributed by ``organization_id``.

Citus distributes a table by one column and can only enforce a primary key, a unique key or
a foreign key between distributed tables when it includes that column. Officium's tenant
tables (a non-null ``organization`` foreign key to ``accounts.Organization``; every
``TenantModel``) follow that rule on PostgreSQL without any model saying so:

- ``postgresql/`` is Django's PostgreSQL backend with one change, its schema editor
  (``schema.py``): a tenant table's primary key is ``(id, organization_id)``, each unique key
  gets ``organization_id`` appended, and a foreign key to another tenant table is
  ``(organization_id, x_id) -> (organization_id, id)`` (so a row can only point at a row of its
  own organization). Django's model state is unchanged (``id`` stays the primary key).
- ``convert.py`` brings a database created before (or by another tool) to the same shape;
  ``migrate`` runs it before and after migrating on PostgreSQL (idempotent, a few catalog
  queries when there is nothing to do).
- ``checks.py`` reads the catalog and fails (``check --deploy --database default --tag
  shard``) naming each table whose key leaves out ``organization_id``.
"""
