from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "officium.attendance"
    label = "attendance"
