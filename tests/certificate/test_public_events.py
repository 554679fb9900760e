"""The certificate events outside systems receive (DESIGN §9): each staged with its public twin, routed by
the Trust's ODS code, naming the holder by staff number and name and nothing more."""

from datetime import datetime, timedelta

from services.certificate import handlers
from shared.events.catalogue import PublicCertificateExpired, PublicCertificateIssued, PublicCertificateRevoked
from tests.certificate.conftest import ROLE, now
from tests.support.public_outbox import public_outbox


def register(service, person, name="Priya Shah", staff_number="N0042", **moment):
    service.deliver(
        "user.registered",
        {
            "user_id": person.id,
            "trust_id": person.trust_id,
            "email": "priya.shah@example.nhs.uk",
            "name": name,
            "staff_number": staff_number,
            "professional_group": None,
            "roles": person.roles,
            "active": True,
            "registered_at": moment.get("at", now()),
        },
    )


def same_event(public: dict, internal: dict) -> bool:
    return {k: v for k, v in public.items() if k != "data"} == {k: v for k, v in internal.items() if k != "data"}


def test_certificate_issued_is_staged_for_the_public_exchange_with_the_holder_s_staff_number_and_name(service):
    holder = service.person("staff", name=None)
    register(service, holder)
    certificate = service.certified(holder)
    [(routing_key, public, internal)] = public_outbox(service, "certificate.issued")
    assert routing_key == "RNS.certificate.issued"  # the ODS code trust.created gave
    assert same_event(public, internal)
    assert set(public["data"]) == set(PublicCertificateIssued().fields)
    assert public["data"] == {
        "certificate_id": certificate["id"],
        "staff_number": "N0042",
        "staff_name": "Priya Shah",
        "passport_type": "NRSS",
        "role_title": ROLE,
        "issued_at": internal["data"]["issued_at"],
        "expires_at": internal["data"]["expires_at"],
        "verify_url": internal["data"]["verify_url"],
    }
    assert "@" not in str(public)


def test_revoked_and_expired_carry_no_reason_nor_who_revoked(service):
    holder = service.person("staff", name=None)
    register(service, holder)
    revoked = service.certified(holder, "RSC")
    assert (
        service.revoke(revoked["id"], service.person("lead"), reason="Reported by a.b@example.nhs.uk").status_code
        == 200
    )
    due = service.certified(holder, "NRSS")
    with service.runtime.unit_of_work() as uow:
        assert handlers.expire_due(uow, datetime.fromisoformat(due["expires_at"]) + timedelta(days=1)) == 1

    [(key, public, internal)] = public_outbox(service, "certificate.revoked")
    assert key == "RNS.certificate.revoked" and same_event(public, internal)
    assert set(public["data"]) == set(PublicCertificateRevoked().fields)
    assert "@" not in str(public) and "reason" not in public["data"] and "revoked_by" not in public["data"]
    assert public["data"]["staff_number"] == "N0042"
    [(key, public, internal)] = public_outbox(service, "certificate.expired")
    assert key == "RNS.certificate.expired" and same_event(public, internal)
    assert set(public["data"]) == set(PublicCertificateExpired().fields)
    assert public["data"]["certificate_id"] == due["id"] and public["data"]["staff_name"] == "Priya Shah"


def test_a_holder_not_known_yet_is_null_and_a_newer_staff_number_wins(service):
    stranger = service.person("staff", name=None)
    service.certified(stranger, "NRSS")
    register(service, stranger, staff_number="N1", at=now() - timedelta(hours=1))
    service.deliver(
        "user.updated",
        {
            "user_id": stranger.id,
            "trust_id": stranger.trust_id,
            "email": "x@example.nhs.uk",
            "name": "Priya Shah-Lee",
            "staff_number": "N2",
            "professional_group": None,
            "roles": ["staff"],
            "active": True,
            "changed": ["name", "staff_number"],
            "updated_at": now(),
        },
    )
    register(service, stranger, staff_number="N0", at=now() - timedelta(days=1))  # older: it does not win
    service.certified(stranger, "RSC")
    first, second = [public["data"] for _, public, _ in public_outbox(service, "certificate.issued")]
    assert (first["staff_number"], first["staff_name"]) == (None, None)
    assert (second["staff_number"], second["staff_name"]) == ("N2", "Priya Shah-Lee")


def test_a_trust_whose_trust_created_has_not_arrived_holds_its_public_events_until_it_does(service):
    import uuid

    other_trust = uuid.uuid4()
    holder = service.person("staff", trust_id=other_trust)
    service.certified(holder)
    [(key, _, _)] = public_outbox(service, "certificate.issued")
    assert key is None
    service.deliver(
        "trust.created", {"trust_id": other_trust, "name": "Late Trust", "ods_code": "rlt", "created_at": now()}
    )
    [(key, _, _)] = public_outbox(service, "certificate.issued")
    assert key == "RLT.certificate.issued"
