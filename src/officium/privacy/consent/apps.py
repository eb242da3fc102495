from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "officium.privacy.consent"
    label = "consent"
    verbose_name = "Consent ledger"

    def ready(self) -> None:
        from officium.privacy.consent import filters, hooks

        filters.register()
        hooks.connect()
