"""Location for a field action taken on the web or the API (LO2, LO3): the same rules as the
device batch (attendance ingest), for one event at a time.

The event is always stored (date and time); its coordinates only when the member's device
profile lists the kind and privacy mode is off, judged under the member's row lock so a
switch cannot slip in between.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from officium.accounts.models import Membership
from officium.attendance import coordinates
from officium.attendance.coordinates import Fix
from officium.attendance.models import Device, DeviceProfile, LocationEvent, LocationStatus
from officium.attendance.privacy_mode import privacy_mode_on


def located_allowed(member: Membership, kind: str) -> bool:
    """Whether an action of ``kind`` by ``member`` may carry a location right now."""
    return kind in DeviceProfile.kinds_for(member) and not privacy_mode_on(member)


def locate(member: Membership, kind: str, fix: Fix | None, at: datetime | None = None,
           device: Device | None = None) -> LocationEvent:
    """Store the action's location event; call inside the service's transaction."""
    Membership.objects.select_for_update().filter(pk=member.pk).first()
    if fix is None:
        status = LocationStatus.NONE
    elif kind not in DeviceProfile.kinds_for(member):
        fix, status = None, LocationStatus.NOT_COLLECTED
    elif privacy_mode_on(member):
        fix, status = None, LocationStatus.PAUSED
    else:
        status = LocationStatus.RECORDED
    now = timezone.now()
    return LocationEvent.objects.create(
        organization_id=member.organization_id, member=member, device=device, kind=kind,
        occurred_at=at or now, received_at=now, location_status=status, **coordinates.columns(fix))
