"""Audit events of organizations, accounts and memberships."""

from officium.privacy.audit.events import declare

SIGNUP = declare("accounts.signup", "Signed up and created the organization")
EMAIL_CONFIRMED = declare("accounts.email_confirmed", "Confirmed an email address")
MEMBER_INVITED = declare("accounts.member_invited", "Invited a member")
MEMBER_JOINED = declare("accounts.member_joined", "Joined the organization")
MEMBER_CHANGED = declare("accounts.member_changed", "Changed a member's role or manager")
MEMBER_REMOVED = declare("accounts.member_removed", "Removed a member")
API_TOKEN_CREATED = declare("accounts.api_token_created", "Created an API token")
API_TOKEN_REVOKED = declare("accounts.api_token_revoked", "Revoked an API token")
MFA_ENABLED = declare("accounts.mfa_enabled", "Turned on two-step sign-in")
MFA_DISABLED = declare("accounts.mfa_disabled", "Turned off two-step sign-in")
PASSWORD_CHANGED = declare("accounts.password_changed", "Changed the password")
ACCOUNT_CANCELLED = declare("accounts.account_cancelled", "Cancelled the account")
ORGANIZATION_TERMINATED = declare("accounts.organization_terminated",
                                  "Terminated the organization's account")
ORGANIZATION_DELETED = declare("accounts.organization_deleted", "Deleted the organization")
PASSWORD_RESET = declare("accounts.password_reset", "Reset the password by email")
SIGNUP_EXISTING_ADDRESS = declare("accounts.signup_existing_address",
                                  "Someone tried to sign up with an address that has an account")
RECOVERY_CODES_CREATED = declare("accounts.recovery_codes_created", "Made new recovery codes")
RECOVERY_CODE_USED = declare("accounts.recovery_code_used", "Signed in with a recovery code")
PASSKEY_REMOVED = declare("accounts.passkey_removed", "Removed a passkey")
MFA_LOCKED = declare("accounts.mfa_locked", "Two-step sign-in locked after wrong codes")
ORGANIZATION_CHANGED = declare("accounts.organization_changed", "Changed the organization's settings")
ONBOARDING_STEP = declare("accounts.onboarding_step", "Completed or skipped an onboarding step")
