"""Sending the queued emails (identity's worker)."""

from __future__ import annotations

import sqlalchemy as sa

from services.identity import domain
from services.identity.models import Email
from shared.db import utcnow
from shared.uow import UnitOfWork

# --- Sending the queued emails (identity's worker) ---------------------------------------------------

EMAIL_BATCH = 20


def send_due_emails(uow: UnitOfWork, mailer) -> int:
    """Send the emails that are due, a batch at a time, and say how many were tried. Rows are claimed with
    SKIP LOCKED, so that two workers never send the same one. A sent email's body is cleared (it holds a
    link); a failed one is tried again later, never dropped."""
    due = uow.session.scalars(
        sa.select(Email)
        .where(Email.sent_at.is_(None), Email.next_attempt_at <= utcnow())
        .order_by(Email.next_attempt_at, Email.id)
        .limit(EMAIL_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return 0
    failures = mailer.send([(row.id, row.to_address, row.subject, row.body or "") for row in due])
    now = utcnow()
    for row in due:
        error = failures.get(row.id)
        if error is None:
            row.sent_at, row.body, row.last_error = now, None, None
        else:
            row.attempts += 1
            row.last_error = error[:500]
            row.next_attempt_at = now + domain.email_retry_delay(row.attempts)
    uow.commit()
    return len(due)
