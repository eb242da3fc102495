"""Attendance and location: geofences, check-in/out, location events, privacy mode, devices."""
from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "officium.attendance"
    label = "attendance"

    def ready(self) -> None:
        # Retention (RE1) is the engine's sweep (officium.privacy.retention): no job here.
        from officium.attendance import dashboard, rules

        rules.register()

        from officium.privacy.backing import backs

        # PV7: check-in and its location; impossible speeds flagged as suspected mock GPS.
        backs("attendance", purposes=["dpv:HumanResourceManagement",
                                      "dpv:FraudPreventionAndDetection"])

        from officium.attendance import releases
        from officium.privacy.office.releases import register_dataset

        # PV6: check-ins per site per week, publishable under differential privacy.
        register_dataset(releases.DATASET, "Check-ins per site per week", releases.groups,
                         releases.counts)
        dashboard.register()  # UX3: panels on the organization dashboard
