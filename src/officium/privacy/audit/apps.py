from datetime import timedelta

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "officium.privacy.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from officium.privacy.audit.events import autodiscover
        from officium.privacy.audit.tasks import checkpoint_audit_log
        from officium.worker.scheduler import every

        every(timedelta(minutes=15), "audit.checkpoint", checkpoint_audit_log)
        autodiscover()
