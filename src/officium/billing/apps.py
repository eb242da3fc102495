from datetime import timedelta

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "officium.billing"
    label = "billing"
    verbose_name = "Plans and billing"

    def ready(self) -> None:
        from officium.accounts import limits as account_limits
        from officium.billing import limits, tasks
        from officium.worker.scheduler import every

        account_limits.register(limits.check)
        from django.db.models.signals import post_save

        from officium.billing.payments import withdrawn_elsewhere
        from officium.privacy.consent.models import ConsentRecord

        # BI2: a saved-card consent withdrawn on the privacy preferences page forgets the card too.
        post_save.connect(withdrawn_elsewhere, sender=ConsentRecord, dispatch_uid="billing.saved_card_withdrawn")
        every(timedelta(hours=1), "billing.renew_and_retry", tasks.renew_and_retry)
        every(timedelta(minutes=1), "billing.usage_flush", tasks.flush_usage)
        every(timedelta(hours=6), "billing.usage_snapshot", tasks.snapshot_usage)

        from officium.privacy.backing import backs

        # PV7: card payments through the provider seam (the card itself is a registered field:
        # pd:PaymentCard); the provider is the processor that receives the cardholder's details.
        backs("billing", purposes=["dpv:PaymentManagement"],
              recipients=[("processor", "dpv:PaymentManagement")])
