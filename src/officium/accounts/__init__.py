"""Organizations (the tenants), people, memberships and roles."""
