from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "officium.privacy"
    label = "privacy"
    verbose_name = "Privacy engine"

    def ready(self) -> None:
        from officium.privacy import (
            checks,  # noqa: F401  (registers the system checks)
            outbox,  # noqa: F401  (registers the mail outbox)
        )
