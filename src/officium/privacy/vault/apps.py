from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "officium.privacy.vault"
    label = "vault"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from officium.privacy.vault.keys import clear_cache

        # A flushed or migrated database has other key rows: cached keys would be stale.
        post_migrate.connect(clear_cache, dispatch_uid="vault-clear-key-cache")
