from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "officium.fieldwork"
    label = "fieldwork"
