from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class AuditConfig(AppConfig):
    name = "officium.privacy.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from officium.privacy.audit.events import autodiscover
        from officium.privacy.audit.tasks import checkpoint_audit_log
        from officium.worker.scheduler import every

        # Entries after the last checkpoint can be cut unseen: keep that tail to about a minute.
        seconds = int(getattr(settings, "AUDIT_CHECKPOINT_SECONDS", 60))
        every(timedelta(seconds=seconds), "audit.checkpoint", checkpoint_audit_log)
        autodiscover()
