"""`officium keys rotate [SUBJECT_ID ...]` and `officium keys rewrap`.

``rotate`` adds a new data-key version for the named subjects (or every subject with a
key): new values are sealed with it, older versions stay to open older values. ``rewrap``
is the master-key rotation: set the new key in OFFICIUM_MASTER_KEY and the old one in
OFFICIUM_RETIRED_MASTER_KEYS, run it, then drop the old key. No field is re-encrypted.
"""

from __future__ import annotations

from officium.privacy.vault import keys

USAGE = "usage: officium keys rotate [SUBJECT_ID ...] | officium keys rewrap"


def main(args: list[str]) -> int:
    if not args or args[0] not in {"rotate", "rewrap"}:
        print(USAGE)
        return 0 if args and args[0] in {"-h", "--help"} else 2
    if args[0] == "rewrap":
        print(f"rewrapped {keys.rewrap_all()} key(s) under {keys.kms().key_id}")
        return 0
    from officium.privacy.vault.models import SubjectKey

    try:
        subjects = [int(a) for a in args[1:]]
    except ValueError:
        print("subject ids are integers")
        return 2
    if not subjects:
        subjects = list(SubjectKey.objects.values_list("subject_id", flat=True).distinct())
    for subject in subjects:
        keys.add_version(keys.SUBJECT, subject)
    print(f"rotated {len(subjects)} subject key(s)")
    return 0

