"""Global Privacy Control and Do Not Track (CO3).

GPC (https://privacycg.github.io/gpc-spec/): the ``Sec-GPC`` header's value is exactly
"1"; anything else ("1 ", "true", "0", empty) is no signal. DNT likewise counts only "1".
Whether the signals are honoured is the policy's ``signals`` section (officexlr: not).
"""

from __future__ import annotations

from django.http import HttpRequest

from officium.privacy.consent import catalogue


def gpc_sent(request: HttpRequest) -> bool:
    return request.META.get("HTTP_SEC_GPC") == "1"


def dnt_sent(request: HttpRequest) -> bool:
    return request.META.get("HTTP_DNT") == "1"


def gpc_honoured() -> bool:
    return bool(catalogue.signals().gpc)


def dnt_honoured() -> bool:
    return bool(catalogue.signals().dnt)


def opt_out_signal(request: HttpRequest) -> str | None:
    """"gpc" or "dnt" when the request carries a signal the policy honours, else None."""
    if gpc_honoured() and gpc_sent(request):
        return "gpc"
    if dnt_honoured() and dnt_sent(request):
        return "dnt"
    return None


def gpc_document() -> dict[str, object]:
    """/.well-known/gpc.json: whether this site honours GPC, and since when."""
    return {"gpc": gpc_honoured(), "lastUpdate": catalogue.policy().revised.isoformat()}
