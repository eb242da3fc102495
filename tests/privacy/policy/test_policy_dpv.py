"""The committed DPV term list answers membership, labels and hierarchy, and is current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from officium.privacy.policy import dpv

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT.parent / "shared" / "vocab" / "dpv-2.2"


def test_terms_labels_and_hierarchy() -> None:
    assert dpv.is_term("pd:EmailAddressWork")
    assert dpv.is_term("dpv:ServiceProvision")
    assert dpv.is_term("eu-gdpr:A6-1-a")
    assert not dpv.is_term("pd:ShoeSize")
    assert not dpv.is_term("dpv:hasPurpose")  # properties are not terms
    assert dpv.label("pd:GPSCoordinate") == "GPS Coordinate"
    assert dpv.is_a("pd:GPSCoordinate", "pd:Location")
    assert dpv.is_a("pd:GPSCoordinate", "dpv:PersonalData")
    assert dpv.is_a("eu-gdpr:A6-1-a", "dpv:Consent")
    assert dpv.is_a("dpv:DirectMarketing", "dpv:Marketing")
    assert not dpv.is_a("dpv:Marketing", "dpv:DirectMarketing")
    assert dpv.is_a("pd:Name", "pd:Name")
    with pytest.raises(KeyError):
        dpv.label("pd:ShoeSize")


def test_notice_ships_with_the_terms() -> None:
    notice = (Path(dpv.__file__).parent / "DPV_NOTICE.md").read_text(encoding="utf-8")
    assert "W3C Software and Document license" in notice
    assert "Copyright" in notice


@pytest.mark.skipif(not SOURCE.is_dir(), reason="../shared/vocab/dpv-2.2 is not beside the project")
def test_generated_term_list_is_current() -> None:
    spec = importlib.util.spec_from_file_location("gen_dpv_terms", ROOT / "tools" / "gen_dpv_terms.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check", "--source", str(SOURCE)]) == 0


def test_every_right_maps_to_a_dpv_term() -> None:
    from officium.privacy.policy.sections import RIGHT_TERMS

    assert all(dpv.is_term(term) for term in RIGHT_TERMS.values())
