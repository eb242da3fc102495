from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def cookie_banner(context: Any) -> dict[str, Any] | None:
    """What the first-visit banner shows, or None when this browser/person already chose."""
    request = context.get("request")
    if request is None or not hasattr(request, "cookie_choice"):
        return None
    from officium.privacy.consent import catalogue
    from officium.privacy.consent.middleware import needs_cookie_banner

    if request.path.startswith("/privacy/cookies/") or not needs_cookie_banner(request):
        return None
    optional = [c for c in catalogue.cookie_categories() if c.kind != catalogue.STRICTLY_NECESSARY]
    if not optional:
        return None
    return {"optional": optional, "signal": getattr(request, "privacy_signal", None),
            "next": request.get_full_path()}


@register.simple_tag(takes_context=True)
def new_consent_purposes(context: Any) -> list[Any]:
    """PU2: purposes added since the person's last accepted version, not yet decided."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from officium.privacy.consent.services import purposes_to_ask

    return purposes_to_ask(user)


@register.filter
def cookie_label(kind: str) -> str:
    from officium.privacy.policy.wording import COOKIES

    return COOKIES.get(kind, kind.replace("_", " ").capitalize())
