"""The material-change banner (NO2): shown on every page until the person answers."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_policy_version(context: Any) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/privacy/versions/"):
        return None
    from officium.privacy.notices.versions import pending_version

    return pending_version(user)
