"""The sign-off service: what it serves, publishes and consumes."""

from __future__ import annotations

from shared.service import service_package

SERVICE = service_package(
    __name__,
    title="Skills Passports — sign-off",
)
