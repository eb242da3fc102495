from datetime import timedelta

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "officium.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from officium.notifications import audit_events, panels  # noqa: F401  (declares the events)
        from officium.notifications.tasks import send_digests
        from officium.worker.scheduler import every

        every(timedelta(days=1), "notifications.digest", send_digests)  # UX4: the daily digest
        panels.register()
