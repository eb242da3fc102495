"""`officium manage backfill_work_days [--batch N] [--organization ID]`: fill in the local work
day of check-in records written before the column existed (``attendance.backfill``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Fill in work_day on old check-in records, in batches; timesheets of those days are rebuilt."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="records per transaction (default 2000)")
        parser.add_argument("--organization", type=int, default=None, help="only this organization's id")

    def handle(self, *args: Any, **options: Any) -> None:
        from officium.attendance.backfill import fill_work_days

        if not 1 <= options["batch"] <= 50_000:
            raise CommandError("--batch: choose 1 to 50000 records per transaction.")
        filled = fill_work_days(options["batch"], options["organization"])
        self.stdout.write(f"{filled} check-in records got their work day.")
