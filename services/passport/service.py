"""The passport service: what it serves, publishes, consumes and runs at start-up."""

from __future__ import annotations

import logging

from services.passport import handlers
from services.passport.models import Base
from services.passport.passport_types import load_bundled
from services.passport.routes import BLUEPRINTS
from shared.service import Runtime, ServiceSpec, migrations_of

log = logging.getLogger(__name__)


def load_sample_content(runtime: Runtime) -> None:
    with runtime.unit_of_work() as uow:
        added = load_bundled(uow.session)
        uow.commit()
    log.info("passport type content loaded", extra={"added": added})


SERVICE = ServiceSpec(
    name="passport",
    title="Skills Passports — passport",
    description=(
        "Passport types (domains, skills, learning resources; versioned), passports, self-assessment, "
        "learning records and completion. The bundled content is illustrative sample content."
    ),
    blueprints=BLUEPRINTS,
    migrations=migrations_of(__file__),
    metadata=Base.metadata,
    handlers=handlers.HANDLERS,
    init_steps=[load_sample_content],
)
