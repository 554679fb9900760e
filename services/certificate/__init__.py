"""Certificates for completed passports: each one an Open Badges 3.0 credential signed as a VC-JWT (keys at
/.well-known/jwks.json), a printable PDF, public verification without login, revocation, renewal and expiry.
Passports, people and Trusts are known from passport.*, user.* and trust.* events."""
