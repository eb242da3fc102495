"""PV4: the privacy center's request types as cards in plain words, only those the policy gives
someone living where the person says they live (Fides' privacy center: one card per action)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from officium.privacy.policy.geography import describe
from officium.privacy.policy.schema import Policy
from officium.privacy.rights.catalogue import offer_for
from officium.privacy.rights.models import RequestType

T = RequestType

WORDS: dict[str, tuple[str, str]] = {
    T.ACCESS: ("See your data", "A copy of everything we hold about you, why we hold it, who "
                                "receives it and how long we keep it."),
    T.PORTABILITY: ("Take your data elsewhere", "The data you gave us, in a file another "
                                                "service can read."),
    T.RECTIFICATION: ("Correct your data", "Tell us what is wrong and what it should be."),
    T.ERASURE: ("Delete your data", "We delete what we hold about you, except what the law "
                                    "makes us keep, and tell you what was kept and why."),
    T.RESTRICTION: ("Pause the use of your data", "We keep your data but stop using it while a "
                                                  "question about it is settled."),
    T.OBJECTION: ("Stop a use of your data", "Choose a use you object to; we stop it unless we "
                                             "have compelling reasons, which we tell you."),
    T.CCPA_KNOW_CATEGORIES: ("Know the kinds of data we hold", "The kinds of personal "
                             "information we collected about you, where from and why."),
    T.CCPA_KNOW_PIECES: ("Know the pieces of data we hold", "The specific pieces of personal "
                                                            "information we hold about you."),
    T.CCPA_DELETE: ("Delete your personal information", "We delete the personal information we "
                                                        "collected from you, with the exceptions "
                                                        "the law allows, which we name."),
    T.CCPA_OPT_OUT_OF_SALE: ("Stop the sale or sharing of your data", "We stop selling or "
                             "sharing your personal information."),
    T.DO_YOU_HOLD_MY_DATA: ("Ask whether we hold data about you", "A plain yes or no, "
                                                                  "without a copy."),
}


@dataclass(frozen=True)
class Card:
    request_type: str
    title: str
    text: str
    answered_within: str


def cards(policy: Policy, country: str, region: str = "") -> list[Card]:
    """One card per request type the policy offers a resident of ``country`` (ISO code)."""
    found = []
    for request_type in RequestType.values:
        try:
            offer = offer_for(policy, request_type, country, region)
        except ValidationError:
            continue
        title, text = WORDS[request_type]
        found.append(Card(request_type, title, text, offer.group.deadline.describe()))
    return found


def place(country: str, region: str = "") -> str:
    """Where the person lives, in words ("Germany", "California (United States)")."""
    return describe(region or country) if (region or country) else ""
