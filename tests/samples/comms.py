"""Alice's complaint and mail sender for the cross-tenant test."""

import uuid

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
