from django_tasks import task


@task(queue_name="privacy")
def checkpoint_audit_log() -> int:
    """Verify the chain and, when it is sound, append a signed checkpoint of its head."""
    from officium.privacy.audit.chain import verify
    from officium.privacy.audit.checkpoints import write_checkpoint

    result = verify()
    write_checkpoint(result)
    return result.head_seq
