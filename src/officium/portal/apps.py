from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "officium.portal"
    label = "portal"

    def ready(self) -> None:
        from officium.portal import rules, signals

        rules.register()
        signals.connect()
