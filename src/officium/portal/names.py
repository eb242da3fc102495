"""What a file or folder name may be: one path segment, printable, of a sane length.

A name is shown to members and support and used as a download's file name, so it must never
be a path (``../x``, ``a/b``, ``C:\\x``), carry control or bidirectional-override characters
(which disguise ``exe`` as ``txt``; the check shared by every name is ``officium.text``),
or be blank.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

from officium.text import validate_name

MAX_NAME_LENGTH = 255
MAX_EXTENSION_LENGTH = 32


def clean_name(value: object, field: str = "name") -> str:
    """The name, NFC-normalized, or ``ValidationError({field: why})``."""
    if not isinstance(value, str):
        raise ValidationError({field: "Give a name."})
    name = unicodedata.normalize("NFC", value)
    if not name.strip():
        raise ValidationError({field: "The name is empty."})
    validate_name(name, field)  # first: a lone surrogate cannot even be encoded
    if len(name) > MAX_NAME_LENGTH or len(name.encode()) > 4 * MAX_NAME_LENGTH:
        raise ValidationError({field: f"The name is longer than {MAX_NAME_LENGTH} characters."})
    if "/" in name or "\\" in name or name.strip() in {".", ".."} or ":" in name[1:2]:
        raise ValidationError({field: "The name must not be a path: no / or \\, not . or .."})
    if name != name.strip():
        raise ValidationError({field: "The name must not start or end with a space."})
    return name


def extension_of(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > MAX_EXTENSION_LENGTH:
        return ""
    return suffix.lower()
