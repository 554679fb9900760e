"""The worker's sweep expires valid certificates past their expiry, each exactly once."""

import threading
from datetime import UTC, datetime, timedelta

from services.certificate import handlers
from services.certificate import service as certificate_service
from services.certificate.service import SERVICE, expire_certificates
from shared.events.catalogue import CertificateExpired
from tests.certificate.conftest import CertificateService


def sweep(service, at) -> int:
    with service.runtime.unit_of_work() as uow:
        return handlers.expire_due(uow, at)


def test_the_sweep_expires_what_is_due_once_and_stages_certificate_expired_once(service, holder):
    due = service.certified(holder, "NRSS")
    revoked = service.certified(holder, "RSC")
    assert service.revoke(revoked["id"], service.person("lead")).status_code == 200
    expires_at = datetime.fromisoformat(due["expires_at"])

    assert sweep(service, expires_at - timedelta(seconds=1)) == 0
    assert service.outbox("certificate.expired") == []
    after = expires_at + timedelta(days=1)
    assert sweep(service, after) == 1
    assert sweep(service, after) == 0  # a second run, or a second worker, finds nothing left

    [event] = service.outbox("certificate.expired")
    assert event["subject"] == due["id"] and set(event["data"]) == set(CertificateExpired().fields)
    assert datetime.fromisoformat(event["data"]["expired_at"]) == after
    expired = service.get(due["id"], holder).get_json()
    assert expired["status"] == "expired" and datetime.fromisoformat(expired["expired_at"]) == after
    assert service.get(revoked["id"], holder).get_json()["status"] == "revoked"  # revoked stays revoked
    verification = service.verify(due["id"])
    assert verification["valid"] is False and verification["status"] == "expired"
    assert "valid" in service.revoke(due["id"], service.person("trust_admin")).get_json()["detail"]


def test_the_worker_job_drains_more_than_one_batch(service, holder, monkeypatch):
    monkeypatch.setattr(handlers, "SWEEP_BATCH", 2)
    for passport_type in ("NRSS", "RSC", "SOC-U12"):
        service.certified(holder, passport_type)
    monkeypatch.setattr(certificate_service, "utcnow", lambda: datetime.now(UTC) + timedelta(days=800))
    [job] = SERVICE.periodic_jobs
    assert job.name == "expire-certificates" and job.run is expire_certificates
    job.run(service.runtime)
    assert len(service.outbox("certificate.expired")) == 3
    assert {c["status"] for c in service.list(holder)} == {"expired"}


def test_two_workers_sweeping_at_once_expire_each_certificate_once(postgres_url):
    service = CertificateService(postgres_url)
    holder = service.person("staff")
    for passport_type in ("NRSS", "RSC", "ACCN-U12", "ACCN-12P", "SOC-U12", "RNC-PCC"):
        service.certified(holder, passport_type)
    later = datetime.now(UTC) + timedelta(days=800)
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        barrier.wait()
        counts.append(sweep(service, later))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 6
    assert len(service.outbox("certificate.expired")) == 6
    assert len({e["subject"] for e in service.outbox("certificate.expired")}) == 6
