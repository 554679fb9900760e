"""The certificate service's own metric, served by its worker beside the shared ones (shared/prometheus.py):
valid certificates that expire within the next 30 days, per Trust, so that a Trust can renew them in time."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from services.certificate import domain
from services.certificate.models import Certificate
from shared.db import utcnow
from shared.service import Runtime

EXPIRING_WITHIN = timedelta(days=30)


class ExpiringCertificates(Collector):
    """Read at scrape time, from the index the expiry sweep reads (status, expires_at)."""

    def __init__(self, runtime: Runtime):
        self.database = runtime.database

    def collect(self):
        now = utcnow()
        with self.database.session() as session:
            counts = session.execute(
                sa.select(Certificate.trust_id, sa.func.count())
                .where(
                    Certificate.status == domain.VALID,
                    Certificate.expires_at > now,
                    Certificate.expires_at <= now + EXPIRING_WITHIN,
                )
                .group_by(Certificate.trust_id)
            ).all()
        family = GaugeMetricFamily(
            "skillpass_certificates_expiring_30d",
            "Valid certificates that expire within the next 30 days, per Trust.",
            labels=["trust_id"],
        )
        for trust_id, count in counts:
            family.add_metric([str(trust_id)], count)
        yield family
