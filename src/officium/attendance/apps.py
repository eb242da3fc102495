"""Attendance and location: geofences, check-in/out, location events, privacy mode, devices."""
from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "officium.attendance"
    label = "attendance"

    def ready(self) -> None:
        # Retention (RE1) is the engine's sweep (officium.privacy.retention): no job here.
        from officium.attendance import dashboard, rules

        rules.register()
        dashboard.register()  # UX3: panels on the organization dashboard
