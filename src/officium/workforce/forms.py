"""Page forms for shifts: they parse text into values; the services validate and decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from officium.attendance.forms import WEEKDAYS


class ShiftTypeForm(forms.Form):
    name = forms.CharField(max_length=80)
    start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="Starts at")
    end = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="Ends at")
    overnight = forms.BooleanField(required=False, label="Overnight (ends the next day)")
    break_minutes = forms.IntegerField(min_value=0, initial=0, label="Breaks (minutes)")
    grace_minutes = forms.IntegerField(min_value=0, initial=0, label="Grace (minutes)",
                                       help_text="Lateness or an early leave within this is on time.")
    weekdays = forms.MultipleChoiceField(choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["weekdays"] = [int(d) for d in data.get("weekdays") or []]
        return data

    @staticmethod
    def initial_for(shift: Any) -> dict[str, Any]:
        return {"name": shift.name, "start": shift.start, "end": shift.end, "overnight": shift.overnight,
                "break_minutes": shift.break_minutes, "grace_minutes": shift.grace_minutes,
                "weekdays": [str(d) for d in shift.weekdays]}


class AssignmentForm(forms.Form):
    shift_type = forms.TypedChoiceField(coerce=int, label="Shift")
    member = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Member")
    site = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Or a site")
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From")
    ends_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              label="Until (empty: open-ended)")

    def __init__(self, shifts: Any, members: Any, sites: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["shift_type"]).choices = [(s.pk, f"{s.name} ({s.hours})") for s in shifts]
        cast(forms.ChoiceField, self.fields["member"]).choices = [("", "—"), *((m.pk, str(m.user)) for m in members)]
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", "—"), *((s.pk, s.name) for s in sites)]


class LeaveForm(forms.Form):
    """A member's leave request; field names are the service's, so its errors land on them."""

    leave_type_id = forms.TypedChoiceField(coerce=int, label="Leave type")
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="First day")
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Last day",
                              help_text="Weekends and holidays do not count against your allowance.")
    reason = forms.CharField(required=False, max_length=500, label="Note for your manager (optional)",
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, leave_types: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["leave_type_id"]).choices = [(t.pk, t.name) for t in leave_types]


class CorrectionForm(forms.Form):
    """A member's correction of a check-in record; the time is local wall-clock time in the
    zone shown next to it (the view adds the offset)."""

    kind = forms.ChoiceField(label="What is wrong")
    record_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Record",
                                       help_text="Not needed for a missing check-in.")
    direction = forms.ChoiceField(choices=[("in", "Check-in"), ("out", "Check-out")], required=False,
                                  label="For a missing record: which one", initial="in")
    occurred_at = forms.CharField(label="The right time", widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    reason = forms.CharField(max_length=1000, label="Why", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, kinds: Any, records: Any, zone: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds
        cast(forms.ChoiceField, self.fields["record_id"]).choices = [("", "—"), *records]
        self.fields["occurred_at"].help_text = f"Local time, {zone}."
