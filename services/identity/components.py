"""Identity's per-process parts, built once from its settings."""
from __future__ import annotations

from datetime import timedelta

from services.identity.domain import ThrottlePolicy
from services.identity.handlers import Passwords
from services.identity.models import SigningKey
from shared.signing import KeyRing
from shared.service import Runtime


def _setting(runtime: Runtime, name: str, default: int) -> int:
    raw = runtime.settings.extra.get(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def passwords(runtime: Runtime) -> Passwords:
    return runtime.component(
        "passwords",
        lambda r: Passwords(
            time_cost=_setting(r, "ARGON2_TIME_COST", 3),
            memory_kib=_setting(r, "ARGON2_MEMORY_KIB", 65536),
        ),
    )


def keyring(runtime: Runtime) -> KeyRing:
    return runtime.component("keyring", lambda r: KeyRing(r.database, SigningKey))


def throttle_policy(runtime: Runtime) -> ThrottlePolicy:
    return runtime.component(
        "throttle_policy",
        lambda r: ThrottlePolicy(
            max_failures=_setting(r, "IDENTITY_LOGIN_MAX_FAILURES", 5),
            window=timedelta(seconds=_setting(r, "IDENTITY_LOGIN_WINDOW_SECONDS", 900)),
            lockout=timedelta(seconds=_setting(r, "IDENTITY_LOGIN_LOCKOUT_SECONDS", 900)),
        ),
    )
