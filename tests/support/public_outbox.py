"""The public half of a service's staged events (DESIGN §9), as the relay will send them to skillpass.public."""

from __future__ import annotations

import json

import sqlalchemy as sa

from shared.outbox import OutboxMessage


def public_outbox(service, event_type: str) -> list[tuple[str | None, dict, dict]]:
    """(public routing key, public envelope, internal envelope) of each staged event, oldest first; the
    routing key is None while the event waits for its Trust's ODS code."""
    with service.runtime.database.session() as session:
        rows = session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.event_type == event_type).order_by(OutboxMessage.id)
        )
        return [(row.public_routing_key, json.loads(row.public_envelope), json.loads(row.envelope)) for row in rows]
