from __future__ import annotations

from django import forms


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="Code from your authenticator app", regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": "Enter the 6-digit code."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "autofocus": True}))


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label="Recovery code", max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none",
                                      "spellcheck": "false"}))


class PasswordForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
