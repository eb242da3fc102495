from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "officium.portal"
    label = "portal"

    def ready(self) -> None:
        from officium.portal import dashboard, rules, signals

        rules.register()
        dashboard.register()  # UX3: spaces and new files on the organization dashboard
        signals.connect()
