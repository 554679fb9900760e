"""Importing a Trust's people from a CSV file."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from marshmallow import ValidationError

from services.identity import domain, events, schemas
from services.identity.models import Trust, User
from shared.db import utcnow
from shared.domain import Caller, Invalid, NotFound
from shared.errors import flatten_messages
from shared.uow import UnitOfWork

# --- Importing a Trust's people ---------------------------------------------------------------------

# Rows applied per transaction: a 10,000-row file never holds one long transaction, and a batch's outbox
# rows commit with its people.
IMPORT_BATCH = 500
_IMPORT_ROW = schemas.ImportRow()


def import_users(uow: UnitOfWork, caller: Caller, trust_id: uuid.UUID | None, data: bytes) -> dict:
    """Create, update or leave as they are the people of a CSV file, matched by staff number in the Trust.
    The rows that break a rule are reported by line and change nothing; the others are applied."""
    trust = _trust_managed_by(uow, caller, trust_id)
    rows = [_read_row(raw) for raw in domain.read_import_file(data)]

    # Everything the rules need, in a few queries rather than a few per row.
    people = {
        user.staff_number: user
        for user in uow.session.scalars(
            sa.select(User).where(User.trust_id == trust.id, User.staff_number.is_not(None))
        )
    }
    plan = domain.plan_import(
        rows,
        caller=caller,
        by_staff_number={number: domain.KnownPerson(user.id, tuple(user.roles)) for number, user in people.items()},
        email_owners=_email_owners(uow, {row.values["email"] for row in rows if "email" in row.values}),
    )

    work = sorted([(row, None) for row in plan.creates] + plan.matches, key=lambda item: item[0].line)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(work), IMPORT_BATCH):
        batch = work[start : start + IMPORT_BATCH]
        # The matched people, locked and read afresh: a change made since they were first read is compared
        # against, not overwritten blindly.
        matched = {
            user.id: user
            for user in uow.session.scalars(
                sa.select(User)
                .where(User.id.in_([user_id for _, user_id in batch if user_id]))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        }
        now = utcnow()
        for row, user_id in batch:
            if user_id is None:
                _import_new(uow, trust.id, row.values, now)
                counts["created"] += 1
            elif _import_changes(uow, matched[user_id], row.values, now):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        uow.commit()
    rejected = [{"row": row.line, "errors": row.errors} for row in plan.rejected]
    return {**counts, "rejected": rejected}


def _trust_managed_by(uow: UnitOfWork, caller: Caller, trust_id: uuid.UUID | None) -> Trust:
    if trust_id is None:
        if caller.is_platform_admin:
            raise Invalid("trust_id", "Name the Trust to import into: ?trust_id=.")
        trust_id = caller.trust_id
    trust = uow.session.get(Trust, trust_id) if domain.can_manage_trust_users(caller, trust_id) else None
    if trust is None:
        raise NotFound("No such Trust.")
    return trust


def _read_row(raw: domain.RawRow) -> domain.ImportRow:
    if raw.problem:
        return domain.ImportRow(raw.line, {}, {"row": [raw.problem]})
    try:
        return domain.ImportRow(raw.line, _IMPORT_ROW.load(raw.cells))
    except ValidationError as error:
        valid = error.valid_data if isinstance(error.valid_data, dict) else {}
        return domain.ImportRow(raw.line, valid, flatten_messages(error.messages))


def _email_owners(uow: UnitOfWork, emails: set[str]) -> dict[str, uuid.UUID]:
    """Who already has each of these emails, in any Trust."""
    owners: dict[str, uuid.UUID] = {}
    wanted = sorted(emails)
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        owners.update(uow.session.execute(sa.select(User.email, User.id).where(User.email.in_(chunk))).all())
    return owners


def _import_new(uow: UnitOfWork, trust_id: uuid.UUID, values: dict, now: datetime) -> None:
    # No password: the person sets one from an invitation.
    user = User(
        id=uuid.uuid4(),
        trust_id=trust_id,
        password_hash=None,
        active=True,
        created_at=now,
        updated_at=now,
        **{name: values[name] for name in ("staff_number", *domain.IMPORTED_FIELDS)},
    )
    uow.session.add(user)
    uow.publish("user.registered", subject=user.id, data=events.user_registered(user), trust_id=trust_id)


def _import_changes(uow: UnitOfWork, user: User, values: dict, now: datetime) -> bool:
    current = {name: getattr(user, name) for name in domain.IMPORTED_FIELDS}
    changed = domain.changed_fields(current, values)
    if not changed:
        return False
    for name in changed:
        setattr(user, name, values[name])
    user.updated_at = now
    uow.publish("user.updated", subject=user.id, data=events.user_updated(user, changed), trust_id=user.trust_id)
    return True
