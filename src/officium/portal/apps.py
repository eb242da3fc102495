from datetime import timedelta

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "officium.portal"
    label = "portal"

    def ready(self) -> None:
        from officium.portal import rules, signals
        from officium.portal.tasks import empty_trash, send_digests
        from officium.worker.scheduler import every

        rules.register()
        signals.connect()
        every(timedelta(hours=1), "portal.empty_trash", empty_trash)
        every(timedelta(minutes=1), "portal.send_digests", send_digests)
