"""Communications: service and marketing email, newsletter, contact, complaints."""
from datetime import timedelta

from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "officium.comms"
    label = "comms"

    def ready(self) -> None:
        from officium.comms.senders import sender_for
        from officium.comms.tasks import (
            MARKETING_GUARD,
            purge_unconfirmed_subscriptions,
            still_consented,
        )
        from officium.mail.delivery import register_guard, register_sender
        from officium.worker.scheduler import every

        register_sender(sender_for)
        register_guard(MARKETING_GUARD, still_consented)
        every(timedelta(hours=1), "comms.purge_unconfirmed_subscriptions",
              purge_unconfirmed_subscriptions)

        from officium.privacy.backing import backs

        # PV7: contact/support forms and complaints, newsletter, service announcements.
        backs("comms", purposes=["dpv:CustomerCare", "dpv:DirectMarketing",
                                 "dpv:CommunicationManagement"])
