from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "officium.privacy.consent"
    label = "consent"
