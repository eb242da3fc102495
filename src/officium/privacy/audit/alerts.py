"""When the checkpoint job refuses to sign, people must hear of it, not only a log file.

The engine does not know who the officers are or how mail is sent (those live above it, in
``accounts``), so it raises :data:`integrity_alert`, a Django signal, after recording the refusal
in the audit log itself; ``accounts`` answers it by emailing the platform's privacy staff. The
alert repeats at most once an hour for the same checkpoint while the problem lasts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, cast

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from officium.privacy.audit.audit_events import CHECKPOINT_REFUSED
from officium.privacy.audit.chain import Problem
from officium.privacy.audit.checkpoints import Checkpoint

logger = logging.getLogger("officium.audit")

REFUSED_EVENT = CHECKPOINT_REFUSED.name
REPEAT_AFTER = timedelta(hours=1)

# Sent with ``problem`` (str), ``checkpoint_seq`` (int | None), ``checkpoint_at`` (str),
# ``head_seq`` (int).
integrity_alert = Signal()


def _alerted_recently(checkpoint_seq: int | None) -> bool:
    from officium.privacy.audit.models import AuditEntry

    since = timezone.now() - REPEAT_AFTER
    recent = AuditEntry.objects.filter(event=REFUSED_EVENT, created_at__gte=since)
    # django-stubs types a custom field's values by its base (text): the rows hold dicts.
    found = cast("Iterable[dict[str, Any]]", recent.values_list("details", flat=True))
    return any(details.get("checkpoint_seq") == checkpoint_seq for details in found)


def raise_integrity_alert(problem: Problem, checkpoint: Checkpoint | None) -> bool:
    """Log, record and announce a refused checkpoint; returns whether officers were alerted."""
    from officium.privacy.audit import record
    from officium.privacy.audit.models import AuditEntry

    checkpoint_seq = checkpoint.seq if checkpoint is not None else None
    logger.critical("audit log integrity: checkpoint refused, %s (last checkpoint #%s)",
                    problem, checkpoint_seq)
    if _alerted_recently(checkpoint_seq):
        return False
    head_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    with transaction.atomic():
        record(REFUSED_EVENT, details={"checkpoint_seq": checkpoint_seq, "head_seq": head_seq,
                                       "problem_seq": problem.seq, "reason": problem.reason})
        integrity_alert.send(sender=Problem, problem=str(problem), checkpoint_seq=checkpoint_seq,
                             checkpoint_at=checkpoint.at if checkpoint is not None else "",
                             head_seq=head_seq)
    return True
