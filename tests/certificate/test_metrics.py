"""The certificate worker's own metric: valid certificates expiring within 30 days, per Trust."""

import uuid
from datetime import timedelta

import sqlalchemy as sa
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from services.certificate.models import Certificate
from shared.db import utcnow
from shared.worker import worker_metrics


def expiring(service) -> dict[str, float]:
    text = generate_latest(worker_metrics(service.runtime)).decode()
    [family] = [f for f in text_string_to_metric_families(text) if f.name == "skillpass_certificates_expiring_30d"]
    return {sample.labels["trust_id"]: sample.value for sample in family.samples}


def expires_in(service, certificate_id, days: float) -> None:
    with service.runtime.database.session() as session, session.begin():
        session.execute(
            sa.update(Certificate)
            .where(Certificate.id == uuid.UUID(certificate_id))
            .values(expires_at=utcnow() + timedelta(days=days))
        )


def test_valid_certificates_expiring_within_30_days_are_counted_per_trust(service, holder):
    assert expiring(service) == {}  # a year's validity: nothing is close to expiry
    soon = service.certified(holder, "NRSS")
    later = service.certified(holder, "RSC")
    revoked = service.certified(holder, "SOC-U12")
    other_trust = service.person("staff", trust_id=uuid.uuid4())
    elsewhere = service.certified(other_trust, "NRSS")
    assert service.revoke(revoked["id"], service.person("lead")).status_code == 200
    expires_in(service, soon["id"], 10)
    expires_in(service, later["id"], 60)
    expires_in(service, revoked["id"], 10)  # revoked: no longer anyone's to renew
    expires_in(service, elsewhere["id"], 29)

    assert expiring(service) == {str(holder.trust_id): 1, str(other_trust.trust_id): 1}

    expires_in(service, soon["id"], -1)  # past its expiry: the sweep's business now, not a warning
    assert expiring(service) == {str(other_trust.trust_id): 1}
