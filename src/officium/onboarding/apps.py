from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "officium.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"

    def ready(self) -> None:
        from officium.onboarding import steps

        steps.register()  # UX2: the checklist on the dashboard until the organization is set up
