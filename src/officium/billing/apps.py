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
        every(timedelta(hours=1), "billing.renew_and_retry", tasks.renew_and_retry)
        every(timedelta(minutes=1), "billing.usage_flush", tasks.flush_usage)
        every(timedelta(hours=6), "billing.usage_snapshot", tasks.snapshot_usage)
