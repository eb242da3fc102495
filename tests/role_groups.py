"""Names for the sets of roles the route tables in tests/samples/<app>.py declare.

``outsider`` is a signed-in person with an organization of their own; ``anonymous`` is not
signed in.
"""

EVERYONE = ("owner", "admin", "privacy_officer", "manager", "member", "client", "outsider",
            "anonymous")
SIGNED_IN = ("owner", "admin", "privacy_officer", "manager", "member", "client", "outsider")
MEMBERS = ("owner", "admin", "privacy_officer", "manager", "member", "client")
STAFF = ("owner", "admin", "privacy_officer", "manager", "member")
EDITORS = ("owner", "admin", "manager")
ADMINS = ("owner", "admin")
PRIVACY_STAFF = ("owner", "privacy_officer")
NOBODY = ()
