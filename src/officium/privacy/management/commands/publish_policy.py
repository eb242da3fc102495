"""``officium manage publish_policy``: record the active policy as a new version if it changed."""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Publish the active policy as a new version when its content changed (NO2)."

    def handle(self, *args: Any, **options: Any) -> None:
        from officium.privacy.notices.cli import main

        main([])
