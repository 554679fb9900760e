"""Unit of work: one transaction holding a change and the events it publishes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from shared.db import Database
from shared.events.public import PublicFacts
from shared.outbox import stage_event


class WrittenAtCommit(Protocol):
    def write(self, uow: UnitOfWork) -> None: ...


Gathered = TypeVar("Gathered", bound=WrittenAtCommit)


class UnitOfWork:
    def __init__(self, database: Database, service: str):
        self.database = database
        self.service = service
        self.session: Session
        self._gathered: dict[str, WrittenAtCommit] = {}

    def __enter__(self) -> UnitOfWork:
        self.session = self.database.session()
        return self

    def __exit__(self, *exc_info) -> None:
        # close() rolls back anything uncommitted; unlike rollback() it leaves loaded objects readable.
        self.session.close()

    def commit(self) -> None:
        for key in list(self._gathered):
            self._gathered.pop(key).write(self)
        self.session.commit()

    def rollback(self) -> None:
        self._gathered.clear()
        self.session.rollback()

    def gathered(self, key: str, start: Callable[[], Gathered]) -> Gathered:
        """What the handlers of this transaction add to together (the counter changes of a batch of events,
        say), made by `start` for the first of them and written once by its `write(uow)` as it commits."""
        if key not in self._gathered:
            self._gathered[key] = start()
        return self._gathered[key]  # type: ignore[return-value]

    def publish(
        self,
        event_type: str,
        *,
        subject: Any,
        data: dict[str, Any],
        trust_id: Any | None,
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
