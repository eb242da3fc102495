"""Page forms: they parse text into values; the services validate and decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from officium.attendance.models import EventKind, RepeatCheckIn, Shape, WithoutLocation

WEEKDAYS = [(str(i), name) for i, name in enumerate(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])]


class SiteForm(forms.Form):
    name = forms.CharField(max_length=120)
    shape = forms.ChoiceField(choices=Shape.choices, widget=forms.RadioSelect, initial=Shape.CIRCLE)
    center_latitude = forms.FloatField(required=False, label="Centre latitude",
                                       widget=forms.NumberInput(attrs={"step": "any"}))
    center_longitude = forms.FloatField(required=False, label="Centre longitude",
                                        widget=forms.NumberInput(attrs={"step": "any"}))
    radius_m = forms.FloatField(required=False, label="Radius (metres)",
                                widget=forms.NumberInput(attrs={"step": "any"}))
    polygon = forms.CharField(required=False, label="Polygon corners", widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="One corner per line: latitude, longitude (at least three).")
    schedule_start = forms.TimeField(required=False, label="Working hours from",
                                     widget=forms.TimeInput(attrs={"type": "time"}))
    schedule_end = forms.TimeField(required=False, label="Working hours until",
                                   widget=forms.TimeInput(attrs={"type": "time"}))
    weekdays = forms.MultipleChoiceField(choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple)
    time_zone = forms.CharField(required=False, max_length=64, label="Time zone",
                                help_text="Empty: the organization's. An IANA name such as Europe/Lisbon.")

    def clean_polygon(self) -> list[list[float]] | None:
        text = self.cleaned_data.get("polygon") or ""
        corners = []
        for number, line in enumerate(text.strip().splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace(";", ",").split(",")]
            try:
                if len(parts) != 2:
                    raise ValueError
                corners.append([float(parts[0]), float(parts[1])])
            except ValueError:
                raise ValidationError(f"Line {number}: write latitude, longitude.") from None
        return corners or None

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["weekdays"] = [int(d) for d in data.get("weekdays") or []]
        return data

    @staticmethod
    def initial_for(site: Any) -> dict[str, Any]:
        return {"name": site.name, "shape": site.shape, "center_latitude": site.center_latitude,
                "center_longitude": site.center_longitude, "radius_m": site.radius_m,
                "polygon": "\n".join(f"{lat}, {lon}" for lat, lon in site.polygon),
                "schedule_start": site.schedule_start, "schedule_end": site.schedule_end,
                "weekdays": [str(d) for d in site.weekdays], "time_zone": site.time_zone}


class CheckInForm(forms.Form):
    """Filled by checkin.js: the direction, and the fix if the browser gave one."""

    direction = forms.ChoiceField(choices=[("in", "in"), ("out", "out")])
    site = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    latitude = forms.FloatField(required=False)
    longitude = forms.FloatField(required=False)
    accuracy = forms.FloatField(required=False)

    def __init__(self, sites: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", "Nearest site"), *((s.pk, s.name) for s in sites)]


class ConnectionCodeForm(forms.Form):
    member = forms.TypedChoiceField(coerce=int, label="Member")

    def __init__(self, members: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["member"]).choices = [(m.pk, str(m.user)) for m in members]


class DeviceProfileForm(forms.Form):
    location_kinds = forms.MultipleChoiceField(
        choices=EventKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label="Events the device may send with a location")


class SettingsForm(forms.Form):
    without_location = forms.ChoiceField(
        choices=WithoutLocation.choices, widget=forms.RadioSelect,
        label="Check-ins without a location (privacy mode, permission denied, no GPS)")
    repeat_check_in = forms.ChoiceField(
        choices=RepeatCheckIn.choices, widget=forms.RadioSelect,
        label="A check-in while already checked in")
    location_retention_days = forms.IntegerField(
        required=False, min_value=1, label="Keep locations for (days)",
        help_text="Empty: the policy's period for your plan.")
