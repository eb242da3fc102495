"""The vault: per-subject data keys, encrypted fields, crypto-shredding, backups (SE2, RI4).

For other apps (attendance, portal, rights):

``officium.privacy.vault.fields``
    ``EncryptedTextField(max_length=..., blank=True)`` and ``EncryptedFloatField()``: model
    fields whose column holds an AES-256-GCM token sealed under the row's data subject's key,
    with (model label, field name, subject id) as associated data. The subject is found by
    the model's ``@personal_data(subject=...)`` path (``"member__user"`` reads
    ``row.member.user_id``: use ``select_related`` on hot lists), or ``subject=`` on the field.
    Reads decrypt lazily on attribute access; a shredded subject reads as ``ERASED``
    (text: the ``Erased`` string "[erased]") / ``None`` (floats) on the model; exports and
    the records pages write "[erased]" for every type (an empty cell means "no value"). ``values_list`` returns ``Sealed`` tokens: open them with
    ``reveal_value(Model, "field", subject_id, token)`` (or ``open_value``, which raises).
    ``QuerySet.update(field=...)`` and ``filter(field=...)`` refuse plaintext: save instances,
    and add ``BlindIndexField(source="field", normalize="dotted.path")`` for exact lookups
    (``filter(field_index=index_for(Model, "field", value))``).

``officium.privacy.vault.keys``
    ``subject_key(subject_id)`` / ``organization_key(org_id)`` return ``Keys``: ``.current``
    (raw newest key bytes, e.g. to wrap a space or file key with ``FieldCipher``),
    ``.encrypt(plaintext, aad)`` / ``.decrypt(token, aad)`` (every version opens),
    ``.current_version``. Created on first use, wrapped by the KMS (``settings.VAULT_KMS``),
    cached per process. ``kms()`` is the configured KeyManagementService.

``officium.privacy.vault.shredding``
    ``shred_subject(subject_id, actor=None, reason="erasure_request") -> ShredReport``:
    destroys the subject's keys (unless a hold keeps encrypted rows), then deletes every
    registered row of the subject in chunks, except held rows (``report.kept``: model,
    count, hold reason, until), deletes or anonymizes the user row and ends sessions.
    ``officium.privacy.retention.holds.holds_for_subject(subject_id)`` names the holds.

``officium.privacy.vault.erasures``: the erasure ledger (who was erased; ids only);
``shredding.erase_again`` (restore) and ``shredding.finish_held_erasures`` (holds ended).

Commands: ``officium backup [PATH]`` (+ a manifest), ``officium restore PATH`` (checks the
manifest, re-applies the shred ledger, erases again everyone in the erasure ledger),
``officium keys rotate [SUBJECT_ID ...]``, ``officium keys rewrap`` (master-key rotation).
"""
