"""Alice's attendance objects for the cross-tenant test."""

from tests.role_groups import ADMINS, EDITORS, EVERYONE, MEMBERS, NOBODY, STAFF

from officium.attendance import services
from officium.attendance.models import AttendanceSettings, LocationRequest, Site


def build(w):
    w.site = Site.objects.create(organization=w.alice_org, name="Alpha HQ", shape="circle",
                                 center_latitude=52.52, center_longitude=13.405, radius_m=150)
    _, raw = services.create_connection_code(w.alice_membership, w.bob_membership)
    w.bob_device, w.bob_device_token = services.connect_device(raw, "Bob's phone", "Android 14")
    AttendanceSettings.objects.create(organization=w.alice_org, without_location="review")
    w.held_record = services.check_in(w.bob_membership, "in", None)  # held for review (WT9)
    w.location_request = LocationRequest.objects.create(
        organization=w.alice_org, member=w.bob_membership, requested_by=w.alice_membership)


SAMPLES = {
    "site_id": lambda w: w.site.pk,
    "device_id": lambda w: w.bob_device.pk,
    "request_id": lambda w: w.location_request.pk,
    "record_id": lambda w: w.held_record.pk,
}

BODY_FIELDS = {
    "site_id": "site_id",
}


# Who gets through each route (SE2, tests/test_roles.py); the roles not listed are refused
# (401/403/404, or sent to sign in). A page's POST is sent empty, an API call with a body its
# schema accepts: a role gets through once the route takes up its input (a 400 naming the
# fields counts). Every route of the app is listed; a new one fails the test until it is.
ROLES = {
    "GET /api/attendance/orgs/<slug:org>/sites": STAFF,
    "POST /api/attendance/orgs/<slug:org>/sites": EDITORS,
    "GET /api/attendance/orgs/<slug:org>/sites/<int:site_id>": STAFF,
    "PUT /api/attendance/orgs/<slug:org>/sites/<int:site_id>": EDITORS,
    "DELETE /api/attendance/orgs/<slug:org>/sites/<int:site_id>": EDITORS,
    "POST /api/attendance/orgs/<slug:org>/check-ins": STAFF,
    "GET /api/attendance/orgs/<slug:org>/records": STAFF,
    "GET /api/attendance/orgs/<slug:org>/privacy-mode": STAFF,
    "PUT /api/attendance/orgs/<slug:org>/privacy-mode": STAFF,
    "PUT /api/attendance/orgs/<slug:org>/settings": ADMINS,
    "GET /api/attendance/orgs/<slug:org>/devices": STAFF,
    "DELETE /api/attendance/orgs/<slug:org>/devices/<int:device_id>": ("owner", "admin", "member"),
    "POST /api/attendance/orgs/<slug:org>/members/<int:member_id>/connection-codes": ADMINS,
    "PUT /api/attendance/orgs/<slug:org>/members/<int:member_id>/device-profile": ADMINS,
    "POST /api/attendance/orgs/<slug:org>/members/<int:member_id>/location-requests": NOBODY,
    "GET /api/attendance/orgs/<slug:org>/members/<int:member_id>/eta": MEMBERS,
    "GET /api/attendance/orgs/<slug:org>/notifications": STAFF,
    "GET /api/attendance/orgs/<slug:org>/location-reads": STAFF,
    "POST /api/attendance/device/connect": EVERYONE,
    "GET /api/attendance/device/profile": NOBODY,
    "PUT /api/attendance/device/privacy-mode": NOBODY,
    "POST /api/attendance/device/events": NOBODY,
    "POST /api/attendance/device/check-ins": NOBODY,
    "GET /api/attendance/device/location-requests": NOBODY,
    "POST /api/attendance/device/location-requests/<int:request_id>/answer": NOBODY,
    "GET /o/<slug:org>/attendance/": STAFF,
    "GET /o/<slug:org>/attendance/check-in/": STAFF,
    "POST /o/<slug:org>/attendance/check-in/": STAFF,
    "GET /o/<slug:org>/attendance/sites/": STAFF,
    "GET /o/<slug:org>/attendance/sites/new/": EDITORS,
    # The site form is read before the role is checked: an empty POST answers 400 to anyone;
    # a valid one is refused to all but EDITORS (attendance.sites.save_site).
    "POST /o/<slug:org>/attendance/sites/new/": STAFF,
    "GET /o/<slug:org>/attendance/sites/<int:site_id>/": EDITORS,
    "POST /o/<slug:org>/attendance/sites/<int:site_id>/": STAFF,
    "POST /o/<slug:org>/attendance/sites/<int:site_id>/archive/": EDITORS,
    "GET /o/<slug:org>/attendance/devices/": STAFF,
    "POST /o/<slug:org>/attendance/devices/": STAFF,
    "POST /o/<slug:org>/attendance/devices/<int:device_id>/revoke/": ("owner", "admin", "member"),
    "GET /o/<slug:org>/attendance/members/<int:member_id>/device-profile/": ADMINS,
    "POST /o/<slug:org>/attendance/members/<int:member_id>/device-profile/": ADMINS,
    "POST /o/<slug:org>/attendance/members/<int:member_id>/locate/": NOBODY,
    "GET /o/<slug:org>/attendance/privacy-mode/": STAFF,
    "POST /o/<slug:org>/attendance/privacy-mode/": STAFF,
    "GET /o/<slug:org>/attendance/notifications/": STAFF,
    "POST /o/<slug:org>/attendance/notifications/": STAFF,
    "GET /o/<slug:org>/attendance/location-reads/": STAFF,
    "GET /o/<slug:org>/attendance/settings/": ADMINS,
    "POST /o/<slug:org>/attendance/settings/": ADMINS,
    "GET /api/attendance/orgs/<slug:org>/clock": STAFF,
    "GET /api/attendance/orgs/<slug:org>/reviews": STAFF,
    "POST /api/attendance/orgs/<slug:org>/reviews/<int:record_id>": ADMINS,
    "GET /o/<slug:org>/attendance/review/": EDITORS,
    # WT7 report and exports: every working role, each sees only the rows their role allows.
    "GET /api/attendance/orgs/<slug:org>/report": STAFF,
    "GET /api/attendance/orgs/<slug:org>/report/export": STAFF,
    "GET /o/<slug:org>/attendance/export/": STAFF,
    # WT8 team board (managers and administrators) and the sites map (every working role).
    "GET /api/attendance/orgs/<slug:org>/board": EDITORS,
    "GET /o/<slug:org>/attendance/board/": EDITORS,
    "GET /api/attendance/orgs/<slug:org>/map": STAFF,
    "GET /o/<slug:org>/attendance/map/": STAFF,
    "POST /o/<slug:org>/attendance/review/<int:record_id>/": ADMINS,
}
