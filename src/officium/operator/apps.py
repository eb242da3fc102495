from django.apps import AppConfig


class OperatorConfig(AppConfig):
    name = "officium.operator"
    label = "operator"
    verbose_name = "The operator: staff console, support grants, forum"
