"""Background work of the rights app (django-tasks, queue "privacy")."""

from django_tasks import task


@task(queue_name="privacy")
def execute_request(request_id: int) -> str:
    from officium.privacy.rights.execution import run

    return run(request_id)


@task(queue_name="privacy")
def rights_housekeeping() -> dict[str, int]:
    """Periodic: finish what a dead worker left, remind officers of due dates, delete
    expired export files."""
    from officium.privacy.rights.execution import resume_stalled
    from officium.privacy.rights.reminders import purge_expired_exports, send_reminders

    return {"resumed": len(resume_stalled()), "reminded": send_reminders(),
            "purged": purge_expired_exports()}
