"""Form helpers every layer's pages share. Below the engine, so the privacy pages and the
apps show a service's refusal on a form the same way."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def apply_form_errors(form: Any, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
