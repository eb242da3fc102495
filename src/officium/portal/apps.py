from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "officium.portal"
    label = "portal"
