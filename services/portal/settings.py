"""The portal's settings, read once from the environment when the app is built."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from shared.config import SERVICE_PORTS, _float, _int

# The services whose APIs the portal calls on the user's behalf, each at `<NAME>_URL`.
BACKENDS = ("identity", "passport", "signoff", "certificate", "planning", "metrics")


@dataclass(frozen=True)
class PortalSettings:
    backend_urls: dict[str, str]
    secret_key: bytes
    log_level: str = "INFO"
    api_timeout_seconds: float = 10.0
    session_hours: int = 12
    proxy_hops: int = 0
    max_content_length: int = 6 * 1024 * 1024  # a staff list of 5 MiB, uploaded as a CSV file
    # Where gunicorn's workers add up their metrics (shared/gunicorn_conf.py); empty: each its own.
    prometheus_multiproc_dir: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> PortalSettings:
        env = dict(os.environ if env is None else env)
        return cls(
            backend_urls={
                name: (env.get(f"{name.upper()}_URL") or f"http://127.0.0.1:{SERVICE_PORTS[name]}").rstrip("/")
                for name in BACKENDS
            },
            secret_key=_secret_key(env),
            log_level=(env.get("LOG_LEVEL") or cls.log_level).upper(),
            api_timeout_seconds=_float(env, "PORTAL_API_TIMEOUT_SECONDS", cls.api_timeout_seconds),
            session_hours=_int(env, "PORTAL_SESSION_HOURS", cls.session_hours),
            proxy_hops=_int(env, "PORTAL_PROXY_HOPS", cls.proxy_hops),
            max_content_length=_int(env, "MAX_CONTENT_LENGTH", cls.max_content_length),
            prometheus_multiproc_dir=env.get("PROMETHEUS_MULTIPROC_DIR", ""),
        )


def _secret_key(env: dict[str, str]) -> bytes:
    """PORTAL_SECRET_KEY, or a key kept in the data folder so that every local web worker shares it."""
    given = env.get("PORTAL_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise ValueError("PORTAL_SECRET_KEY must have at least 32 characters")
        return hashlib.sha256(given.encode()).digest()
    path = Path(env.get("SKILLPASS_DATA_DIR", "var")).resolve() / "portal-secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        draft.chmod(0o600)
        try:  # linking is atomic: the first worker's key wins and every other worker reads that one
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return base64.b64decode(path.read_text().strip())
