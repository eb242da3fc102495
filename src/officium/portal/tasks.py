"""The portal's worker tasks: the trash, the arrival digests and imports."""

from __future__ import annotations

from django_tasks import task


@task()
def empty_trash() -> int:
    from officium.portal.files import empty_trash as run

    return run()


@task()
def send_digests() -> int:
    from officium.portal.notices import send_digests as run

    return run()


@task()
def run_import(job_id: int) -> str:
    from officium.portal.imports import run_job

    return run_job(job_id)
