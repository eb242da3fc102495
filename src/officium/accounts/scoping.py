"""Request scoping in one place.

Every organization page inherits ``OrganizationMixin`` and every API handler calls
``membership_for``. Both resolve the organization from the URL *through the user's own
membership*, so another tenant's slug, or an object of another tenant looked up with
``scoped_get``, answers 404 exactly like something that does not exist.

Lists are scoped once too (NetBox's ``restrict()`` in its base views): a page calls
``self.scoped(queryset)``, an API handler ``restrict(queryset, membership)``. Both keep the
organization's rows; a page that declares ``purpose = "..."`` (or a handler passing
``purpose=``) reads through ``for_purpose``, so the purpose's rules, the subject filters and
the audit of sensitive reads apply as well. No view filters ``organization=`` by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from officium.accounts.models import Membership, Organization, User

T = TypeVar("T", bound=models.Model)


class SignedInRequest(HttpRequest):
    """The request a view sees behind ``login_required`` (or API authentication): its user is
    an account, never the anonymous user. For annotations only; Django builds the request."""

    user: User


def resolve_membership(request: HttpRequest, user: Any, org_slug: str) -> Membership | None:
    """The user's membership of the organization ``org_slug`` (None when there is none),
    looked up once per request: the API's tenant gate and the handler share it."""
    from officium.accounts.models import Membership, OrganizationStatus

    cached = getattr(request, "_officium_membership", None)
    if cached is not None and cached.user_id == user.pk and cached.organization.slug == org_slug:
        return cached  # type: ignore[no-any-return]
    membership = (
        Membership.objects.select_related("organization", "user")
        .filter(organization__slug=org_slug, user=user)
        .exclude(organization__status=OrganizationStatus.DELETED)
        .first()
    )
    request._officium_membership = membership  # type: ignore[attr-defined]
    return membership


def membership_for(request: HttpRequest, org_slug: str, *roles: str) -> Membership:
    """The acting user's membership of the organization named in the URL, or 404.

    With ``roles``, a member whose role is not among them gets 403: the organization is theirs,
    the page is not.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    membership = resolve_membership(request, user, org_slug)
    if membership is None:
        raise Http404
    if roles and membership.role not in roles:
        raise PermissionDenied("Your role in this organization does not allow this.")
    return membership


def scoped_get(queryset: models.QuerySet[T], organization: Organization, **lookup: Any) -> T:
    """Look an object up inside one organization; anything else is 404."""
    return get_object_or_404(queryset.filter(organization=organization), **lookup)


def restrict(queryset: models.QuerySet[T], membership: Membership,
             purpose: str | None = None) -> models.QuerySet[T]:
    """The rows of ``queryset`` the acting membership may see: its organization's, and with a
    ``purpose`` only those ``for_purpose`` lets through (rules, subject filters, audited reads).

    A purpose on a model without a purpose-bound manager is a programming error (TypeError),
    never a silent unfiltered read."""
    if purpose:
        for_purpose = getattr(queryset, "for_purpose", None)
        if for_purpose is None:
            raise TypeError(f"{queryset.model.__name__} has no purpose-bound queryset "
                            "(objects = PurposeManager())")
        restricted: models.QuerySet[T] = for_purpose(membership, purpose)
        return restricted
    return queryset.filter(organization_id=membership.organization_id)


class OrganizationMixin(LoginRequiredMixin):
    """Base for organization pages: sets ``self.organization`` and ``self.membership``."""

    allowed_roles: tuple[str, ...] = ()
    # The declared purpose of a page that reads personal data: ``scoped`` then reads through
    # ``for_purpose`` (e.g. purpose = "attendance-management").
    purpose: str | None = None
    organization: Organization
    membership: Membership

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_for(request, kwargs["org"], *self.allowed_roles)
        self.organization = self.membership.organization
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, queryset: models.QuerySet[T]) -> models.QuerySet[T]:
        """``queryset`` restricted to this organization (and to the page's purpose, if any)."""
        return restrict(queryset, self.membership, self.purpose)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(organization=self.organization, membership=self.membership)
        return context
