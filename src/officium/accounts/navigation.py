"""One navigation, built from each role's rights (UX3).

``ENTRIES`` is the whole menu: each line names a label, a URL name and who sees it. A feature
adds its page with one line; nothing else decides what the header shows. ``who`` is a tuple of
roles (an organization page: its URL takes ``org``), ``ACCOUNT`` (a page of one's own account,
for everyone signed in) or ``PLATFORM`` (platform staff). An entry whose URL name does not
resolve (its app is not installed) is left out, so a line may land before its page does.

The test ``tests/test_navigation.py`` walks every demo role's menu and fails on a link that
answers 403, 404 or 500, and on a page no role can reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

from officium.accounts.roles import ADMINISTRATORS, PRIVACY_STAFF, WORKING_ROLES, Role

if TYPE_CHECKING:
    from officium.accounts.models import Membership, User

ACCOUNT = "account"
PLATFORM = "platform"
Who = tuple[str, ...] | str

MEMBERS = tuple(Role)  # everyone in the organization, client contacts included
EDITORS = (Role.OWNER, Role.ADMIN, Role.MANAGER)
OFFICE = (Role.OWNER, Role.ADMIN, Role.PRIVACY_OFFICER)  # the audit log and data map: admins too


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    who: Who
    section: str


# Sections, in menu order.
TODAY, TEAM, PRIVACY_OFFICE, ORGANIZATION, ME, PLATFORM_SECTION = (
    "Today", "Team", "Privacy office", "Organization", "Me", "Platform")

ENTRIES: tuple[Entry, ...] = (
    # Today: one's own day and work.
    Entry("Dashboard", "accounts:dashboard", MEMBERS, TODAY),
    Entry("Check in", "attendance:check_in", WORKING_ROLES, TODAY),
    Entry("My time", "workforce:timesheets", WORKING_ROLES, TODAY),
    Entry("My leave", "workforce:leave", WORKING_ROLES, TODAY),
    Entry("My corrections", "workforce:corrections", WORKING_ROLES, TODAY),
    Entry("Tasks", "fieldwork:tasks", WORKING_ROLES, TODAY),
    Entry("Jobs offered", "fieldwork:bids", WORKING_ROLES, TODAY),
    Entry("Phone app", "fieldwork:app", WORKING_ROLES, TODAY),
    Entry("Client spaces", "portal:spaces", MEMBERS, TODAY),
    Entry("Find a file", "portal:search", MEMBERS, TODAY),
    Entry("Imports", "portal:imports", MEMBERS, TODAY),
    # Team: people, places and the records of their work.
    Entry("Members", "accounts:members", WORKING_ROLES, TEAM),
    Entry("Who is in", "attendance:board", EDITORS, TEAM),
    Entry("Attendance", "attendance:records", WORKING_ROLES, TEAM),
    Entry("Check-ins to review", "attendance:review", EDITORS, TEAM),
    Entry("Shifts", "workforce:shifts", EDITORS, TEAM),
    Entry("Requests to decide", "workforce:requests", EDITORS, TEAM),
    Entry("Dispatch", "fieldwork:dispatch", EDITORS, TEAM),
    Entry("Forms", "fieldwork:forms", WORKING_ROLES, TEAM),
    Entry("Sites", "attendance:sites", WORKING_ROLES, TEAM),
    Entry("Sites map", "attendance:map", WORKING_ROLES, TEAM),
    Entry("Devices", "attendance:devices", WORKING_ROLES, TEAM),
    Entry("Alerts", "attendance:notifications", WORKING_ROLES, TEAM),
    # Privacy office: owners and privacy officers.
    Entry("Data requests", "rights:queue", PRIVACY_STAFF, PRIVACY_OFFICE),
    Entry("Legal holds", "retention:holds", PRIVACY_STAFF, PRIVACY_OFFICE),
    Entry("Disclosures", "privacy:disclosures", PRIVACY_STAFF, PRIVACY_OFFICE),
    Entry("Child reports", "privacy:child_reports", PRIVACY_STAFF, PRIVACY_OFFICE),
    Entry("Audit log", "privacy:audit_log", OFFICE, PRIVACY_OFFICE),
    Entry("Data map", "privacy:data_map", OFFICE, PRIVACY_OFFICE),
    Entry("Controller contacts", "privacy:controller_contact", PRIVACY_STAFF, PRIVACY_OFFICE),
    Entry("Breaches", "privacy:breaches", PRIVACY_STAFF, PRIVACY_OFFICE),
    Entry("Published statistics", "privacy:releases", PRIVACY_STAFF, PRIVACY_OFFICE),
    # Organization: settings and billing.
    Entry("Settings", "accounts:organization_settings", ADMINISTRATORS, ORGANIZATION),
    Entry("Attendance rules", "attendance:settings", ADMINISTRATORS, ORGANIZATION),
    Entry("Mail sender", "comms:mail_settings", ADMINISTRATORS, ORGANIZATION),
    Entry("Billing", "billing:billing", (Role.OWNER,), ORGANIZATION),
    Entry("Usage", "billing:usage", (Role.OWNER,), ORGANIZATION),
    Entry("Support access", "operator:support_access", ADMINISTRATORS, ORGANIZATION),
    # Me: one's own account and privacy, whatever the organization.
    Entry("Notifications", "notifications:list", ACCOUNT, ME),
    Entry("Security", "accounts:security", ACCOUNT, ME),
    Entry("Privacy center", "rights:center", ACCOUNT, ME),
    Entry("Privacy preferences", "consent:preferences", ACCOUNT, ME),
    Entry("Who read my data", "privacy:my_reads", ACCOUNT, ME),
    Entry("Help and support", "comms:support", ACCOUNT, ME),
    Entry("Community forum", "operator:forum", ACCOUNT, ME),
    Entry("Close my account", "accounts:cancel_account", ACCOUNT, ME),
    # Platform staff.
    Entry("Operator console", "operator:console", PLATFORM, PLATFORM_SECTION),
    Entry("Forum removals", "operator:removals", PLATFORM, PLATFORM_SECTION),
    Entry("Outbox", "mail:outbox", PLATFORM, PLATFORM_SECTION),
    Entry("Public requests", "rights:platform_queue", PLATFORM, PLATFORM_SECTION),
    Entry("Complaints", "comms:staff_complaints", PLATFORM, PLATFORM_SECTION),
    Entry("Support files", "portal:support_files", PLATFORM, PLATFORM_SECTION),
)

# Footer links for everyone, signed in or not.
FOOTER: tuple[tuple[str, str], ...] = (
    ("Privacy notice", "privacy:notice"),
    ("Contact", "comms:contact"),
    ("Complaints", "comms:complaints"),
    ("Newsletter", "comms:newsletter"),
    ("Ask about your data", "rights:public_form"),
    ("Published statistics", "privacy:public_releases"),
    ("Community forum", "operator:forum"),
    ("API", "api:openapi-view"),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    url_name: str
    current: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    links: tuple[Link, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def visible(entry: Entry, user: User, membership: Membership | None) -> bool:
    if entry.who == ACCOUNT:
        return True
    if entry.who == PLATFORM:
        return bool(user.is_staff)
    return membership is not None and membership.role in entry.who


def _url(url_name: str, org: str | None) -> str | None:
    try:
        return reverse(url_name, kwargs={"org": org} if org else None)
    except NoReverseMatch:
        return None


def sections(user: User, membership: Membership | None, path: str = "") -> list[Section]:
    """The menu of ``user`` acting in ``membership``'s organization (None: no organization);
    the link whose address is the longest prefix of ``path`` is marked current."""
    org = membership.organization.slug if membership is not None else None
    found: list[tuple[str, Link]] = []
    for entry in ENTRIES:
        if not visible(entry, user, membership):
            continue
        url = _url(entry.url_name, None if isinstance(entry.who, str) else org)
        if url is not None:
            found.append((entry.section, Link(entry.label, url, entry.url_name)))
    current = max((link.url for _, link in found if path.startswith(link.url)), key=len, default=None)
    grouped: dict[str, list[Link]] = {}
    for section, link in found:
        if link.url == current:
            link = Link(link.label, link.url, link.url_name, current=True)
        grouped.setdefault(section, []).append(link)
    return [Section(title, tuple(links)) for title, links in grouped.items()]


def footer() -> list[Link]:
    return [Link(label, url, name) for label, name in FOOTER if (url := _url(name, None))]
