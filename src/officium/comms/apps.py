"""Communications: service and marketing email, newsletter, contact, complaints."""
from datetime import timedelta

from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "officium.comms"
    label = "comms"

    def ready(self) -> None:
        from officium.comms.tasks import purge_unconfirmed_subscriptions, retry_due_emails
        from officium.worker.scheduler import every

        every(timedelta(minutes=1), "comms.retry_due_emails", retry_due_emails)
        every(timedelta(hours=1), "comms.purge_unconfirmed_subscriptions",
              purge_unconfirmed_subscriptions)
