"""The card form: what Officium keeps. The card number is not a field here: the provider's
script draws it and sends it to the provider only; ``payment_method`` is the token it returns."""

from __future__ import annotations

from typing import Any

from django import forms


class CardForm(forms.Form):
    cardholder_name = forms.CharField(label="Cardholder name", max_length=120,
                                      widget=forms.TextInput(attrs={"autocomplete": "cc-name"}))
    address_line = forms.CharField(label="Billing address", max_length=200,
                                   widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    postal_code = forms.CharField(label="Postal code", max_length=20,
                                  widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    city = forms.CharField(label="City", max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    country = forms.CharField(label="Country (two letters)", max_length=2, initial="DE",
                              widget=forms.TextInput(attrs={"autocomplete": "country"}))
    save_card = forms.BooleanField(
        label="Keep this card with the payment provider for future monthly payments", required=False,
        help_text="Optional. Without it, you pay each invoice yourself. You can remove the card at any time.")
    payment_method = forms.CharField(widget=forms.HiddenInput, required=False)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
