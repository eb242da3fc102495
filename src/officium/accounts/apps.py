from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "officium.accounts"
    label = "accounts"
    verbose_name = "Organizations and accounts"
