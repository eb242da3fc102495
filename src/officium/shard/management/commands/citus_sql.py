from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from officium.shard import catalog, checks
from officium.shard.citus import distribution_sql


class Command(BaseCommand):
    help = ("Print the Citus statements that distribute this database by organization_id "
            "(reference tables, then the tenant tables, colocated). Reads the catalog only.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError("citus_sql reads a PostgreSQL catalog; DATABASE_URL names another database")
        schema = catalog.read(connection)
        if problems := checks.problems(schema):
            raise CommandError("the schema is not shard-ready (run `officium manage check --deploy --database "
                               f"{options['database']} --tag shard`): {problems[0].message}")
        for statement in distribution_sql(schema):
            self.stdout.write(statement)
