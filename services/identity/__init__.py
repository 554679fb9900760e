"""Identity: Trusts, users, roles, credentials and the token signing keys."""
