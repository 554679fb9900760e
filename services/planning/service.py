"""The planning service: what it serves, publishes, consumes and offers on the command line."""

from __future__ import annotations

from services.planning.example import load_example_command
from shared.service import service_package

SERVICE = service_package(
    __name__,
    title="Skills Passports — planning",
    commands={"load-example": ("load the toolkit's adult critical care example into TRUST_ID", load_example_command)},
)
