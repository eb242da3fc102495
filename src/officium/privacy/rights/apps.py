from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "officium.privacy.rights"
    label = "rights"
