from datetime import timedelta

from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "officium.privacy.rights"
    label = "rights"
    verbose_name = "Data subject rights"

    def ready(self) -> None:
        from officium.privacy.access import add_subject_filter
        from officium.privacy.rights.restriction import objected_subjects, restricted_subjects
        from officium.privacy.rights.tasks import rights_housekeeping
        from officium.worker.scheduler import every

        add_subject_filter(restricted_subjects)
        add_subject_filter(objected_subjects)
        every(timedelta(hours=1), "rights.housekeeping", rights_housekeeping)
