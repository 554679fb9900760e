"""passport.completed issues one certificate per completion; reopening revokes; a newer completion renews."""

import uuid
from datetime import UTC, datetime, timedelta

from shared.events.catalogue import CertificateIssued, CertificateRevoked
from tests.certificate.conftest import ROLE, TRUST_NAME, now

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_a_completion_issues_a_valid_certificate_and_stages_certificate_issued(service, holder):
    completion = service.completion(holder)
    assert service.complete(completion)
    [certificate] = service.list(holder)
    assert certificate["status"] == "valid" and certificate["passport_type"] == "NRSS"
    assert certificate["title"] == ROLE and certificate["type_version"] == 1
    assert certificate["staff_id"] == str(holder.id) and certificate["trust_id"] == str(service.trust_id)
    assert certificate["holder_name"] == "Alex Morgan-Reyes" and certificate["trust_name"] == TRUST_NAME
    issued_at = datetime.fromisoformat(certificate["issued_at"])
    assert abs(issued_at - now()) < timedelta(minutes=1)
    assert datetime.fromisoformat(certificate["expires_at"]) == issued_at.replace(year=issued_at.year + 1)

    [event] = service.outbox("certificate.issued")
    assert event["subject"] == certificate["id"] and event["trustid"] == str(service.trust_id)
    data = event["data"]
    assert set(data) == set(CertificateIssued().fields)
    assert data["verify_url"] == f"http://127.0.0.1:5007/certificates/{certificate['id']}/verify"
    assert datetime.fromisoformat(data.pop("issued_at")) == issued_at
    assert datetime.fromisoformat(data.pop("expires_at")) == datetime.fromisoformat(certificate["expires_at"])
    assert data == {
        "certificate_id": certificate["id"],
        "staff_id": str(holder.id),
        "trust_id": str(service.trust_id),
        "passport_id": str(completion["passport_id"]),
        "passport_type": "NRSS",
        "type_version": 1,
        "role_title": ROLE,
        "verify_url": data["verify_url"],
    }


def test_a_completion_delivered_twice_issues_exactly_one_certificate(service, holder):
    completion, event_id = service.completion(holder), uuid.uuid4()
    assert service.complete(completion, event_id=event_id)
    assert service.complete(completion, event_id=event_id) is False  # the same event again: the inbox
    assert service.complete(completion)  # the same completion in a resent event: its certificate exists
    assert len(service.list(holder)) == 1
    assert len(service.outbox("certificate.issued")) == 1


def test_validity_per_passport_type_comes_from_the_environment(service, holder, monkeypatch):
    monkeypatch.setenv("SKILLPASS_CERTIFICATE_VALIDITY_MONTHS", "24")
    monkeypatch.setenv("SKILLPASS_CERTIFICATE_VALIDITY_MONTHS_ACCN_U12", "6")
    nrss, accn = service.certified(holder, "NRSS"), service.certified(holder, "ACCN-U12")
    for certificate, months in ((nrss, 24), (accn, 6)):
        issued = datetime.fromisoformat(certificate["issued_at"])
        expires = datetime.fromisoformat(certificate["expires_at"])
        assert (expires.year - issued.year) * 12 + expires.month - issued.month == months


def test_names_unknown_yet_do_not_stop_issuing_and_show_once_they_arrive(service):
    stranger = service.person("staff", name=None)
    certificate = service.certified(stranger)
    assert certificate["holder_name"] is None
    assert service.verify(certificate["id"])["holder_name"] is None
    service.register(stranger, "Sam Okafor", at=now() - timedelta(hours=1))
    service.register(stranger, "Sam Okafor-Lee", event_type="user.updated")
    service.register(stranger, "Sam Stale", at=now() - timedelta(days=1))  # older: it does not win
    assert service.verify(certificate["id"])["holder_name"] == "Sam Okafor-Lee"


def test_a_newer_completion_of_the_same_type_renews_and_supersedes_the_previous(service, holder):
    first = service.certified(holder, completed_at=T0)
    other_role = service.certified(holder, "RSC", completed_at=T0)
    renewed = service.certified(holder, completed_at=T0 + timedelta(days=300))
    assert renewed["status"] == "valid" and renewed["id"] != first["id"]
    previous = service.get(first["id"], holder).get_json()
    assert previous["status"] == "superseded" and previous["superseded_by"] == renewed["id"]
    assert service.get(other_role["id"], holder).get_json()["status"] == "valid"  # another role is untouched
    assert service.verify(first["id"])["valid"] is False
    assert [e["subject"] for e in service.outbox("certificate.issued")] == [
        first["id"],
        other_role["id"],
        renewed["id"],
    ]


def test_an_older_completion_arriving_after_a_newer_one_is_born_superseded_and_not_announced(service, holder):
    newer = service.certified(holder, completed_at=T0 + timedelta(days=30))
    late = service.completion(holder, completed_at=T0)
    assert service.complete(late)
    [stale] = [c for c in service.list(holder) if c["passport_id"] == str(late["passport_id"])]
    assert stale["status"] == "superseded" and stale["superseded_by"] == newer["id"]
    assert service.get(newer["id"], holder).get_json()["status"] == "valid"
    assert [e["subject"] for e in service.outbox("certificate.issued")] == [newer["id"]]


def test_a_reopened_passport_revokes_its_certificate_with_no_revoker(service, holder):
    completion = service.completion(holder, completed_at=T0)
    assert service.complete(completion)
    [certificate] = service.list(holder)
    assert service.reopen(completion, at=T0 + timedelta(hours=2))

    revoked = service.get(certificate["id"], holder).get_json()
    assert revoked["status"] == "revoked" and revoked["revoked_by"] is None
    assert "reopened" in revoked["revocation_reason"]
    verification = service.verify(certificate["id"])
    assert verification["valid"] is False and verification["status"] == "revoked"
    [event] = service.outbox("certificate.revoked")
    assert set(event["data"]) == set(CertificateRevoked().fields)
    assert event["data"]["certificate_id"] == certificate["id"] and event["data"]["revoked_by"] is None

    assert service.reopen(completion, at=T0 + timedelta(hours=3))  # reopened again: nothing more to revoke
    assert len(service.outbox("certificate.revoked")) == 1
    completed_again = service.completion(
        holder, passport_id=completion["passport_id"], completed_at=T0 + timedelta(hours=4)
    )
    assert service.complete(completed_again)
    assert [c["status"] for c in service.list(holder)] == ["valid", "revoked"]


def test_a_completion_that_a_reopening_overtook_issues_nothing(service, holder):
    completion = service.completion(holder, completed_at=T0)
    assert service.reopen(completion, at=T0 + timedelta(minutes=5))  # arrived first
    assert service.complete(completion)
    assert service.list(holder) == [] and service.outbox("certificate.issued") == []
    assert service.outbox("certificate.revoked") == []
