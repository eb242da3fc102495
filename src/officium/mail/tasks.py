"""The worker's delivery tasks (django-tasks, queue "email")."""

from django_tasks import task


@task(queue_name="email")
def deliver_email(email_id: int) -> str:
    """Enqueued when the queueing transaction commits."""
    from officium.mail.delivery import deliver

    return deliver(email_id)


@task(queue_name="email")
def deliver_due_mail() -> dict[str, int]:
    """Periodic: retries whose backoff has passed, and rows whose enqueue was lost."""
    from officium.mail.delivery import deliver_due

    return deliver_due()
