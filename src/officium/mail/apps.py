from datetime import timedelta

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "officium.mail"
    label = "mail"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from officium.mail.tasks import deliver_due_mail
        from officium.worker.scheduler import every

        # Retries and anything whose on-commit enqueue was lost; fresh mail is enqueued at commit.
        every(timedelta(seconds=30), "mail.deliver_due", deliver_due_mail)
