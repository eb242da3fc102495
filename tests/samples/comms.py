"""Alice's complaint and mail sender for the cross-tenant test."""

import uuid

from tests.role_groups import ADMINS, EVERYONE, NOBODY, SIGNED_IN

from officium.comms import services


def build(w):
    w.alice_complaint, _ = services.file_complaint(w.alice, uuid.uuid4(), "Alpha Secret Works data",
                                                   "Please look into it.")
    services.save_mail_settings(w.alice_membership, {
        "host": "smtp.alpha.example", "port": 587, "username": "alpha", "password": "s3cret",
        "use_tls": True, "from_address": "noreply@alpha.example", "enabled": True})


SAMPLES = {
    "reference": lambda w: w.alice_complaint.reference,
    "complaint_id": lambda w: w.alice_complaint.pk,
}
SECRETS: dict = {}


# Who gets through each route (SE2, tests/test_roles.py); the roles not listed are refused
# (401/403/404, or sent to sign in). A page's POST is sent empty, an API call with a body its
# schema accepts: a role gets through once the route takes up its input (a 400 naming the
# fields counts). Every route of the app is listed; a new one fails the test until it is.
ROLES = {
    "GET /comms/unsubscribe/<str:token>/": EVERYONE,
    "POST /comms/unsubscribe/<str:token>/": EVERYONE,
    "GET /comms/newsletter/": EVERYONE,
    "POST /comms/newsletter/": EVERYONE,
    "GET /comms/newsletter/confirm/<str:token>/": EVERYONE,
    "POST /comms/newsletter/confirm/<str:token>/": EVERYONE,
    "GET /comms/contact/": EVERYONE,
    "POST /comms/contact/": EVERYONE,
    "GET /comms/support/": SIGNED_IN,
    "POST /comms/support/": SIGNED_IN,
    "GET /comms/complaints/": SIGNED_IN,
    "POST /comms/complaints/": SIGNED_IN,
    "GET /comms/complaints/<uuid:reference>/": ("owner",),
    "POST /comms/complaints/<uuid:reference>/": ("owner",),
    "GET /comms/staff/complaints/": NOBODY,
    "POST /comms/staff/complaints/": NOBODY,
    "GET /comms/staff/complaints/<int:complaint_id>/": NOBODY,
    "POST /comms/staff/complaints/<int:complaint_id>/": NOBODY,
    "GET /comms/staff/announce-transfer/": NOBODY,
    "POST /comms/staff/announce-transfer/": NOBODY,
    "POST /comms/announcements/dismiss/": SIGNED_IN,
    "GET /o/<slug:org>/comms/mail/": ADMINS,
    "POST /o/<slug:org>/comms/mail/": ADMINS,
}
