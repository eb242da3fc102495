"""Alice's attendance objects for the cross-tenant test."""

from officium.attendance import services
from officium.attendance.models import LocationRequest, Site


def build(w):
    w.site = Site.objects.create(organization=w.alice_org, name="Alpha HQ", shape="circle",
                                 center_latitude=52.52, center_longitude=13.405, radius_m=150)
    _, raw = services.create_connection_code(w.alice_membership, w.bob_membership)
    w.bob_device, w.bob_device_token = services.connect_device(raw, "Bob's phone", "Android 14")
    w.location_request = LocationRequest.objects.create(
        organization=w.alice_org, member=w.bob_membership, requested_by=w.alice_membership)


SAMPLES = {
    "site_id": lambda w: w.site.pk,
    "device_id": lambda w: w.bob_device.pk,
    "request_id": lambda w: w.location_request.pk,
}

BODY_FIELDS = {
    "site_id": "site_id",
}
