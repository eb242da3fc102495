"""Policy as code: the privacy notice as a validated, versioned file the engine enforces.

Pure Python (no Django), so the policy can be checked in CI and by ``officium policy
check`` without a database. See DESIGN.md, "The engine's contracts", item 2.
"""

from officium.privacy.policy.loader import (
    PolicyError,
    PolicyProblem,
    active_policy,
    check_policy_file,
    load_policy,
    policies_dir,
    reset_cache,
)
from officium.privacy.policy.notice import build_notice, render_json, render_markdown
from officium.privacy.policy.ropa import ropa_csv, ropa_json
from officium.privacy.policy.schema import SIGNUP_FIELD_KEYS, Policy
from officium.privacy.policy.versioning import (
    added_consent_purposes,
    effective_date,
    is_material_change,
    policy_hash,
)

__all__ = [
    "SIGNUP_FIELD_KEYS", "Policy", "PolicyError", "PolicyProblem", "active_policy",
    "added_consent_purposes", "build_notice", "check_policy_file", "effective_date",
    "is_material_change", "load_policy", "policies_dir", "policy_hash", "render_json",
    "render_markdown", "reset_cache", "ropa_csv", "ropa_json",
]
