"""``officium policy publish`` (Django side): publish the active policy if it changed."""

from __future__ import annotations

from officium.privacy.notices.versions import publish


def main(args: list[str]) -> int:
    version, created = publish()
    if not created:
        print(f"{version.profile}: unchanged, version {version.number} is current")
        return 0
    kind = "material" if version.material else "minor"
    print(f"{version.profile}: published version {version.number} ({kind}), "
          f"effective {version.effective_date.isoformat()}")
    for reason in version.changes:
        print(f"  - {reason}")
    return 0
