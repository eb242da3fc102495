from datetime import timedelta

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "officium.portal"
    label = "portal"

    def ready(self) -> None:
        from officium.portal import backup_objects, dashboard, rules, signals
        from officium.portal.tasks import empty_trash, send_digests
        from officium.privacy.backing import backs
        from officium.worker.scheduler import every

        rules.register()
        dashboard.register()  # UX3: spaces and new files on the organization dashboard
        signals.connect()
        backup_objects.register()  # SC4: files, shares and uploads in backup archives
        every(timedelta(hours=1), "portal.empty_trash", empty_trash)
        every(timedelta(minutes=1), "portal.send_digests", send_digests)

        # PV7: documents (and their imports) stored with the deployment's host (database and
        # file storage): the hosting processor receives them for service provision.
        backs("portal", purposes=["dpv:ServiceProvision"],
              recipients=[("processor", "dpv:ServiceProvision")])
