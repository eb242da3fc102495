"""CCPA categories (Cal. Civ. Code 1798.140(v)) of the DPV terms a model holds (RI7).

A small table from the broadest DPV term that settles the CCPA category; a term narrower
than one of these takes its category (pd:EmailAddressWork is a pd:EmailAddress, so it is an
identifier). First match wins, so the more specific rows come first.
"""

from __future__ import annotations

from officium.privacy.policy import dpv

IDENTIFIERS = "Identifiers"
CUSTOMER_RECORDS = "Personal information categories listed in Cal. Civ. Code 1798.80(e)"
COMMERCIAL = "Commercial information"
NETWORK = "Internet or other electronic network activity information"
GEOLOCATION = "Geolocation data"
SENSORY = "Audio, electronic, visual, thermal, olfactory, or similar information"
PROFESSIONAL = "Professional or employment-related information"
INFERENCES = "Inferences drawn to create a profile about preferences"
SENSITIVE = "Sensitive personal information"
OTHER = "Other personal information"

MAPPING: tuple[tuple[str, str], ...] = (
    ("pd:Password", SENSITIVE),
    ("pd:PaymentCard", SENSITIVE),
    ("pd:GPSCoordinate", GEOLOCATION),
    ("pd:Location", GEOLOCATION),
    ("pd:TravelHistory", GEOLOCATION),
    ("pd:Name", IDENTIFIERS),
    ("pd:EmailAddress", IDENTIFIERS),
    ("pd:Username", IDENTIFIERS),
    ("pd:IPAddress", IDENTIFIERS),
    ("pd:PhysicalAddress", IDENTIFIERS),
    ("pd:TelephoneNumber", CUSTOMER_RECORDS),
    ("pd:Contact", IDENTIFIERS),
    ("pd:Transactional", COMMERCIAL),
    ("pd:BrowsingBehaviour", NETWORK),
    ("pd:ServiceConsumptionBehaviour", NETWORK),
    ("pd:AuthenticationHistory", NETWORK),
    ("pd:DeviceBased", NETWORK),
    ("pd:Picture", SENSORY),
    ("pd:CurrentEmployment", PROFESSIONAL),
    ("pd:Job", PROFESSIONAL),
    ("pd:WorkHistory", PROFESSIONAL),
    ("pd:WorkEnvironment", PROFESSIONAL),
    ("pd:GroupMembership", PROFESSIONAL),
    ("pd:PersonalDocuments", CUSTOMER_RECORDS),
    ("pd:Communication", CUSTOMER_RECORDS),
    ("pd:Preference", INFERENCES),
)


def ccpa_category(term: str) -> str:
    for root, category in MAPPING:
        if term == root or (dpv.is_term(term) and dpv.is_term(root) and dpv.is_a(term, root)):
            return category
    return OTHER


def ccpa_categories(terms: set[str]) -> list[str]:
    return sorted({ccpa_category(t) for t in terms})
