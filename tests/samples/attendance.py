"""Alice's attendance objects for the cross-tenant test."""

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
