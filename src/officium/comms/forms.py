from __future__ import annotations

import uuid
from typing import Any

from django import forms


class _OnceForm(forms.Form):
    """A hidden id per rendered form: a double submit is recognised and stored once."""

    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_id", uuid.uuid4())


class NewsletterForm(forms.Form):
    email = forms.EmailField(label="Email address", help_text="Only your email address is stored.")


class ContactForm(_OnceForm):
    name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address (to answer you)")
    message = forms.CharField(widget=forms.Textarea, max_length=5000)


class SupportForm(_OnceForm):
    topic = forms.CharField(max_length=200)
    message = forms.CharField(widget=forms.Textarea, max_length=5000)


class ComplaintForm(SupportForm):
    pass


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea, max_length=10000)
    close = forms.BooleanField(required=False, label="Close the complaint with this answer")


class TransferForm(forms.Form):
    new_owner = forms.CharField(max_length=150, label="New owner")
    effective_on = forms.DateField(required=False, label="Takes effect on",
                                   widget=forms.DateInput(attrs={"type": "date"}))


class MailSettingsForm(forms.Form):
    host = forms.CharField(max_length=255, label="SMTP host")
    port = forms.IntegerField(min_value=1, max_value=65535, initial=587)
    username = forms.CharField(max_length=255, required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False,
                               help_text="Leave empty to keep the stored password. Stored encrypted.")
    use_tls = forms.BooleanField(required=False, initial=True, label="Use STARTTLS")
    from_address = forms.EmailField(label="From address")
    enabled = forms.BooleanField(required=False, initial=True,
                                 label="Send mail to our clients through this server")
