from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def announcements(context: Any) -> list[Any]:
    """Announcements (NO3) the person has not dismissed."""
    request = context.get("request")
    if request is None:
        return []
    from officium.comms.services import active_announcements

    return active_announcements(getattr(request, "user", None))
