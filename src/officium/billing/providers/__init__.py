"""Which payment provider billing talks to: chosen by settings, built once per process.

``OFFICIUM_PAYMENT_PROVIDER`` is ``stripe`` (Stripe's own API; the default when its keys are
set) or ``standin`` (the local stand-in at ``OFFICIUM_PAYMENT_API_BASE``, for tests and the
demo). With neither, billing pages say that payments are not set up.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from officium.billing.providers.base import PaymentProvider, ProviderError


class NotConfigured(ProviderError):
    def __init__(self) -> None:
        super().__init__("payments_not_configured",
                         "Card payments are not set up on this server (no payment provider keys).")


@lru_cache(maxsize=1)
def _build(kind: str, api_base: str) -> PaymentProvider | None:
    from officium.billing.providers.stripe_adapter import StripeProvider

    if kind == "standin":
        from officium.billing.providers import standin

        return StripeProvider(secret_key=standin.SECRET_KEY, publishable_key=standin.PUBLISHABLE_KEY,
                              webhook_secret=settings.OFFICIUM_PAYMENT_WEBHOOK_SECRET or standin.WEBHOOK_SECRET,
                              api_base=api_base, stand_in=True)
    if kind == "stripe" and settings.STRIPE_SECRET_KEY:
        return StripeProvider(secret_key=settings.STRIPE_SECRET_KEY,
                              publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
                              webhook_secret=settings.OFFICIUM_PAYMENT_WEBHOOK_SECRET)
    return None


def provider() -> PaymentProvider:
    built = _build(settings.OFFICIUM_PAYMENT_PROVIDER, settings.OFFICIUM_PAYMENT_API_BASE)
    if built is None:
        raise NotConfigured
    return built


def configured() -> bool:
    return _build(settings.OFFICIUM_PAYMENT_PROVIDER, settings.OFFICIUM_PAYMENT_API_BASE) is not None
