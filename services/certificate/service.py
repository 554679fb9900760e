"""The certificate service: what it serves, publishes, consumes, sweeps and runs at start-up."""

from __future__ import annotations

import logging

from services.certificate import handlers
from services.certificate.domain import CertificateSettings
from services.certificate.metrics import ExpiringCertificates
from services.certificate.models import SigningKey
from shared import signing
from shared.config import Settings
from shared.db import utcnow
from shared.service import PeriodicJob, Runtime, service_package

log = logging.getLogger(__name__)


def install_signing_key(runtime: Runtime) -> None:
    signing.install_signing_key(runtime, SigningKey)


def expire_certificates(runtime: Runtime) -> None:
    """Batch after batch until nothing more is due, each batch one transaction."""
    total = 0
    while True:
        with runtime.unit_of_work() as uow:
            expired = handlers.expire_due(uow, utcnow())
        total += expired
        if expired < handlers.SWEEP_BATCH:
            break
    if total:
        log.info("certificates expired", extra={"count": total})


def expiry_sweep_seconds(settings: Settings) -> float:
    return CertificateSettings.from_extra(settings.extra).expiry_sweep_seconds


SERVICE = service_package(
    __name__,
    title="Skills Passports — certificate",
    periodic_jobs=[PeriodicJob("expire-certificates", expiry_sweep_seconds, expire_certificates)],
    init_steps=[install_signing_key],
    metrics_collectors=[ExpiringCertificates],
)
