"""The five shipped profiles pass the check and encode their notices' facts."""

from __future__ import annotations

from collections.abc import Callable

from officium.privacy.policy import dpv
from officium.privacy.policy.loader import check_policy_file, policies_dir
from officium.privacy.policy.schema import Policy

LoadProfile = Callable[[str], Policy]


def test_every_profile_passes_the_check(profile_name: str) -> None:
    assert check_policy_file(policies_dir() / f"{profile_name}.yaml") == []


def test_every_profile_declares_location_documents_and_logs(
    profile_name: str, load_profile: LoadProfile
) -> None:
    """Later apps register fields with these terms; every profile must let them."""
    policy = load_profile(profile_name)
    terms = {c.term for c in policy.categories}
    assert "pd:GPSCoordinate" in terms
    assert "pd:PersonalDocuments" in terms
    assert "pd:IPAddress" in terms
    assert policy.logs is not None
    assert all(c.sensitivity == "sensitive" for c in policy.categories_with_term("pd:GPSCoordinate"))


def test_AC1_officeportal_signup_fields(load_profile: LoadProfile) -> None:
    policy = load_profile("officeportal")
    assert policy.signup_keys == [
        "first_name", "last_name", "email", "company_name", "employee_count", "phone",
        "country", "preferred_domain", "position", "contact_channels",
    ]
    email = next(f for f in policy.signup_fields if f.key == "email")
    assert policy.category(email.category).term == "pd:EmailAddressWork"


def test_AC2_officexlr_and_officetools_signup_fields(load_profile: LoadProfile) -> None:
    assert load_profile("officexlr").signup_keys == [
        "full_name", "company_name", "address", "email", "phone",
    ]
    assert load_profile("officetools").signup_keys == [
        "company_name", "industry", "employee_count", "phone", "position", "city", "state",
        "country", "zip_code", "username", "email", "password",
    ]


def test_NO4_age_thresholds(load_profile: LoadProfile) -> None:
    thresholds = {name: (p.age.threshold if p.age else None)
                  for name in ("officeportal", "officexlr", "officetrack", "workoptima",
                               "officetools")
                  for p in [load_profile(name)]}
    assert thresholds == {"officeportal": 16, "officexlr": 13, "officetrack": None,
                          "workoptima": 18, "officetools": None}


def test_CO3_only_officexlr_ignores_dnt_and_gpc(profile_name: str,
                                               load_profile: LoadProfile) -> None:
    signals = load_profile(profile_name).signals
    honoured = profile_name != "officexlr"
    assert (signals.dnt, signals.gpc) == (honoured, honoured)


def test_RE1_officetrack_keeps_mobile_and_location_data_90_days(
    load_profile: LoadProfile,
) -> None:
    policy = load_profile("officetrack")
    location = policy.categories_with_term("pd:GPSCoordinate")[0]
    (rule,) = policy.retention_for_category(location.id)
    assert (rule.duration_days, rule.trigger) == (90, "created")
    assert "mobile_sync" in rule.data_types
    assert rule.days_for(plan="extended_history") > 90


def test_RE2_RE3_termination_and_cancellation(load_profile: LoadProfile) -> None:
    workoptima = load_profile("workoptima")
    assert workoptima.termination_grace_days == 30
    assert workoptima.processor_mode
    officetools = load_profile("officetools")
    (rule,) = officetools.retention_for_category("email")
    assert (rule.trigger, rule.duration_days) == ("account_cancelled", 0)


def test_NO2_officetrack_material_changes_wait_30_days(profile_name: str,
                                                       load_profile: LoadProfile) -> None:
    days = load_profile(profile_name).changes.material_effective_after_days
    assert days == (30 if profile_name == "officetrack" else 0)


def test_RI8_officexlr_answers_within_one_month(load_profile: LoadProfile) -> None:
    gdpr, ccpa = load_profile("officexlr").rights
    assert gdpr.deadline.months == 1 and gdpr.extension is not None
    assert {"restriction", "objection", "portability"} <= set(gdpr.rights)
    assert ccpa.audiences == ["california"]
    assert ccpa.extension is not None and ccpa.extension.days == 45


def test_RI10_officeportal_offers_rights_in_the_eea_only(load_profile: LoadProfile) -> None:
    policy = load_profile("officeportal")
    assert [a.places for a in policy.audiences] == [["EEA"]]


def test_AC5_officexlr_logs_are_not_linked_so_ips_are_truncated(
    profile_name: str, load_profile: LoadProfile
) -> None:
    logs = load_profile(profile_name).logs
    assert logs is not None
    assert logs.truncate_ip == (profile_name == "officexlr")


def test_PU7_storage_countries_from_the_notices(load_profile: LoadProfile) -> None:
    assert load_profile("workoptima").storage_countries == ["US", "CA"]
    assert load_profile("officetrack").storage_countries == ["WORLDWIDE"]
    assert "US" in load_profile("officetools").storage_countries


def test_NO5_contacts_from_the_notices(load_profile: LoadProfile) -> None:
    assert load_profile("officetrack").controller.privacy_email == "support@officecore.com"
    assert load_profile("workoptima").controller.privacy_email == "support@workoptima.com"
    officetools = load_profile("officetools").controller
    assert officetools.privacy_email == "info@officetools.com"
    assert officetools.postal_address is not None and "Palmdale, CA 93551" in officetools.postal_address
    assert load_profile("officeportal").controller.contact_form


def test_every_term_in_every_profile_is_a_dpv_term(profile_name: str,
                                                   load_profile: LoadProfile) -> None:
    policy = load_profile(profile_name)
    used = [c.term for c in policy.categories] + [p.term for p in policy.purposes]
    used += [p.legal_basis for p in policy.purposes] + policy.security_measures
    assert all(dpv.is_term(term) for term in used)
