"""Identity's per-process parts, built once from its settings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from services.identity.domain import (
    DEFAULT_PUBLIC_BASE_URL,
    LinkSettings,
    ThrottlePolicy,
    parse_smtp_url,
    read_common_passwords,
)
from services.identity.mailer import Mailer
from services.identity.models import SigningKey
from services.identity.passwords import Passwords
from shared import signing
from shared.service import Runtime
from shared.signing import KeyRing


def _setting(runtime: Runtime, name: str, default: int) -> int:
    raw = runtime.settings.extra.get(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"
DEFAULT_EMAIL_FROM = "Skills Passports <skillpass@localhost>"


def passwords(runtime: Runtime) -> Passwords:
    def build(r: Runtime) -> Passwords:
        with COMMON_PASSWORDS.open(encoding="utf-8") as lines:
            common = read_common_passwords(lines)
        return Passwords(
            time_cost=_setting(r, "ARGON2_TIME_COST", 3),
            memory_kib=_setting(r, "ARGON2_MEMORY_KIB", 65536),
            common=common,
        )

    return runtime.component("passwords", build)


def link_settings(runtime: Runtime) -> LinkSettings:
    """Where links point (the portal's set-password page, at the address certificates use too) and how
    long they last."""
    return runtime.component(
        "link_settings",
        lambda r: LinkSettings(
            public_base_url=(r.settings.extra.get("SKILLPASS_PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).rstrip("/"),
            invitation_ttl=timedelta(hours=_positive(r, "IDENTITY_INVITATION_HOURS", 168)),
            reset_ttl=timedelta(minutes=_positive(r, "IDENTITY_RESET_MINUTES", 60)),
        ),
    )


def mailer(runtime: Runtime) -> Mailer | None:
    """The SMTP server identity sends its emails through (SMTP_URL); None when there is none, and then
    invitation links are handed to the administrator instead."""

    def build(r: Runtime) -> Mailer | None:
        url = r.settings.extra.get("SMTP_URL")
        if not url:
            return None
        return Mailer(parse_smtp_url(url), r.settings.extra.get("IDENTITY_EMAIL_FROM") or DEFAULT_EMAIL_FROM)

    return runtime.component("mailer", build)


def _positive(runtime: Runtime, name: str, default: int) -> int:
    value = _setting(runtime, name, default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def keyring(runtime: Runtime) -> KeyRing:
    return signing.key_ring(runtime, SigningKey)


def throttle_policy(runtime: Runtime) -> ThrottlePolicy:
    return runtime.component(
        "throttle_policy",
        lambda r: ThrottlePolicy(
            max_failures=_setting(r, "IDENTITY_LOGIN_MAX_FAILURES", 5),
            window=timedelta(seconds=_setting(r, "IDENTITY_LOGIN_WINDOW_SECONDS", 900)),
            lockout=timedelta(seconds=_setting(r, "IDENTITY_LOGIN_LOCKOUT_SECONDS", 900)),
        ),
    )
