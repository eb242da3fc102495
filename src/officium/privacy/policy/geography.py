"""Where data is stored and whom rights reach: country codes and the regions policies name.

Notices speak of countries ("the United States, Canada") and regions ("the EEA",
"servers around the world"); a policy file writes ISO 3166-1 alpha-2 codes, ISO 3166-2
subdivisions (``US-CA`` for California consumers) or one of the region tokens below, so
the notice, the rights app (RI10) and the ROPA read the same place the same way.
"""

from __future__ import annotations

import re

ISO_3166_1 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

EU = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
EEA = EU | frozenset({"IS", "LI", "NO"})

# WORLDWIDE is for notices that name no country ("servers located around the world"):
# the honest statement is that data may be anywhere, and the notice says exactly that.
REGIONS: dict[str, frozenset[str]] = {
    "EU": EU,
    "EEA": EEA,
    "WORLDWIDE": ISO_3166_1,
}

REGION_NAMES: dict[str, str] = {
    "EU": "the European Union",
    "EEA": "the European Economic Area",
    "WORLDWIDE": "any country",
}

_SUBDIVISION = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")


def is_place(code: str) -> bool:
    """A country, a subdivision of a known country, or a region token."""
    if code in REGIONS or code in ISO_3166_1:
        return True
    match = _SUBDIVISION.match(code)
    return match is not None and match.group(1) in ISO_3166_1


def covers(place: str, country: str, subdivision: str | None = None) -> bool:
    """Whether someone in ``country`` (and optionally ``subdivision``) is inside ``place``."""
    if place in REGIONS:
        return country in REGIONS[place]
    if _SUBDIVISION.match(place):
        return subdivision == place
    return place == country


def describe(place: str) -> str:
    """A place in words: "Germany", "the European Economic Area", "California (United States)"."""
    from officium.privacy.policy.country_names import COUNTRY_NAMES, SUBDIVISION_NAMES

    if place in REGION_NAMES:
        return REGION_NAMES[place]
    if place in COUNTRY_NAMES:
        return COUNTRY_NAMES[place]
    match = _SUBDIVISION.match(place)
    if match is not None:
        country = COUNTRY_NAMES.get(match.group(1), match.group(1))
        return f"{SUBDIVISION_NAMES.get(place, place)} ({country})"
    return place
