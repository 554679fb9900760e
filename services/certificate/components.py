"""The certificate service's per-process parts, built once from its settings."""

from __future__ import annotations

from services.certificate.domain import CertificateSettings
from services.certificate.models import SigningKey
from shared import signing
from shared.config import Settings
from shared.service import Runtime
from shared.signing import KeyRing

SERVICE_NAME = "certificate"


def keyring(runtime: Runtime) -> KeyRing:
    return signing.key_ring(runtime, SigningKey)


def certificate_settings(runtime: Runtime) -> CertificateSettings:
    return runtime.component("certificate_settings", lambda r: CertificateSettings.from_extra(r.settings.extra))


def settings_for_events() -> CertificateSettings:
    """The same settings for event handlers, which are given a unit of work but no runtime: read from this
    process's environment, exactly as the runtime's own settings are."""
    return CertificateSettings.from_extra(Settings.from_env(SERVICE_NAME).extra)
