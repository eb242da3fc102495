from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "officium.privacy.retention"
    label = "retention"

    def ready(self) -> None:
        from officium.privacy.retention.tasks import schedule
        from officium.worker.scheduler import every

        schedule(every)
