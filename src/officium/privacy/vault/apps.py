from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "officium.privacy.vault"
    label = "vault"
