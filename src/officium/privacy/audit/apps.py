from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "officium.privacy.audit"
    label = "audit"
    verbose_name = "Audit log"
