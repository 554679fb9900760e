"""Supervisors' sign-off of each skill of a passport (proficient or not yet), requests for sign-off,
revocation, and the audit trail of every decision. Passports, their skills and self-assessments are known
from passport.* events; people's names and staff numbers from user.* events, and a leaver's
(user.deactivated) open requests close."""
