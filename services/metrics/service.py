"""The metrics service: what it serves, publishes, consumes and offers on the command line."""

from __future__ import annotations

from services.metrics import handlers
from services.metrics.models import COUNTER_NAMES
from shared.service import Runtime, service_package


def rebuild_command(runtime: Runtime, args: list[str]) -> int:
    """skillpass metrics rebuild: recompute every projection from the kept events, in one transaction."""
    if args:
        print("usage: skillpass metrics rebuild")
        return 2
    with runtime.unit_of_work() as uow:
        replayed = handlers.rebuild(uow, handlers.PROJECTION_OF)
        uow.commit()
        totals = handlers.totals_of_every_trust(uow)
    print(f"replayed {replayed} events")
    for row in totals:
        figures = " ".join(f"{counter}={getattr(row, counter)}" for counter in COUNTER_NAMES)
        print(f"{row.trust_id} {row.passport_type} {figures}")
    return 0


SERVICE = service_package(
    __name__,
    title="Skills Passports — metrics",
    commands={"rebuild": ("recompute every projection from the events kept, and print the totals", rebuild_command)},
)
