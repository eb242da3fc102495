"""`officium manage announce_transfer --new-owner "..."`: NO3, email and banner for everyone."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Announce a change of ownership: a service email to every active user and a site banner."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--new-owner", required=True)
        parser.add_argument("--effective-on", default=None, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        from officium.comms.services import announce_transfer

        try:
            announcement, count = announce_transfer(options["new_owner"],
                                                    effective_on=options["effective_on"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Announcement {announcement.pk} posted; {count} users emailed.")
