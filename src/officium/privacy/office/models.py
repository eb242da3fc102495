"""PV5: the breach register (GDPR Art. 33 and 34): what happened, whom it touched, what was done.

A breach, the people it affected (ids, so each can learn of it and be told) and its history
(every step, by whom, when) are kept; the authority's 72-hour clock runs from discovery."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data

AUTHORITY_DEADLINE = timedelta(hours=72)


@exempt("A breach's description, category ids, counts and dates; the people it affected are "
        "BreachSubject rows and the officers who acted are ids.")
class Breach(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    summary = models.CharField(max_length=200, help_text="What happened, in one line.")
    description = models.TextField(help_text="What happened, how it was found.")
    occurred_at = models.DateTimeField(null=True, blank=True)
    discovered_at = models.DateTimeField()
    categories = models.JSONField(default=list, help_text="Ids of the policy's categories.")
    people_count = models.PositiveIntegerField(default=0)
    consequences = models.TextField(help_text="The likely consequences for the people affected.")
    measures = models.TextField(help_text="Measures taken or proposed to address it.")
    high_risk = models.BooleanField(default=False,
                                    help_text="A high risk to people's rights: they must be told (Art. 34).")
    authority_notified_at = models.DateTimeField(null=True, blank=True)
    authority_reference = models.CharField(max_length=200, blank=True)
    late_reason = models.TextField(blank=True, help_text="Why the authority was told after 72 hours.")
    people_notified_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-discovered_at", "-id"]

    def __str__(self) -> str:
        return f"breach #{self.pk}: {self.summary}"

    @property
    def authority_due(self) -> datetime:
        return self.discovered_at + AUTHORITY_DEADLINE

    def time_left(self, now: datetime | None = None) -> timedelta:
        return self.authority_due - (now or timezone.now())

    @property
    def hours_left(self) -> int:
        return int(self.time_left().total_seconds() // 3600)

    @property
    def overdue(self) -> bool:
        return self.authority_notified_at is None and self.time_left() < timedelta(0)


@personal_data(
    subject="subject",
    fields={"organization": NOT_PERSONAL, "breach": NOT_PERSONAL, "subject": NOT_PERSONAL,
            "notified_at": NOT_PERSONAL},
    data_type="breach",
)
class BreachSubject(models.Model):
    """A person a breach affected: they can learn of it, and are told when it is high risk."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="subjects")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["breach", "subject"],
                                               name="one_row_per_breached_subject")]

    def __str__(self) -> str:
        return f"user {self.subject_id} in breach {self.breach_id}"


@exempt("A step in a breach's history: an action code, a note the officer wrote, an actor id.")
class BreachEvent(models.Model):
    # The breach's organization again: a tenant table's foreign key carries organization_id (SC3).
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(max_length=40, choices=[
        ("recorded", "Recorded"), ("authority_notified", "Authority notified"),
        ("people_notified", "People affected told"), ("note", "Note added")])
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} on breach {self.breach_id}"


@exempt("A published aggregate: a dataset's name, its parameters and noisy group counts; the "
        "officer who published it is an id. Made from personal data under differential privacy.")
class Release(models.Model):
    """PV6: statistics made public through differential privacy, with the parameters used."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    dataset = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    since = models.DateField()
    until = models.DateField(help_text="The first day not included.")
    epsilon = models.FloatField(help_text="The privacy loss this release spends.")
    contribution_cap = models.PositiveIntegerField(help_text="Records counted per person and period.")
    sensitivity = models.FloatField()
    scale = models.FloatField(help_text="The Laplace noise scale.")
    threshold = models.PositiveIntegerField(help_text="Groups below this noisy count are withheld.")
    mechanism = models.CharField(max_length=100)
    results = models.JSONField(default=list)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"release #{self.pk}: {self.title}"


@exempt("The organization's own contact details as the controller for its members (postal "
        "address, its data protection officer's work contact): published in its notices.")
class ControllerContact(models.Model):
    """PV2: what the organization, as controller for its members, publishes where its policy
    profile is silent: its postal address and its data protection officer."""

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE,
                                        related_name="+")
    postal_address = models.TextField(blank=True)
    dpo_name = models.CharField(max_length=200, blank=True)
    dpo_email = models.EmailField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"controller contact of organization {self.organization_id}"
