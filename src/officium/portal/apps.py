from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "officium.portal"
    label = "portal"

    def ready(self) -> None:
        from officium.portal import backup_objects, rules, signals

        rules.register()
        signals.connect()
        backup_objects.register()  # SC4: files, shares and uploads in backup archives

        from officium.privacy.backing import backs

        # PV7: documents (and their imports) stored with the deployment's host (database and
        # file storage): the hosting processor receives them for service provision.
        backs("portal", purposes=["dpv:ServiceProvision"],
              recipients=[("processor", "dpv:ServiceProvision")])
