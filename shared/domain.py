"""The language every service's domain speaks, in plain Python: who is asking (`Caller`) and the errors a rule
raises when it refuses. Nothing here imports Flask, SQLAlchemy or JWT, so that a service's `domain` module
stays pure; shared/errors.py maps the errors to HTTP and shared/auth.py makes a Caller from a token.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    trust_id: uuid.UUID | None
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_platform_admin(self) -> bool:
        return "platform_admin" in self.roles


class DomainError(Exception):
    """A rule of the domain refused the request; shared/errors.py gives each kind its HTTP status."""

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(DomainError):
    """Nothing of the kind the caller may see (another Trust's objects included)."""


class Conflict(DomainError):
    """The request contradicts the state things are in (a decision already made, a passport already started)."""


class Forbidden(DomainError):
    """The caller may see the thing but not do this to it."""


class Gone(DomainError):
    """Something that was real but can no longer be used (a one-time link used or expired)."""


class TooLarge(DomainError):
    """More than a rule allows at once (a file's size, a list's length)."""


class UnsupportedMediaType(DomainError):
    """A body in a form the rule cannot read (an upload that is not CSV)."""


class Unauthorized(DomainError):
    """No caller, or credentials that do not prove one."""


class Invalid(DomainError):
    """Input that is well-formed but breaks a rule: 422 naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"Invalid field: {field}. {message}", errors={field: [message]})

    @classmethod
    def fields(cls, errors: dict[str, list[str]]) -> Invalid:
        error = cls.__new__(cls)
        DomainError.__init__(error, f"Invalid field(s): {', '.join(sorted(errors))}", errors=errors)
        return error


class TooManyRequests(DomainError):
    """Too many attempts in a while (sign-ins): try again after `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after
