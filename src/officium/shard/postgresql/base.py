"""Django's PostgreSQL backend with the shard-ready schema editor (``officium.shard.schema``).

``DATABASE_URL=postgresql://...`` selects it (``env.database_config``); queries, features and
introspection are Django's own.
"""

from __future__ import annotations

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper

from officium.shard.schema import DatabaseSchemaEditor


class DatabaseWrapper(PostgresDatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
