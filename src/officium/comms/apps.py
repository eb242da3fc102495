from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "officium.comms"
    label = "comms"
