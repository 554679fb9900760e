"""The sign-off service: what it serves, publishes and consumes."""

from __future__ import annotations

from services.signoff import handlers
from services.signoff.models import Base
from services.signoff.routes import BLUEPRINTS
from shared.service import ServiceSpec, migrations_of

SERVICE = ServiceSpec(
    name="signoff",
    title="Skills Passports — sign-off",
    description=(
        "Supervisors' sign-off of each skill of a passport (proficient or not yet), requests for sign-off, "
        "revocation, and the audit trail of every decision. Passports, their skills and self-assessments "
        "are known from passport.* events; people's names and staff numbers from user.* events, and a leaver's "
        "(user.deactivated) open requests close."
    ),
    blueprints=BLUEPRINTS,
    migrations=migrations_of(__file__),
    metadata=Base.metadata,
    handlers=handlers.HANDLERS,
)
