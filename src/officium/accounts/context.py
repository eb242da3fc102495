from typing import Any

from django.http import HttpRequest

from officium.accounts import navigation as nav

CURRENT_ORG = "officium_current_org"


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header and footer of every page (UX3): the signed-in person's organizations, the one
    they act in (named by the URL, else the last one visited, else their first) and its menu,
    built from their role there by ``accounts.navigation``."""
    footer = nav.footer()
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": [], "nav_sections": [], "footer_links": footer}
    memberships = list(user.memberships.select_related("organization").order_by("organization__name", "pk"))
    current = _current(request, memberships)
    return {"my_memberships": memberships, "current_membership": current,
            "other_memberships": [m for m in memberships if m is not current],
            "nav_sections": nav.sections(user, current, request.path), "footer_links": footer}


def _current(request: HttpRequest, memberships: list[Any]) -> Any:
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("org") if match is not None else None
    session = getattr(request, "session", None)
    by_slug = {m.organization.slug: m for m in memberships}
    if slug in by_slug:
        if session is not None and session.get(CURRENT_ORG) != slug:
            session[CURRENT_ORG] = slug
        return by_slug[slug]
    remembered = session.get(CURRENT_ORG) if session is not None else None
    return by_slug.get(remembered) or (memberships[0] if memberships else None)
