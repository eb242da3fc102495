from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "officium.workforce"
    label = "workforce"
    verbose_name = "Working time"

    def ready(self) -> None:
        from officium.attendance import workday
        from officium.workforce import rules, shifts

        rules.register()
        workday.register(shifts.judge_moments)  # every check-in gets its work day and shift status
