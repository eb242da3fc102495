from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "officium.portal"
    label = "portal"

    def ready(self) -> None:
        from officium.portal import rules, signals

        rules.register()
        signals.connect()

        from officium.privacy.backing import backs

        # PV7: documents (and their imports) stored with the deployment's host (database and
        # file storage): the hosting processor receives them for service provision.
        backs("portal", purposes=["dpv:ServiceProvision"],
              recipients=[("processor", "dpv:ServiceProvision")])
