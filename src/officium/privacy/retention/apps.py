from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "officium.privacy.retention"
    label = "retention"
