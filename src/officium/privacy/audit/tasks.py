from django_tasks import task


@task(queue_name="privacy")
def checkpoint_audit_log() -> int:
    """Sign the chain's head when it has grown and still extends the last checkpoint; refuse and
    alert the officers when it does not (SE4). Returns the checkpointed seq (0 if none)."""
    from officium.privacy.audit.alerts import raise_integrity_alert
    from officium.privacy.audit.checkpoints import extend_checkpoint

    outcome = extend_checkpoint()
    if outcome.problem is not None:
        raise_integrity_alert(outcome.problem, outcome.checkpoint)
    return outcome.checkpoint.seq if outcome.checkpoint is not None else 0
