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

        from officium.attendance.fixes import on_new_fix
        from officium.fieldwork import eta

        on_new_fix(eta.after_fix)  # a location sync on the way moves the customer's estimate (FW7)

        from officium.privacy.backing import backs

        # PV7: field work (tasks, entries, forms, bids with their location) and photos taken
        # with the phone app (pd:Picture is a registered field of the photo model).
        backs("fieldwork", purposes=["dpv:HumanResourceManagement", "dpv:ServiceProvision"])
