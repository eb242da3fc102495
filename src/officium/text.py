"""What text a name or title may hold: the one check used by forms, services and the API.

Names travel into places that interpret characters: email subjects and headers (CR/LF
injects headers), file names and listings (bidirectional overrides disguise ``exe`` as
``txt``), PostgreSQL (NUL is refused by the database) and UTF-8 encoders (a lone surrogate
cannot be encoded). A name holding any of them is refused with a message naming the field.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from pydantic import AfterValidator

# Bidirectional formatting characters (Unicode's Bidi_Control property).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control, surrogate, private use, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Zl", "Zp"})
UNSAFE_MESSAGE = "The name contains control or text-direction characters."


def unsafe_character(value: str) -> str | None:
    """The first character a name must not hold, or None."""
    for character in value:
        if character in BIDI_CONTROLS or unicodedata.category(character) in _REFUSED_CATEGORIES:
            return character
    return None


def validate_name(value: str, field: str | None = None) -> str:
    """``value`` if it is a safe name; else ``ValidationError`` (naming ``field`` if given).

    Usable as a Django form/model validator (``validators=[validate_name]``) too.
    """
    if isinstance(value, str) and unsafe_character(value) is not None:
        raise ValidationError({field: UNSAFE_MESSAGE} if field else UNSAFE_MESSAGE,
                              code="unsafe_characters")
    return value


def _pydantic_name(value: str) -> str:
    if unsafe_character(value) is not None:
        raise ValueError(UNSAFE_MESSAGE)
    return value


# A name or title field of an API schema: ``name: SafeName``.
SafeName = Annotated[str, AfterValidator(_pydantic_name)]


# The one check of a phone number (signup, profile, a rectification request).
phone_validator = RegexValidator(r"^\+?[0-9 ()\-]{6,24}$", "Enter a phone number such as +44 20 7946 0958.")
