from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "officium.portal"
    label = "portal"

    def ready(self) -> None:
        from officium.portal import backup_objects, rules, signals

        rules.register()
        signals.connect()
        backup_objects.register()  # SC4: files, shares and uploads in backup archives
