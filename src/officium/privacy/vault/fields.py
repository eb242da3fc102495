"""Model fields whose values are sealed under the data subject's key.

The column holds a FieldCipher token (binary); the associated data is the model label, the
field name and the subject id, so a token copied to another row of another subject, another
field or another model fails to decrypt. The subject comes from the model's registry path
(``subject="member__user"`` reads ``instance.member.user_id``; ``SELF`` is the row's pk), or
from the field's own ``subject=`` argument.

Reading is lazy: a loaded row holds the token, and the first attribute access decrypts it.
A row whose subject key was destroyed (shredded) reads as :data:`ERASED` (text: a string
showing "[erased]", never sealed again on save) or ``None`` (numbers, so arithmetic code
keeps working), so list pages keep working; exports and the rights records pages write
"[erased]" for every type (``rights.records``); :func:`open_value` and a tampered or moved token
raise. ``QuerySet.update()`` and ``filter()`` cannot encrypt (no row, no subject): save the
instance, and look values up through a :class:`BlindIndexField`.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from django import forms
from django.db import models
from django.db.models.signals import post_save
from django.utils.module_loading import import_string

from officium.privacy.registry import SELF, registration_for
from officium.privacy.vault import keys as vault_keys
from officium.privacy.vault.crypto import DecryptionError, blind_index, field_aad

_DOUBLE = struct.Struct(">d")


class Erased(str):
    """Shown in place of a value whose subject key was destroyed."""

    __slots__ = ()


ERASED = Erased("[erased]")


class Sealed:
    """A token as read from the database, not yet opened."""

    __slots__ = ("token",)

    def __init__(self, token: bytes) -> None:
        self.token = token

    def __repr__(self) -> str:
        return f"Sealed({len(self.token)} bytes)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    __hash__ = None  # type: ignore[assignment]


def normalize_phone(value: str) -> str:
    """Index phone numbers by digits and a leading +, so spacing and dashes do not matter."""
    return re.sub(r"[^\d+]", "", value)


class _Descriptor:
    """Stores what is assigned; decrypts a loaded token on first read."""

    def __init__(self, field: EncryptedField) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        name = self.field.attname
        data = instance.__dict__
        if name not in data:
            instance.refresh_from_db(fields=[name])
        value = data[name]
        if type(value) is not Sealed:
            return value
        opened = data.get(self.field.opened_name)
        if opened is not None and opened[0] is value:
            return opened[1]
        plain = self.field.reveal(instance, value)
        data[self.field.opened_name] = (value, plain)
        return plain

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.BinaryField[Any, Any]):
    """Base of the encrypted fields; subclasses say how values become bytes."""

    erased_value: Any = None
    empty_value: Any = None

    def __init__(self, *args: Any, subject: str | None = None, **kwargs: Any) -> None:
        self.subject_path = subject
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)
        self._aads: dict[int, bytes] = {}

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.subject_path is not None:
            kwargs["subject"] = self.subject_path
        if kwargs.get("editable") is True:
            kwargs.pop("editable")
        return name, path, args, kwargs

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _Descriptor(self))
        if not cls._meta.abstract:
            post_save.connect(self._seal_pending, sender=cls, weak=False,
                              dispatch_uid=f"vault-pending-{cls._meta.label}-{name}")

    @property
    def opened_name(self) -> str:
        return f"_vault_opened_{self.attname}"

    @property
    def pending_name(self) -> str:
        return f"_vault_pending_{self.attname}"

    # --- bytes <-> values (subclasses) ---

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, raw: bytes) -> Any:
        raise NotImplementedError

    def decode_column(self, raws: list[bytes | None]) -> list[Any]:
        """Decode a whole opened column (an export); subclasses may do it in one C call."""
        decode = self.decode
        return [None if raw is None else decode(raw) for raw in raws]

    def is_empty(self, value: Any) -> bool:
        return value is None

    # --- whose key, which associated data ---

    def subject_id_of(self, instance: Any) -> int | None:
        path = self.subject_path
        if path is None:
            registration = registration_for(type(instance)) or registration_for(self.model)
            if registration is None:
                raise TypeError(f"{self.model._meta.label}.{self.name}: register the model with "
                                "@personal_data or pass subject= to the field")
            path = registration.subject
            self.subject_path = path
        if path == SELF:
            return instance.pk  # type: ignore[no-any-return]
        obj = instance
        parts = path.split("__")
        for part in parts[:-1]:
            obj = getattr(obj, part)
            if obj is None:
                return None
        last = obj._meta.get_field(parts[-1])
        return getattr(obj, last.attname)  # type: ignore[no-any-return]

    def aad(self, subject_id: int) -> bytes:
        aad = self._aads.get(subject_id)
        if aad is None:
            if len(self._aads) > 4096:
                self._aads.clear()
            aad = self._aads[subject_id] = field_aad(self.model._meta.label, self.name, subject_id)
        return aad

    # --- sealing and opening ---

    def seal(self, value: Any, subject_id: int) -> bytes:
        """Encrypt a value for a subject (creates the subject's key on first use)."""
        keys = vault_keys.subject_key(subject_id)
        if keys is None:  # pragma: no cover  (create=True always returns keys)
            raise vault_keys.KeyDestroyed(f"no key for subject {subject_id}")
        return keys.cipher.encrypt(self.encode(value), self.aad(subject_id))

    def open(self, token: bytes, subject_id: int) -> Any:
        """Decrypt; raises KeyDestroyed when the subject key is gone, DecryptionError if the
        token is tampered with or belongs elsewhere."""
        keys = vault_keys.subject_key(subject_id, create=False)
        if keys is None:
            raise vault_keys.KeyDestroyed(f"no key for subject {subject_id}")
        opener = keys.openers.get(id(self))
        if opener is None:
            opener = keys.openers[id(self)] = keys.cipher.opener(self.aad(subject_id))
        try:  # sealed with the current version: the common case
            return self.decode(opener(token))
        except DecryptionError:
            if len(keys.keys) == 1:
                raise
        return self.decode(keys.keyring.decrypt(token, self.aad(subject_id)))

    def open_column(self, tokens: list[Any], subject_id: int) -> list[Any]:
        """Decrypt many values of this field of one subject (an export, a batch): the key is
        looked up once, one AEAD call per value, decoded in bulk; None stays None. Raises
        KeyDestroyed like ``open``; values sealed under an older key version take ``open``.
        ``tokens`` are the stored bytes (a ``Sealed`` value's ``token``)."""
        keys = vault_keys.subject_key(subject_id, create=False)
        if keys is None:
            raise vault_keys.KeyDestroyed(f"no key for subject {subject_id}")
        try:
            return self.decode_column(keys.cipher.open_column(tokens, self.aad(subject_id)))
        except DecryptionError:
            return [None if t is None else self.open(bytes(t), subject_id) for t in tokens]

    def reveal(self, instance: Any, sealed: Sealed) -> Any:
        subject_id = self.subject_id_of(instance)
        if subject_id is None:
            return self.erased_value
        try:
            return self.open(sealed.token, subject_id)
        except vault_keys.KeyDestroyed:
            return self.erased_value

    # --- Django plumbing ---

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return self.empty_value
        return Sealed(bytes(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_default(self) -> Any:
        if self.has_default():
            return super().get_default()
        return self.empty_value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or (self.is_empty(value) and not isinstance(value, Sealed)):
            return None
        if isinstance(value, Sealed):
            return value.token
        if isinstance(value, (bytes, memoryview)):
            return bytes(value)
        raise TypeError(f"{self.model._meta.label}.{self.name} is encrypted: save the instance "
                        "(update() and filter() cannot encrypt); look values up by blind index")

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return connection.Database.Binary(value)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        model_instance.__dict__.pop(self.pending_name, None)
        if isinstance(value, Sealed):
            return value
        if isinstance(value, Erased) or self.is_empty(value):
            return None
        subject_id = self.subject_id_of(model_instance)
        if subject_id is None:
            if self.subject_path == SELF:  # no pk before INSERT: seal right after it
                model_instance.__dict__[self.pending_name] = value
                return None
            raise ValueError(f"{self.model._meta.label}.{self.name}: the row has no data subject")
        token = self.seal(value, subject_id)
        model_instance.__dict__[self.opened_name] = (sealed := Sealed(token), value)
        model_instance.__dict__[self.attname] = sealed
        return sealed

    def _seal_pending(self, sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        value = instance.__dict__.pop(self.pending_name, None)
        if value is None or raw:
            return
        token = self.seal(value, instance.pk)
        sender._base_manager.filter(pk=instance.pk).update(**{self.attname: Sealed(token)})
        sealed = Sealed(token)
        instance.__dict__[self.attname] = sealed
        instance.__dict__[self.opened_name] = (sealed, value)

    def value_from_object(self, obj: Any) -> Any:
        return getattr(obj, self.attname)

    def value_to_string(self, obj: Any) -> str:
        raise TypeError("encrypted fields are not serialized in the clear")


class EncryptedTextField(EncryptedField):
    """Text sealed under the subject's key; empty text is stored as NULL (no ciphertext)."""

    erased_value = ERASED
    empty_value = ""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.text_max_length = max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.text_max_length is not None:
            kwargs["max_length"] = self.text_max_length
        return name, path, args, kwargs

    def is_empty(self, value: Any) -> bool:
        return value is None or value == ""

    def encode(self, value: Any) -> bytes:
        return value.encode() if type(value) is str else str(value).encode("utf-8")

    def decode(self, raw: bytes) -> str:
        return raw.decode("utf-8")

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {"form_class": forms.CharField, "max_length": self.text_max_length,
                                    "required": not self.blank}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class EncryptedFloatField(EncryptedField):
    """A float (a coordinate, say) sealed under the subject's key; None stays NULL."""

    def encode(self, value: Any) -> bytes:
        return _DOUBLE.pack(float(value))

    def decode(self, raw: bytes) -> float:
        return float(_DOUBLE.unpack(raw)[0])

    def decode_column(self, raws: list[bytes | None]) -> list[Any]:
        present = [raw for raw in raws if raw is not None]
        if any(len(raw) != _DOUBLE.size for raw in present):
            return super().decode_column(raws)  # let decode() report the odd one
        values = struct.unpack(f">{len(present)}d", b"".join(present))
        if len(present) == len(raws):
            return list(values)
        remaining = iter(values)
        return [None if raw is None else next(remaining) for raw in raws]

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {"form_class": forms.FloatField, "required": not self.blank}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class BlindIndexField(models.CharField[Any, Any]):
    """A keyed HMAC of another encrypted field's value, for exact lookups.

    ``BlindIndexField(source="phone", normalize="officium.privacy.vault.fields.normalize_phone")``
    fills itself on save; query with ``filter(phone_index=index_for(User, "phone", value))``.
    """

    def __init__(self, *args: Any, source: str, normalize: str | None = None, **kwargs: Any) -> None:
        self.source = source
        self.normalize = normalize
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.normalize:
            kwargs["normalize"] = self.normalize
        for key, default in (("max_length", 32), ("null", True), ("blank", True),
                             ("db_index", True), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def index(self, value: str) -> str:
        text = str(value)
        if self.normalize:
            text = import_string(self.normalize)(text)
        context = f"{self.model._meta.label}.{self.source}"
        return blind_index(vault_keys.index_key(context), text, context)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = model_instance.__dict__.get(self.source)
        if isinstance(value, Sealed):
            opened = model_instance.__dict__.get(f"_vault_opened_{self.source}")
            if opened is None or opened[0] is not value:
                return getattr(model_instance, self.attname)  # unchanged since loaded
            value = opened[1]
        pending = model_instance.__dict__.get(f"_vault_pending_{self.source}")
        value = pending if pending is not None else value
        if value is None or value == "" or isinstance(value, Erased):
            setattr(model_instance, self.attname, None)
            return None
        digest = self.index(value)
        setattr(model_instance, self.attname, digest)
        return digest


def index_for(model: type[models.Model], source: str, value: str) -> str:
    """The blind-index value to filter on for ``value`` of ``model.source``."""
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source == source:
            return field.index(value)
    raise LookupError(f"{model._meta.label}.{source} has no blind index")


def open_value(model: type[models.Model], field_name: str, subject_id: int,
               token: bytes | memoryview | Sealed) -> Any:
    """Decrypt a raw column value (from ``values_list``, say). Raises when it cannot."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, EncryptedField):
        raise TypeError(f"{model._meta.label}.{field_name} is not encrypted")
    if isinstance(token, Sealed):
        token = token.token
    return field.open(bytes(token), subject_id)


def reveal_value(model: type[models.Model], field_name: str, subject_id: int, token: Any) -> Any:
    """Like :func:`open_value`, but a destroyed key gives the field's erased sentinel."""
    field = model._meta.get_field(field_name)
    if token is None or (not isinstance(token, (Sealed, bytes, memoryview))):
        return token
    try:
        return open_value(model, field_name, subject_id, token)
    except vault_keys.KeyDestroyed:
        return field.erased_value if isinstance(field, EncryptedField) else None
