"""The planning service: what it serves, publishes, consumes and offers on the command line."""

from __future__ import annotations

from services.planning import handlers
from services.planning.example import load_example_command
from services.planning.models import Base
from services.planning.routes import BLUEPRINTS
from shared.service import ServiceSpec, migrations_of

SERVICE = ServiceSpec(
    name="planning",
    title="Skills Passports — planning",
    description=(
        "A Trust's Plan-Do-Study-Act implementation plans (aim and target, stakeholders, driver diagram, "
        "future-state process map, launch, measures, PDSA cycles), its workforce model and rotation cohort, "
        "and the roster of who is eligible in each role, fed by certificate.* events, named by the names and "
        "staff numbers of user.* events, with leavers (user.deactivated) ineligible; published to outside "
        "systems as the public roster.updated."
    ),
    blueprints=BLUEPRINTS,
    migrations=migrations_of(__file__),
    metadata=Base.metadata,
    handlers=handlers.HANDLERS,
    commands={"load-example": ("load the toolkit's adult critical care example into TRUST_ID", load_example_command)},
)
