"""PU4: the privacy officer records disclosures to authorities and sees the register."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from officium.accounts.scoping import OrganizationMixin
from officium.privacy import disclosures
from officium.privacy.models import LegalGround


class MemberChoice(forms.ModelMultipleChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.email})"


class DisclosureForm(forms.Form):
    recipient = forms.CharField(label="Authority that received the data", max_length=200)
    legal_ground = forms.ChoiceField(choices=LegalGround.choices)
    reference = forms.CharField(label="Reference of the order or request", max_length=200,
                                required=False)
    disclosed_on = forms.DateField(label="Date of disclosure",
                                   widget=forms.DateInput(attrs={"type": "date"}))
    categories = forms.MultipleChoiceField(label="Kinds of data disclosed",
                                           widget=forms.CheckboxSelectMultiple)
    subjects = MemberChoice(label="Whose data", queryset=get_user_model().objects.none(),
                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, organization: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["categories"]).choices = disclosures.disclosable_categories()
        cast(MemberChoice, self.fields["subjects"]).queryset = get_user_model().objects.filter(
            memberships__organization=organization).order_by("last_name", "first_name", "email")


class DisclosuresView(OrganizationMixin, TemplateView):
    template_name = "privacy/disclosures.html"
    allowed_roles = disclosures.RECORDING_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DisclosureForm(self.organization))
        context["disclosures"] = disclosures.disclosures_for(self.organization.pk)
        context["grounds"] = dict(LegalGround.choices)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DisclosureForm(self.organization, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                disclosures.record_disclosure(
                    self.membership, recipient=data["recipient"], legal_ground=data["legal_ground"],
                    reference=data["reference"], disclosed_on=data["disclosed_on"],
                    categories=data["categories"], subject_ids=[u.pk for u in data["subjects"]])
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "The disclosure is recorded.")
                return redirect("privacy:disclosures", org=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)
