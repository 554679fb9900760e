"""The certificate rules, as pure functions: validity, status changes, renewal and who may read or revoke."""

from __future__ import annotations

import calendar
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain import Caller, Conflict, NotFound
from shared.language import (
    CERTIFICATE_READERS,
    CERTIFICATE_REVOKERS,
    CERTIFICATE_STATUSES,
    EXPIRED,
    REVOKED,
    SUPERSEDED,
    VALID,
)
from shared.rules import is_newer_profile, may_read, standing_certificate

STATUSES = CERTIFICATE_STATUSES
READERS, REVOKERS = CERTIFICATE_READERS, CERTIFICATE_REVOKERS

DEFAULT_VALIDITY_MONTHS = 12
EXPIRY_SWEEP_SETTING = "SKILLPASS_EXPIRY_SWEEP_SECONDS"
DEFAULT_EXPIRY_SWEEP_SECONDS = 60.0
VALIDITY_SETTING = "SKILLPASS_CERTIFICATE_VALIDITY_MONTHS"
PUBLIC_BASE_URL_SETTING = "SKILLPASS_PUBLIC_BASE_URL"
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5007"  # the portal: its page for people, the JSON for programs


# --- Validity ----------------------------------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; the month's last day when it is shorter (31 Jan + 1 → 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def validity_setting_name(passport_type: str) -> str:
    """The per-type override: codes may hold '-' and '.', which environment variable names cannot."""
    return f"{VALIDITY_SETTING}_{re.sub(r'[^A-Z0-9]', '_', passport_type.upper())}"


def _seconds(name: str, raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if seconds <= 0:
        raise ValueError(f"{name} must be more than 0, not {raw!r}")
    return seconds


def _months(name: str, raw: str) -> int:
    try:
        months = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of months, not {raw!r}") from None
    if months < 1:
        raise ValueError(f"{name} must be at least 1 month, not {months}")
    return months


@dataclass(frozen=True)
class CertificateSettings:
    """How long certificates are valid, per passport type, where they are verified publicly, and how often the
    worker looks for those past their date."""

    public_base_url: str = DEFAULT_PUBLIC_BASE_URL
    default_months: int = DEFAULT_VALIDITY_MONTHS
    months_by_setting: dict[str, int] = field(default_factory=dict)
    expiry_sweep_seconds: float = DEFAULT_EXPIRY_SWEEP_SECONDS

    @classmethod
    def from_extra(cls, extra: dict[str, str]) -> CertificateSettings:
        default = extra.get(VALIDITY_SETTING)
        return cls(
            public_base_url=(extra.get(PUBLIC_BASE_URL_SETTING) or DEFAULT_PUBLIC_BASE_URL).rstrip("/"),
            expiry_sweep_seconds=_seconds(EXPIRY_SWEEP_SETTING, extra[EXPIRY_SWEEP_SETTING])
            if extra.get(EXPIRY_SWEEP_SETTING)
            else DEFAULT_EXPIRY_SWEEP_SECONDS,
            default_months=_months(VALIDITY_SETTING, default) if default else DEFAULT_VALIDITY_MONTHS,
            months_by_setting={
                name: _months(name, raw)
                for name, raw in extra.items()
                if name.startswith(VALIDITY_SETTING + "_") and raw
            },
        )

    def validity_months(self, passport_type: str) -> int:
        return self.months_by_setting.get(validity_setting_name(passport_type), self.default_months)

    def expires_at(self, passport_type: str, issued_at: datetime) -> datetime:
        return add_months(issued_at, self.validity_months(passport_type))

    def verify_url(self, certificate_id: uuid.UUID) -> str:
        return f"{self.public_base_url}/certificates/{certificate_id}/verify"


# --- Status ------------------------------------------------------------------------------------------


def status_at(status: str, expires_at: datetime, now: datetime) -> str:
    """The status as a verifier must see it: a valid certificate past its expiry is expired even
    before the sweep has marked it so."""
    if status == VALID and expires_at <= now:
        return EXPIRED
    return status


def check_revocable(status: str) -> None:
    if status != VALID:
        raise Conflict(f"The certificate is already {status}: only a valid certificate can be revoked.")


def is_stale_completion(completed_at: datetime, reopened_at: datetime | None) -> bool:
    """A completion the passport has since been reopened after no longer holds: it certifies nothing."""
    return reopened_at is not None and reopened_at >= completed_at


@dataclass(frozen=True)
class Held:
    """A valid certificate the holder already has in the same role."""

    certificate_id: uuid.UUID
    completed_at: datetime


@dataclass(frozen=True)
class Renewal:
    supersedes: list[uuid.UUID]  # the older certificates the new one replaces
    superseded_by: uuid.UUID | None  # set when a newer certificate already holds: the new one replaces nothing


def renewal(completed_at: datetime, held: list[Held]) -> Renewal:
    """A newer completion in the same role renews: its certificate supersedes those of older completions.
    Events may arrive in any order, so an older completion arriving late is born superseded."""
    newer = {h.certificate_id: h.completed_at for h in held if h.completed_at > completed_at}
    if newer:
        return Renewal(supersedes=[], superseded_by=standing_certificate(newer))
    return Renewal(supersedes=[h.certificate_id for h in held if h.completed_at < completed_at], superseded_by=None)


# --- Who may see what --------------------------------------------------------------------------------


def can_read(caller: Caller, staff_id: uuid.UUID, trust_id: uuid.UUID) -> bool:
    return may_read(caller, staff_id, trust_id, READERS)


def check_can_read(
    caller: Caller, certificate_id: uuid.UUID, staff_id: uuid.UUID | None, trust_id: uuid.UUID | None
) -> None:
    """Another Trust's certificate, or a colleague's for plain staff, is as if it did not exist."""
    if staff_id is None or trust_id is None or not can_read(caller, staff_id, trust_id):
        raise NotFound(
            f"No certificate {certificate_id} of yours or your Trust. A certificate issued a moment ago may still "
            "be on its way here: try again shortly."
        )
