"""Alice's notification for the cross-tenant and role tests (UX4)."""

from tests.role_groups import SIGNED_IN

from officium.notifications.services import notify


def build(w):
    w.notification = notify(w.alice, w.alice_org, "test.sample", "A sample notification", url="/")


SAMPLES = {
    "notification_id": lambda w: w.notification.pk,
}

# UX4: everyone signed in has their own list and setting; a notification opens for its recipient only.
ROLES = {
    "GET /notifications/": SIGNED_IN,
    "POST /notifications/read/": SIGNED_IN,
    "GET /notifications/settings/": SIGNED_IN,
    "POST /notifications/settings/": SIGNED_IN,
    "POST /notifications/<int:notification_id>/open/": ("owner",),
    "GET /api/notifications/": SIGNED_IN,
    "POST /api/notifications/read": SIGNED_IN,
    "GET /api/notifications/settings": SIGNED_IN,
    "PUT /api/notifications/settings": SIGNED_IN,
}
