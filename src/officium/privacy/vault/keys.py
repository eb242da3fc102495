"""Data keys of subjects and organizations: created on first use, cached unwrapped, destroyed.

``subject_key(subject_id)`` returns a :class:`Keys` (every version of the subject's data
key; seals with the newest). Keys are wrapped by the KMS named in ``settings.VAULT_KMS``
(default: :class:`~officium.privacy.vault.kms.LocalKMS` over ``OFFICIUM_MASTER_KEY``) with a
context naming the owner and version, so a wrapped key copied to another row is useless.

Unwrapped keys live in a bounded per-process cache for ``CACHE_SECONDS``; ``forget`` drops
an owner's entry (shredding calls it). Every entry is stamped with the shared generation
counter (``revocation.py``) read before its rows were loaded; destroying any key bumps the
counter, so in every process on the machine the next use of an older entry checks its key
ids against the shred ledger first, and a destroyed key stops opening at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from officium.privacy.vault import revocation
from officium.privacy.vault.crypto import (
    FieldCipher,
    FieldKeyring,
    derive_subkey,
    generate_data_key,
    pack_parts,
)
from officium.privacy.vault.kms import KeyManagementService, LocalKMS, master_key_from_text

CACHE_SIZE: Final = 4096
CACHE_SECONDS: Final = 300.0
SUBJECT: Final = "subject"
ORGANIZATION: Final = "organization"
SERVICE: Final = "service"
BLIND_INDEX_KEY: Final = "blind-index"


class KeyDestroyed(LookupError):
    """The owner's key is gone (shredded): what it sealed can no longer be read."""


@dataclass(frozen=True, slots=True)
class Keys:
    """Every version of one owner's data key. Seal with ``current``; open with any."""

    kind: str
    owner: int | str
    keys: Mapping[int, bytes]
    current_version: int
    keyring: FieldKeyring
    cipher: FieldCipher  # the current version's cipher: the sealing fast path
    kids: frozenset[str] = frozenset()
    """The key ids (``WrappedKey.kid``) these keys were loaded from: what the shred ledger names."""
    openers: dict[int, Callable[[bytes], bytes]] = field(default_factory=dict, compare=False)
    """Per field (by id), the current cipher bound to that field's associated data: opening a
    value is then one AEAD call. They live and die with these keys (a shred drops both)."""

    def __repr__(self) -> str:
        return f"Keys({self.kind} {self.owner}, versions={sorted(self.keys)})"

    @property
    def current(self) -> bytes:
        """The newest data key (to wrap a file or space key under it, say)."""
        return self.keys[self.current_version]

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        return self.keyring.encrypt(plaintext, aad)

    def decrypt(self, token: bytes, aad: bytes) -> bytes:
        return self.keyring.decrypt(token, aad)


# --- the KMS seam -----------------------------------------------------------------------

def kms() -> KeyManagementService:
    """The configured KMS (``settings.VAULT_KMS``: a dotted path to a zero-argument factory)."""
    path = getattr(settings, "VAULT_KMS", "officium.privacy.vault.keys.local_kms")
    return _kms_from(path, settings.OFFICIUM_MASTER_KEY,
                     tuple(getattr(settings, "OFFICIUM_RETIRED_MASTER_KEYS", ())))


@lru_cache(maxsize=4)
def _kms_from(path: str, master_text: str, retired: tuple[str, ...]) -> KeyManagementService:
    factory = import_string(path)
    kms: KeyManagementService = factory()
    return kms


def local_kms() -> LocalKMS:
    """LocalKMS over OFFICIUM_MASTER_KEY, plus retired master keys that still unwrap."""
    retired = [master_key_from_text(t) for t in getattr(settings, "OFFICIUM_RETIRED_MASTER_KEYS", ())]
    return LocalKMS(master_key_from_text(settings.OFFICIUM_MASTER_KEY), retired_keys=retired)


def context_for(kind: str, owner: int | str, version: int) -> bytes:
    """What a wrapped key is bound to: its kind, owner and version."""
    return pack_parts("officium/vault/key", kind, str(owner), version)


# --- the per-process cache --------------------------------------------------------------

class _Cache:
    """Entries are ``(expires, generation, keys)``; an entry is used as is only while the
    shared generation has not moved since it was stamped."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, int | str], tuple[float, int, Keys]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: tuple[str, int | str]) -> Keys | None:
        """Lock-free read for the hot path (a dict lookup is atomic); no LRU bookkeeping."""
        item = self._items.get(key)
        if item is None or item[1] != revocation.generation() or item[0] < time.monotonic():
            return None
        return item[2]

    def get(self, key: tuple[str, int | str]) -> Keys | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            generation = revocation.generation()
            if item[1] != generation:
                if not _still_valid(item[2]):
                    del self._items[key]
                    return None
                item = self._items[key] = (item[0], generation, item[2])
            self._items.move_to_end(key)
            return item[2]

    def put(self, key: tuple[str, int | str], value: Keys, generation: int) -> None:
        """``generation`` is the one read before the key rows were: a key destroyed while
        they were loaded leaves the entry stale, to be checked on its next use."""
        with self._lock:
            self._items[key] = (time.monotonic() + CACHE_SECONDS, generation, value)
            self._items.move_to_end(key)
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)

    def forget(self, key: tuple[str, int | str]) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _still_valid(keys: Keys) -> bool:
    """After some key somewhere was destroyed: is none of these keys in the shred ledger?"""
    from officium.privacy.vault import ledger

    return not (keys.kids & ledger.destroyed_kids())


_cache = _Cache()


def forget(kind: str, owner: int | str) -> None:
    """Drop an owner's unwrapped keys from this process (after destroying or rotating them)."""
    _cache.forget((kind, _owner(kind, owner)))


def clear_cache(**kwargs: Any) -> None:
    """Drop every cached key (also connected to post_migrate, which a test flush sends)."""
    _cache.clear()
    _index_cache.clear()


# --- loading and creating keys ----------------------------------------------------------

def _model(kind: str) -> Any:
    from officium.privacy.vault import models

    return {SUBJECT: models.SubjectKey, ORGANIZATION: models.OrganizationKey,
            SERVICE: models.ServiceKey}[kind]


_OWNER_FIELD = {SUBJECT: "subject_id", ORGANIZATION: "organization_id", SERVICE: "name"}


def _owner(kind: str, owner: int | str) -> int | str:
    return str(owner) if kind == SERVICE else int(owner)


def load(kind: str, owner: int | str, *, create: bool = True) -> Keys | None:
    """The owner's keys; created on first use when ``create``; None if absent and not created."""
    owner = _owner(kind, owner)
    cached = _cache.get((kind, owner))
    if cached is not None:
        return cached
    generation = revocation.generation()
    rows = _rows(kind, owner)
    if not rows:
        if not create:
            return None
        rows = [_create(kind, owner, 1)]
    keys = _unwrap(kind, owner, rows)
    _remember((kind, owner), keys, generation)
    return keys


def _remember(key: tuple[str, int | str], keys: Keys, generation: int) -> None:
    """Cache only keys whose rows are committed: a key row created (or read) inside a
    transaction that rolls back must not outlive it in the cache."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _cache.put(key, keys, generation))
    else:
        _cache.put(key, keys, generation)


def _rows(kind: str, owner: int | str) -> list[Any]:
    from officium.privacy.vault import ledger

    rows = list(_model(kind).objects.filter(**{_OWNER_FIELD[kind]: owner}).order_by("version"))
    destroyed = ledger.destroyed_kids()
    return [row for row in rows if row.kid not in destroyed]


def _create(kind: str, owner: int | str, version: int) -> Any:
    service = kms()
    row = _model(kind)(**{_OWNER_FIELD[kind]: owner}, version=version,
                       wrapped_key=service.wrap(generate_data_key(), context_for(kind, owner, version)),
                       kms_key_id=service.key_id)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # another process created this version first: use theirs
        row = _model(kind).objects.get(**{_OWNER_FIELD[kind]: owner}, version=version)
    return row


def _unwrap(kind: str, owner: int | str, rows: list[Any]) -> Keys:
    service = kms()
    keys = {row.version: service.unwrap(bytes(row.wrapped_key), context_for(kind, owner, row.version))
            for row in rows}
    current = max(keys)
    return Keys(kind, owner, keys, current, FieldKeyring(keys, current), FieldCipher(keys[current], current),
                kids=frozenset(row.kid for row in rows))


def subject_key(subject_id: int, *, create: bool = True) -> Keys | None:
    """The data keys of one data subject (a user id); created on first use."""
    cached = _cache.peek((SUBJECT, subject_id))
    if cached is not None:
        return cached
    return load(SUBJECT, subject_id, create=create)


def organization_key(organization_id: int, *, create: bool = True) -> Keys | None:
    """The data keys of one organization (the portal wraps its space keys under it)."""
    return load(ORGANIZATION, organization_id, create=create)


_index_cache: dict[str, bytes] = {}


def index_key(context: str) -> bytes:
    """The blind-index key of one column. Stable across rotations (version 1 stays in use),
    because an index must match values written before the rotation."""
    cached = _index_cache.get(context)
    if cached is not None and _cache.get((SERVICE, BLIND_INDEX_KEY)) is not None:
        return cached
    keys = load(SERVICE, BLIND_INDEX_KEY)
    if keys is None:  # pragma: no cover  (create=True always returns keys)
        raise KeyDestroyed("the blind-index key is missing")
    derived = derive_subkey(keys.keys[min(keys.keys)], f"blind-index:{context}")
    if _cache.get((SERVICE, BLIND_INDEX_KEY)) is not None:
        _index_cache[context] = derived
    return derived


# --- rotation and destruction -----------------------------------------------------------

def add_version(kind: str, owner: int | str) -> int:
    """Rotate: a new key version seals new data; older versions stay to open older data."""
    owner = _owner(kind, owner)
    current = _model(kind).objects.filter(**{_OWNER_FIELD[kind]: owner}).order_by("-version").first()
    version = (current.version if current else 0) + 1
    _create(kind, owner, version)
    forget(kind, owner)
    return version


def rewrap_all(batch: int = 500) -> int:
    """Master-key rotation: rewrap every key row still under a retired master key.

    The data keys do not change, so no field is re-encrypted. Needs the old master key in
    ``OFFICIUM_RETIRED_MASTER_KEYS`` while this runs. Returns the number of rows rewrapped.
    """
    service = kms()
    needs = getattr(service, "needs_rewrap", None)
    done = 0
    for kind in (SUBJECT, ORGANIZATION, SERVICE):
        model = _model(kind)
        for row in model.objects.exclude(kms_key_id=service.key_id).iterator(chunk_size=batch):
            wrapped = bytes(row.wrapped_key)
            if needs is not None and not needs(wrapped):
                continue
            owner = getattr(row, _OWNER_FIELD[kind])
            context = context_for(kind, owner, row.version)
            fresh = service.wrap(service.unwrap(wrapped, context), context)
            model.objects.filter(pk=row.pk, kid=row.kid).update(wrapped_key=fresh,
                                                                kms_key_id=service.key_id)
            done += 1
    return done


def discard_unwrappable() -> int:
    """After a restore accepted with a master key that does not match: key rows the KMS cannot
    unwrap open nothing ever again; they are destroyed like shredded keys (named in the shred
    ledger), so what they sealed reads as erased instead of failing, and owners get new keys."""
    from officium.privacy.vault import ledger
    from officium.privacy.vault.kms import KeyUnwrapError

    service = kms()
    discarded = 0
    for kind in (SUBJECT, ORGANIZATION, SERVICE):
        model = _model(kind)
        lost: dict[int | str, list[str]] = {}
        for row in model.objects.iterator(chunk_size=500):
            owner = getattr(row, _OWNER_FIELD[kind])
            try:
                service.unwrap(bytes(row.wrapped_key), context_for(kind, owner, row.version))
            except KeyUnwrapError:
                lost.setdefault(owner, []).append(row.kid)
        for owner, kids in lost.items():
            ledger.record(kind, owner, kids)  # named first, as when shredding
            discarded += model.objects.filter(kid__in=kids).delete()[0]
    clear_cache()
    return discarded


def destroy(kind: str, owner: int | str) -> list[str]:
    """Delete every key row of the owner; returns the destroyed key ids (for the ledger)."""
    owner = _owner(kind, owner)
    rows = _model(kind).objects.filter(**{_OWNER_FIELD[kind]: owner})
    kids = list(rows.values_list("kid", flat=True))
    rows.delete()
    forget(kind, owner)
    return kids
