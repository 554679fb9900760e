"""The passport service: what it serves, publishes, consumes and runs at start-up."""

from __future__ import annotations

import logging

from services.passport.passport_types import load_bundled
from shared.service import Runtime, service_package

log = logging.getLogger(__name__)


def load_sample_content(runtime: Runtime) -> None:
    with runtime.unit_of_work() as uow:
        added = load_bundled(uow.session)
        uow.commit()
    log.info("passport type content loaded", extra={"added": added})


SERVICE = service_package(
    __name__,
    title="Skills Passports — passport",
    init_steps=[load_sample_content],
)
