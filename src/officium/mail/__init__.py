"""The one outbox: every email Officium sends is a row written in the caller's transaction
and delivered by the worker, with retries and backoff (see ``outbox`` and ``delivery``).

Below the engine: this app imports nothing from ``privacy``, ``accounts`` or the apps; the
engine registers the outbox model as personal data, comms plugs in its organization senders
and its marketing consent check through the hooks in ``delivery``.
"""
