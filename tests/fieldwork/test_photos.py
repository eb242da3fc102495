"""FW4, CO5: photos only with the member's photo permission (revocable), encrypted at rest
with the streaming AEAD, location metadata stripped unless the profile allows location, a
size limit with a clear message; a file that is not an image is refused."""

from __future__ import annotations

import base64
import io
import os

import pytest
from PIL import Image
from tests.fieldwork.conftest import send

from officium.attendance import services as attendance
from officium.fieldwork import photos
from officium.fieldwork.models import Photo
from officium.privacy.consent.services import set_photo_permission

pytestmark = pytest.mark.django_db
GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "#336699")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def url(task):
    return f"/api/fieldwork/orgs/alpha/tasks/{task.pk}/photos"


def body(data: bytes) -> dict:
    return {"content_base64": base64.b64encode(data).decode()}


def test_CO5_no_photo_without_permission_and_none_after_it_is_revoked(bob, task, bob_client):
    data = jpeg_with_gps()
    refused = send(bob_client, "post", url(task), body(data))
    assert refused.status_code == 403 and "photo uploads" in refused.json()["message"]
    set_photo_permission(bob, True)
    assert send(bob_client, "post", url(task), body(data)).status_code == 201
    set_photo_permission(bob, False)
    assert send(bob_client, "post", url(task), body(data)).status_code == 403
    assert Photo.objects.count() == 1


def test_FW4_photo_is_encrypted_at_rest_and_stripped_of_location(bob, bob_m, alice_m, task, bob_client, alice_client):
    set_photo_permission(bob, True)
    attendance.set_device_profile(alice_m, bob_m, ["attendance"])  # task entries carry no location
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    photo_id = send(bob_client, "post", url(task), body(data)).json()["id"]
    stored = Photo.objects.get(pk=photo_id)
    assert bytes(stored.content)[:4] == b"OFSA" and b"PhoneMaker" not in bytes(stored.content)
    assert not stored.location_kept
    served = alice_client.get(f"/o/alpha/tasks/{task.pk}/photos/{photo_id}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    plain = b"".join(served.streaming_content)
    exif = Image.open(io.BytesIO(plain)).getexif()
    assert not exif.get_ifd(GPS_IFD) and 0x010F not in exif


def test_FW4_location_metadata_is_kept_when_the_profile_allows_location(bob, bob_m, task):
    set_photo_permission(bob, True)
    photo = photos.add_photo(bob_m, task, jpeg_with_gps())
    assert photo.location_kept
    plain = b"".join(photos.open_photo(bob_m, photo))
    assert Image.open(io.BytesIO(plain)).getexif().get_ifd(GPS_IFD)
    attendance.set_privacy_mode(bob_m, True)  # privacy mode: stripped again
    assert not photos.add_photo(bob_m, task, jpeg_with_gps()).location_kept


def test_FW4_a_file_that_is_not_an_image_is_400_nothing_written(bob, task, bob_client):
    set_photo_permission(bob, True)
    response = send(bob_client, "post", url(task), body(b"%PDF-1.4 not a picture"))
    assert response.status_code == 400 and response.json()["field"] == "photo"
    assert "not a photo" in response.json()["message"] and not Photo.objects.exists()


def test_FW4_an_oversized_photo_is_refused_with_a_clear_message(bob, bob_m, task, monkeypatch):
    set_photo_permission(bob, True)
    monkeypatch.setattr(photos, "MAX_BYTES", 1000)
    with pytest.raises(Exception) as error:
        photos.add_photo(bob_m, task, jpeg_with_gps() + b"\0" * 1000)
    assert "the limit is" in error.value.message_dict["photo"][0]
    assert not Photo.objects.exists()


def test_FW4_entry_page_takes_a_photo_with_the_report(bob, task, bob_client):
    set_photo_permission(bob, True)
    upload = io.BytesIO(jpeg_with_gps())
    upload.name = "pump.jpg"
    response = bob_client.post(f"/o/alpha/tasks/{task.pk}/entries/", {"note": "Broken seal", "photo": upload})
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.entry is not None and photo.entry.note == "Broken seal"
    page = bob_client.get(f"/o/alpha/tasks/{task.pk}/")
    assert f"/photos/{photo.pk}/".encode() in page.content


def noise_png(min_bytes: int) -> bytes:
    """A PNG of random pixels (it does not compress) of at least ``min_bytes``."""
    side = int((min_bytes / 3) ** 0.5) + 8
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG", compress_level=0)
    return out.getvalue()


def upload(client, task, data: bytes, client_id: str = "", **headers):
    query = f"?client_id={client_id}" if client_id else ""
    return client.post(f"/api/fieldwork/orgs/alpha/tasks/{task.pk}/photos/upload{query}", data=data,
                       content_type="image/png", **headers)


def test_FW4_api_upload_takes_a_photo_above_the_json_limit_up_to_8_mb(bob, task, bob_client, settings):
    set_photo_permission(bob, True)
    data = noise_png(3 * 1024 * 1024)  # above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), below 8 MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(data) < photos.MAX_BYTES
    as_json = send(bob_client, "post", url(task), body(data))
    assert as_json.status_code == 413 and not Photo.objects.exists()  # the JSON route's own limit
    answer = upload(bob_client, task, data, client_id="cam-1")
    assert answer.status_code == 201, answer.content
    assert answer.json()["content_type"] == "image/png"
    again = upload(bob_client, task, data, client_id="cam-1")  # replayed from a queue: stored once
    assert again.json()["id"] == answer.json()["id"] and Photo.objects.count() == 1


def test_FW4_api_upload_beyond_8_mb_is_413_naming_the_field_nothing_written(bob, task, bob_client):
    set_photo_permission(bob, True)
    over = b"\x89PNG" + b"\0" * photos.MAX_BYTES
    answer = upload(bob_client, task, over)
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large" and answer.json()["field"] == "photo"
    assert "8.0 MB" in answer.json()["message"] and not Photo.objects.exists()


def test_FW4_device_upload_route_and_openapi_document_the_raw_body(bob, task, device, client):
    set_photo_permission(bob, True)
    _, token = device
    data = jpeg_with_gps()
    answer = client.post(f"/api/fieldwork/device/tasks/{task.pk}/photos/upload?client_id=q-1", data=data,
                         content_type="image/jpeg", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 201 and Photo.objects.get().client_id == "q-1"
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/fieldwork/device/tasks/{task_id}/photos/upload",
                 "/api/fieldwork/orgs/{org}/tasks/{task_id}/photos/upload"):
        body_doc = schema["paths"][path]["post"]["requestBody"]
        assert "image/jpeg" in body_doc["content"] and "413" in body_doc["description"]
