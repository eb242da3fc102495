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
        from officium.fieldwork import dashboard

        dashboard.register()  # UX3: the tasks due next, on the organization dashboard

        from officium.privacy.backing import backs

        # PV7: field work (tasks, entries, forms, bids with their location) and photos taken
        # with the phone app (pd:Picture is a registered field of the photo model).
        backs("fieldwork", purposes=["dpv:HumanResourceManagement", "dpv:ServiceProvision"])
