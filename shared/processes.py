"""The processes of each service and the command that starts each: docker-compose.yml, `make run` and the stack
tests all run exactly these."""

from __future__ import annotations

from shared.config import PORTAL

PROCESS_KINDS = ("init", "web", "worker")


def process_commands(service: str) -> dict[str, list[str]]:
    """The command of each of a service's processes: docker-compose.yml runs exactly these."""
    kinds = ("web",) if service == PORTAL else PROCESS_KINDS
    return {kind: ["skillpass", service, kind] for kind in kinds}
