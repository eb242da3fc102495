from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "officium.privacy"
    label = "privacy"
    verbose_name = "Privacy engine"

    def ready(self) -> None:
        from officium.privacy import (
            checks,  # noqa: F401  (registers the system checks)
            outbox,  # noqa: F401  (registers the mail outbox)
        )
        from officium.privacy.backing import backs

        # PV7: what the engine itself implements. Disclosures to authorities (legal grounds
        # incl. vital interests), legal holds, the request log (IP address, user agent, page,
        # referrer and time per request, in files: no model) read to run and administer the
        # site; the session, CSRF and cookie-choice cookies.
        backs("privacy",
              purposes=["dpv:LegalCompliance", "dpv:ProtectionOfPublicSecurity",
                        "dpv:DisputeManagement", "dpv:IncreaseServiceRobustness",
                        "dpv:ServiceUsageAnalytics"],
              categories=["pd:IPAddress", "pd:DeviceOperatingSystem",
                          "pd:ServiceConsumptionBehaviour", "pd:BrowsingBehaviour"],
              cookies=["strictly_necessary"],
              recipients=[("authority", "dpv:LegalCompliance"),
                          ("authority", "dpv:ProtectionOfPublicSecurity")])
