"""Attendance and location: geofences, check-in/out, location events, privacy mode, devices."""
from datetime import timedelta

from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "officium.attendance"
    label = "attendance"

    def ready(self) -> None:
        from officium.attendance import rules
        from officium.attendance.retention import sweep_location_data
        from officium.worker.scheduler import every

        rules.register()
        every(timedelta(hours=1), "attendance.location_retention", sweep_location_data)
