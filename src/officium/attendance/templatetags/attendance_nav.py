"""The privacy-mode switch shown in the header of every page (LO6)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("attendance/privacy_toggle_form.html", takes_context=True)
def privacy_mode_toggle(context: dict[str, Any]) -> dict[str, Any]:
    """The organization in the URL, or the person's only one; nothing when it is ambiguous."""
    from officium.attendance.privacy_mode import privacy_mode_on

    request = context.get("request")
    memberships = context.get("my_memberships") or []
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("org") if match is not None else None
    member = next((m for m in memberships if m.organization.slug == slug), None)
    if member is None and len(memberships) == 1:
        member = memberships[0]
    if member is None or not member.clocks_in:  # WT3: clients have no attendance
        return {"member": None}
    return {"member": member, "on": privacy_mode_on(member),
            "next": request.get_full_path() if request is not None else ""}
