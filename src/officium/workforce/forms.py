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
