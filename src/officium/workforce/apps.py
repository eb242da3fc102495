from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "officium.workforce"
    label = "workforce"
    verbose_name = "Working time"

    def ready(self) -> None:
        from officium.attendance import workday
        from officium.workforce import dashboard, rules, shifts, timesheets

        rules.register()
        dashboard.register()  # UX3: requests waiting, on the organization dashboard
        workday.register(shifts.judge_moments)  # every check-in gets its work day and shift status
        workday.listen(timesheets.on_records_changed)  # and its day's timesheet is rebuilt (WT4)

        from officium.privacy.backing import backs

        backs("workforce", purposes=["dpv:HumanResourceManagement"])  # PV7: shifts, timesheets, leave
