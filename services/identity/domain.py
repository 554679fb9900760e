"""Identity's rules, as pure functions: who may manage whom, roles, sign-in throttling, passwords,
one-time links, the emails that carry them, and importing a Trust's people."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from shared.domain import Caller, DomainError, Forbidden, Invalid, NotFound, TooLarge
from shared.language import ROLES

# Fields a user may change on their own account; the rest need an administrator.
SELF_SERVICE_FIELDS = frozenset({"name", "password", "current_password"})
# Changed on one's own account these could lock the last administrator out: another admin must.
NOT_ON_ONESELF_FIELDS = frozenset({"roles", "active", "trust_id"})
PLATFORM_ONLY_FIELDS = frozenset({"trust_id"})


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_roles(roles: list[str], trust_id: uuid.UUID | None) -> list[str]:
    """A user has at least one role; everyone but a platform admin belongs to a Trust."""
    unique = sorted(set(roles), key=ROLES.index)
    if not unique:
        raise Invalid("roles", "At least one role is required.")
    if trust_id is None and unique != ["platform_admin"]:
        raise Invalid("trust_id", "Every user but a platform admin belongs to a Trust.")
    return unique


def can_manage_trust_users(caller: Caller, trust_id: uuid.UUID | None) -> bool:
    if caller.is_platform_admin:
        return True
    return "trust_admin" in caller.roles and trust_id is not None and caller.trust_id == trust_id


def check_can_create_user(caller: Caller, trust_id: uuid.UUID | None, roles: list[str]) -> None:
    if not can_manage_trust_users(caller, trust_id):
        raise Forbidden("A trust_admin may create users in their own Trust only.")
    if "platform_admin" in roles and not caller.is_platform_admin:
        raise Forbidden("Only a platform admin may grant the platform_admin role.")


def check_can_read_user(caller: Caller, user_id: uuid.UUID, user_trust_id: uuid.UUID | None) -> None:
    """Everyone reads themselves; administrators read their Trust's users; another Trust is 404."""
    if caller.user_id == user_id or can_manage_trust_users(caller, user_trust_id):
        return
    if caller.trust_id is None or caller.trust_id != user_trust_id:
        raise NotFound("No such user.")
    raise Forbidden("Only a trust_admin may read other users of the Trust.")


def check_can_update_user(
    caller: Caller,
    user_id: uuid.UUID,
    user_trust_id: uuid.UUID | None,
    user_roles: list[str],
    changes: dict,
) -> None:
    check_can_read_user(caller, user_id, user_trust_id)
    fields = set(changes)
    if not fields:
        raise Invalid("body", "Give at least one field to change.")
    if caller.user_id == user_id and fields & NOT_ON_ONESELF_FIELDS:
        names = ", ".join(sorted(fields & NOT_ON_ONESELF_FIELDS))
        raise Forbidden(f"Another administrator must change your own {names}.")
    if caller.user_id == user_id and "password" in fields and "current_password" not in fields:
        raise Invalid("current_password", "Give your current password to set a new one.")
    is_admin = can_manage_trust_users(caller, user_trust_id)
    if not is_admin:
        if not fields <= SELF_SERVICE_FIELDS:
            names = ", ".join(sorted(fields - SELF_SERVICE_FIELDS))
            raise Forbidden(f"Only an administrator may change: {names}.")
        return
    if not caller.is_platform_admin:
        if "platform_admin" in user_roles:
            raise Forbidden("Only a platform admin may change a platform admin.")
        if "platform_admin" in (changes.get("roles") or []):
            raise Forbidden("Only a platform admin may grant the platform_admin role.")
        if fields & PLATFORM_ONLY_FIELDS:
            raise Forbidden("Only a platform admin may move a user to another Trust.")


def check_can_read_trust(caller: Caller, trust_id: uuid.UUID) -> None:
    if not caller.is_platform_admin and caller.trust_id != trust_id:
        raise NotFound("No such Trust.")


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None = None


def locked_for(state: ThrottleState | None, now: datetime) -> int:
    """Seconds until sign-in is allowed again (0 when it is allowed now)."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return 0
    return max(1, int((state.locked_until - now).total_seconds() + 0.999))


def record_failure(state: ThrottleState | None, now: datetime, policy: ThrottlePolicy) -> ThrottleState:
    if state is None or now - state.window_started_at > policy.window:
        state = ThrottleState(failures=0, window_started_at=now)
    state = replace(state, failures=state.failures + 1)
    if state.failures >= policy.max_failures:
        state = replace(state, locked_until=now + policy.lockout, failures=0, window_started_at=now)
    return state


def token_claims(
    *,
    user_id: uuid.UUID,
    trust_id: uuid.UUID | None,
    roles: list[str],
    name: str,
    issuer: str,
    audience: str,
    now: datetime,
    ttl_seconds: int,
) -> dict:
    issued = int(now.timestamp())
    return {
        "sub": str(user_id),
        "trust_id": str(trust_id) if trust_id else None,
        "roles": list(roles),
        "name": name,
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }


# --- Passwords (NCSC guidance: length, no composition rules, no common passwords) -------------------

PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH = 10, 256
TOO_COMMON = "This password is too common. Choose one that is harder to guess."
SAME_AS_EMAIL = "Your password must not be your email address."


def password_problem(password: str, *, email: str | None, common: frozenset[str]) -> str | None:
    """Why a new password is refused, in plain words; None when it is acceptable. `common` holds the
    common passwords in lower case."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Use at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Use at most {PASSWORD_MAX_LENGTH} characters."
    if password.lower() in common:
        return TOO_COMMON
    if email and password.strip().lower() == normalise_email(email):
        return SAME_AS_EMAIL
    return None


def read_common_passwords(lines) -> frozenset[str]:
    """The list as stored: one password a line, lines starting with '#' are comments."""
    return frozenset(line.rstrip("\r\n").lower() for line in lines if line.strip() and not line.startswith("#"))


# --- One-time links: invitations and password resets ------------------------------------------------

INVITATION, PASSWORD_RESET = "invitation", "password_reset"
LINK_PURPOSES = (INVITATION, PASSWORD_RESET)
LINK_USED = "This link has already been used."
LINK_EXPIRED = "This link has expired."
LINK_UNKNOWN = "This link is not valid. Check it was copied in full."
# Asking for a reset again this soon sends nothing new: the form cannot be used to flood someone's inbox.
RESET_REPEAT_AFTER = timedelta(minutes=1)
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5007"  # the portal, which has the set-password page


@dataclass(frozen=True)
class LinkSettings:
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL
    invitation_ttl: timedelta = timedelta(hours=168)
    reset_ttl: timedelta = timedelta(minutes=60)

    def ttl(self, purpose: str) -> timedelta:
        return self.invitation_ttl if purpose == INVITATION else self.reset_ttl

    def url(self, token: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/set-password/{token}"


def token_hash(token: str) -> str:
    """What is stored of a link's token: enough to find it, useless to anyone who reads the database."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_problem(*, used_at: datetime | None, expires_at: datetime, now: datetime) -> str | None:
    """Why a link can no longer be used (410), or None."""
    if used_at is not None:
        return LINK_USED
    if expires_at <= now:
        return LINK_EXPIRED
    return None


def check_can_invite(caller: Caller, user_trust_id: uuid.UUID | None, user_roles: list[str]) -> None:
    """Administrators invite people of the Trust they administer; anyone else's are not there (404)."""
    if not can_manage_trust_users(caller, user_trust_id):
        raise NotFound("No such user.")
    if "platform_admin" in user_roles and not caller.is_platform_admin:
        raise Forbidden("Only a platform admin may invite a platform admin.")


# --- Emails -----------------------------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")


def when(moment: datetime) -> str:
    """A moment as people in England read it: '8 December 2026 at 2:05pm'."""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def invitation_email(*, trust_name: str, link: str, expires_at: datetime) -> tuple[str, str]:
    subject = "You have been invited to Skills Passports"
    body = (
        f"You have been invited to Skills Passports by {trust_name}.\n\n"
        f"Set your password: {link}\n\n"
        f"The link works once and expires on {when(expires_at)}.\n\n"
        "If you were not expecting this email, you can ignore it.\n"
    )
    return subject, body


def reset_email(*, link: str, expires_at: datetime) -> tuple[str, str]:
    subject = "Reset your Skills Passports password"
    body = (
        "Someone asked to reset the password of your Skills Passports account.\n\n"
        f"Set a new password: {link}\n\n"
        f"The link works once and expires on {when(expires_at)}.\n\n"
        "If you did not ask for this, you can ignore this email: your password has not changed.\n"
    )
    return subject, body


def email_retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failure an email is tried again: doubling from 30 seconds, at most
    an hour apart, and never given up."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool = False
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpSettings:
    """`smtp://host:port` or `smtp+starttls://user:password@host:port` (user and password URL-encoded)."""
    parts = urlsplit(url)
    schemes = {"smtp": (False, 25), "smtp+starttls": (True, 587)}
    if parts.scheme not in schemes:
        raise ValueError(f"SMTP_URL must start with smtp:// or smtp+starttls://, not {parts.scheme!r}")
    starttls, default_port = schemes[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ValueError("SMTP_URL has a port that is not a number") from None
    if not parts.hostname:
        raise ValueError("SMTP_URL names no host")
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


# --- Importing a Trust's people from a CSV file ------------------------------------------------------

IMPORT_COLUMNS = ("staff_number", "name", "email", "professional_group", "roles", "department")
IMPORT_HEADER = ",".join(IMPORT_COLUMNS)
IMPORT_MAX_ROWS = 10_000
IMPORT_MAX_BYTES = 5 * 1024 * 1024
# The fields an import sets, compared to tell an updated person from an unchanged one.
IMPORTED_FIELDS = ("name", "email", "professional_group", "roles", "department")


@dataclass(frozen=True)
class RawRow:
    """One line of the file: its number (the header is line 1) and its cells by column, or why not."""

    line: int
    cells: dict[str, str] | None = None
    problem: str | None = None


def read_import_file(data: bytes) -> list[RawRow]:
    """The file's rows, or a problem with the whole file (nothing is imported then)."""
    if len(data) > IMPORT_MAX_BYTES:
        raise TooLarge(f"The file is larger than {IMPORT_MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.") from None
    if "\x00" in text:
        raise DomainError("The file is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[RawRow] = []
    header = None
    try:
        while True:
            line = reader.line_num + 1  # the line this record starts on
            try:
                record = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in record):
                continue  # blank lines are no one
            if header is None:
                header = [cell.strip() for cell in record]
                if tuple(header) != IMPORT_COLUMNS:
                    raise Invalid("file", f"The first line must be: {IMPORT_HEADER}")
                continue
            if len(rows) == IMPORT_MAX_ROWS:
                raise TooLarge(f"The file has more than {IMPORT_MAX_ROWS:,} people. Split it into smaller files.")
            if len(record) != len(IMPORT_COLUMNS):
                rows.append(
                    RawRow(
                        line,
                        problem=f"This line has {len(record)} values; it needs "
                        f"{len(IMPORT_COLUMNS)}, one for each column of the first line.",
                    )
                )
            else:
                rows.append(RawRow(line, cells=dict(zip(IMPORT_COLUMNS, record, strict=True))))
    except csv.Error:
        raise DomainError("The file is not a CSV file that can be read: check its quotes.") from None
    if header is None:
        raise Invalid("file", f"The file is empty. The first line must be: {IMPORT_HEADER}")
    return rows


@dataclass(frozen=True)
class ImportRow:
    """A row of the file after its fields were read: the values that are valid, and the fields' problems
    (a row without problems has every value)."""

    line: int
    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class KnownPerson:
    """What an import needs to know of someone already in the Trust."""

    id: uuid.UUID
    roles: tuple[str, ...]


@dataclass
class ImportPlan:
    creates: list[ImportRow] = field(default_factory=list)
    matches: list[tuple[ImportRow, uuid.UUID]] = field(default_factory=list)  # (row, the person it matches)
    rejected: list[ImportRow] = field(default_factory=list)


def plan_import(
    rows: list[ImportRow],
    *,
    caller: Caller,
    by_staff_number: dict[str, KnownPerson],
    email_owners: dict[str, uuid.UUID],
) -> ImportPlan:
    """Which rows create a person, which match one (by staff number, in the Trust), which are rejected.

    `email_owners` holds whoever already has each of the file's email addresses, in any Trust. A row is
    rejected with every problem it has; a staff number or email already on an earlier line rejects the
    later line. An email held by another person rejects the row even when that person's own row changes
    it: emails never move between people in one import."""
    plan = ImportPlan()
    first_line: dict[tuple[str, str], int] = {}
    for row in rows:
        errors = {name: list(messages) for name, messages in row.errors.items()}
        values = row.values
        staff_number, email = values.get("staff_number"), values.get("email")
        for name, key in (("staff_number", staff_number), ("email", email)):
            if key is None:
                continue
            earlier = first_line.setdefault((name, key), row.line)
            if earlier != row.line:
                what = "staff number" if name == "staff_number" else "email address"
                errors.setdefault(name, []).append(f"Line {earlier} has the same {what}.")
        if not errors:
            _check_row(errors, values, caller, by_staff_number.get(staff_number), email_owners.get(email))
        if errors:
            plan.rejected.append(ImportRow(row.line, row.values, errors))
        elif staff_number in by_staff_number:
            plan.matches.append((row, by_staff_number[staff_number].id))
        else:
            plan.creates.append(row)
    return plan


def _check_row(errors: dict, values: dict, caller: Caller, match: KnownPerson | None, owner: uuid.UUID | None) -> None:
    roles = values["roles"]
    if "platform_admin" in roles and not caller.is_platform_admin:
        errors.setdefault("roles", []).append("Only a platform admin may grant the platform_admin role.")
    if match is not None and "platform_admin" in match.roles and not caller.is_platform_admin:
        errors.setdefault("staff_number", []).append("Only a platform admin may change a platform admin.")
    if match is not None and match.id == caller.user_id and tuple(roles) != tuple(match.roles):
        errors.setdefault("roles", []).append("Another administrator must change your own roles.")
    if owner is not None and (match is None or owner != match.id):
        errors.setdefault("email", []).append("Another person already has this email address.")


def changed_fields(current: dict, desired: dict) -> list[str]:
    """The imported fields whose values differ, in a stable order."""
    return [name for name in IMPORTED_FIELDS if current.get(name) != desired.get(name)]
