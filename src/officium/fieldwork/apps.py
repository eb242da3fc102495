"""Field work: tasks, task entries, forms, photos, bids, dispatch, ETA and the phone app."""
from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "officium.fieldwork"
    label = "fieldwork"
    verbose_name = "Field work"

    def ready(self) -> None:
        from officium.fieldwork import actions, rules

        rules.register()
        actions.register()  # task entries, forms and bid answers ride the device batch (FW8)
