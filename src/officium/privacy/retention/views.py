"""RE4: the privacy officer's legal holds page: place and release holds for the organization."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from officium.accounts.scoping import OrganizationMixin
from officium.privacy import staff
from officium.privacy.retention import holds
from officium.privacy.retention.models import HoldReason, LegalHold


class HoldForm(forms.Form):
    member: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Everyone in the organization",
        help_text="Whose data the hold keeps.")
    data_type = forms.ChoiceField(required=False, help_text="Which kind of data (all if empty).")
    reason_kind = forms.ChoiceField(choices=HoldReason.choices, label="Reason")
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             label="Details", help_text="The case, the law or the record that requires it.")
    until = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Keep until")

    def __init__(self, organization: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["member"]).queryset = staff.members(organization)
        cast(forms.ChoiceField, self.fields["data_type"]).choices = [("", "All data"), *holds.data_type_choices()]


class HoldsView(OrganizationMixin, View):
    allowed_roles = tuple(staff.PRIVACY_STAFF)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.page(HoldForm(self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = HoldForm(self.organization, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                holds.place_hold(actor_id=request.user.pk, organization_id=self.organization.pk,
                                 subject_id=data["member"].user_id if data["member"] else None,
                                 data_type=data["data_type"], reason_kind=data["reason_kind"],
                                 reason=data["reason"], until=data["until"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "The legal hold is in place.")
                return redirect("retention:holds", org=self.organization.slug)
        return self.page(form, status=400)

    def page(self, form: HoldForm, status: int = 200) -> HttpResponse:
        rows = self.scoped(LegalHold.objects.all()).order_by("-created_at")
        names = dict(staff.members(self.organization).values_list("user_id", "user__email"))
        listed = [{"hold": h, "subject": names.get(h.subject_id, "a former member") if h.subject_id else "",
                   "active": h.released_at is None} for h in rows]
        return render(self.request, "retention/holds.html", {
            "organization": self.organization, "membership": self.membership, "form": form,
            "holds": listed}, status=status)


class ReleaseHoldView(OrganizationMixin, View):
    allowed_roles = tuple(staff.PRIVACY_STAFF)

    def post(self, request: HttpRequest, *args: Any, hold_id: int, **kwargs: Any) -> HttpResponse:
        hold = self.scoped(LegalHold.objects.all()).filter(pk=hold_id).first()
        if hold is None:
            raise Http404
        holds.release_hold(hold, actor_id=request.user.pk)
        messages.success(request, "The hold is released; its data follows the normal retention again.")
        return redirect("retention:holds", org=self.organization.slug)
