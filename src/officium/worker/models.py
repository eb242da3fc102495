from django.db import models

from officium.privacy.registry import exempt


@exempt("Scheduler bookkeeping: job names and times, no person.")
class ScheduledJob(models.Model):
    """When each periodic job last ran; claimed with a conditional UPDATE so two workers
    never enqueue the same run."""

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
