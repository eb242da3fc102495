"""Recovery codes: shown once, kept as hashes, each used once, replaced as a set."""

from __future__ import annotations

import secrets

from django.utils import timezone

from officium.accounts.mfa.models import RecoveryCode, RecoveryDevice

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper, typed by hand
LENGTH = 16  # 16 symbols of 31: about 79 bits each


def normalize(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def formatted(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def replace_codes(device: RecoveryDevice) -> list[str]:
    """A new set of codes for ``device``; earlier codes stop working. Returns them formatted."""
    raw = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    device.codes.all().delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_hash=RecoveryCode.hash(r))
                                     for r in raw)
    return [formatted(r) for r in raw]


def use_code(device: RecoveryDevice, code: str) -> bool:
    """Spend ``code`` if it is one of the device's unused codes (one request wins a race)."""
    normalized = normalize(code)
    if len(normalized) != LENGTH:
        return False
    return RecoveryCode.objects.filter(
        device=device, code_hash=RecoveryCode.hash(normalized), used_at=None,
    ).update(used_at=timezone.now()) == 1


def remaining(device: RecoveryDevice | None) -> int:
    return 0 if device is None else device.codes.filter(used_at=None).count()
