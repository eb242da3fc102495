"""Settings for the test suite: the real settings with OFFICIUM_ENV=test (locmem email,
immediate tasks, a quick argon2)."""

import os

os.environ["OFFICIUM_ENV"] = "test"

# The engine's tests run against the five notices as their operators published them
# (tests/policies/: with the payments, photos, cookies and partners that policies/ no longer
# states because no installed code backs them, PV7); the shipped profiles in policies/ are
# checked as such by tests/privacy/office/test_notice_backing.py.
from pathlib import Path as _Path  # noqa: E402

from officium.settings import *  # noqa: E402, F403

_PUBLISHED = _Path(__file__).resolve().parents[2] / "tests" / "policies"
if not OFFICIUM_POLICY_DIR and _PUBLISHED.is_dir():  # type: ignore[used-before-def]  # noqa: F405  (from settings' *)
    OFFICIUM_POLICY_DIR = str(_PUBLISHED)
