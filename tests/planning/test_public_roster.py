"""roster.updated for outside systems (DESIGN §9): planning keeps Trusts' ODS codes and people's names and
staff numbers from identity's events, and stages each roster change with its public twin."""

import uuid
from datetime import timedelta

from shared.events.catalogue import PublicRosterUpdated
from tests.planning.conftest import T0
from tests.support.public_outbox import public_outbox


def trust_created(service, trust_id, ods="RPL"):
    assert service.deliver(
        "trust.created", {"trust_id": trust_id, "name": "Planning Trust", "ods_code": ods, "created_at": T0}
    )


def user(service, person, *, name="Sam Okafor", staff_number="N7", event="user.registered", at=T0):
    moment = {"registered_at": at} if event == "user.registered" else {"changed": ["name"], "updated_at": at}
    assert service.deliver(
        event,
        {
            "user_id": person.id,
            "trust_id": person.trust_id,
            "email": "sam.okafor@example.nhs.uk",
            "name": name,
            "staff_number": staff_number,
            "professional_group": None,
            "roles": person.roles,
            "active": True,
            **moment,
        },
    )


def test_roster_updated_is_staged_for_the_public_exchange_with_the_person_s_staff_number_and_name(service):
    trust_created(service, service.trust_id)
    nurse = service.person("staff")
    user(service, nurse)
    certificate = service.certificate(nurse.id)
    service.issued(certificate, T0)
    service.revoked(certificate, T0 + timedelta(days=3))
    staged = public_outbox(service, "roster.updated")
    assert [key for key, _, _ in staged] == ["RPL.roster.updated"] * 2
    for _, public, internal in staged:
        assert {k: v for k, v in public.items() if k != "data"} == {k: v for k, v in internal.items() if k != "data"}
        assert set(public["data"]) == set(PublicRosterUpdated().fields)
        assert "@" not in str(public) and "staff_id" not in public["data"]
    assert [
        (p["data"]["status"], p["data"]["reason"], p["data"]["staff_number"], p["data"]["staff_name"])
        for _, p, _ in staged
    ] == [("eligible", "certified", "N7", "Sam Okafor"), ("ineligible", "revoked", "N7", "Sam Okafor")]
    assert staged[0][1]["data"]["certificate_id"] == str(certificate["certificate_id"])


def test_the_newest_name_wins_whatever_order_user_events_arrive_in(service):
    trust_created(service, service.trust_id)
    nurse = service.person("staff")
    user(service, nurse, name="Sam Okafor-Lee", staff_number="N8", event="user.updated", at=T0 + timedelta(days=1))
    user(service, nurse, name="Sam Okafor", staff_number="N7", at=T0)  # registered, arriving late
    service.issued(service.certificate(nurse.id), T0)
    [(_, public, _)] = public_outbox(service, "roster.updated")
    assert (public["data"]["staff_name"], public["data"]["staff_number"]) == ("Sam Okafor-Lee", "N8")


def test_someone_not_known_yet_is_null_and_a_trust_not_known_yet_is_held_until_trust_created(service):
    nurse = service.person("staff")
    service.issued(service.certificate(nurse.id), T0)
    [(key, public, _)] = public_outbox(service, "roster.updated")
    assert key is None  # held: no ODS code for the Trust yet
    assert public["data"]["staff_number"] is None and public["data"]["staff_name"] is None
    trust_created(service, service.trust_id, ods="r.pl")
    [(key, _, _)] = public_outbox(service, "roster.updated")
    assert key == "R_PL.roster.updated"
    trust_created(service, uuid.uuid4(), ods="ROT")  # another Trust releases nothing of this one
    assert [key for key, _, _ in public_outbox(service, "roster.updated")] == ["R_PL.roster.updated"]
