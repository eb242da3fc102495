from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "officium.accounts"
    label = "accounts"
    verbose_name = "Organizations and accounts"

    def ready(self) -> None:
        from officium.accounts.audit_alerts import email_integrity_alert
        from officium.privacy.audit.alerts import integrity_alert

        integrity_alert.connect(email_integrity_alert, dispatch_uid="accounts.audit_alert")

        from officium.privacy.backing import backs

        # PV7: what this app implements (the policy may state it; see privacy/backing.py).
        backs("accounts", purposes=["dpv:ServiceProvision", "dpv:AccountManagement",
                                    "dpv:EnforceSecurity", "dpv:AgeVerification",
                                    "dpv:CommunicationManagement"],
              categories=["pd:Password", "pd:AgeRange"])  # password hashes, the age gate
        from officium.accounts import panels

        panels.register()  # UX3: data requests due, on the organization dashboard
