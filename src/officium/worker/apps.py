from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "officium.worker"
    label = "worker"
    verbose_name = "Background work"
