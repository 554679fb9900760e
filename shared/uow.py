"""Unit of work: one transaction holding a change and the events it publishes."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.db import Database
from shared.events.public import PublicFacts
from shared.outbox import stage_event


class UnitOfWork:
    def __init__(self, database: Database, service: str):
        self.database = database
        self.service = service
        self.session: Session

    def __enter__(self) -> "UnitOfWork":
        self.session = self.database.session()
        return self

    def __exit__(self, *exc_info) -> None:
        # close() rolls back anything uncommitted; unlike rollback() it leaves loaded objects readable.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def publish(
        self, event_type: str, *, subject: Any, data: dict[str, Any], trust_id: Any | None,
        public: PublicFacts | None = None,
    ) -> dict[str, Any]:
        """Stage an event; it reaches the bus only if this unit of work commits. A public event (the
        catalogue says which) needs `public`: the holder's staff number and name for its public payload."""
        return stage_event(
            self.session,
            service=self.service,
            event_type=event_type,
            subject=subject,
            data=data,
            trust_id=trust_id,
            public=public,
        )
