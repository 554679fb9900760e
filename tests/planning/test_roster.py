"""The roster fed by certificate.* events: any arrival order, exactly once, history, reads and the CSV."""

import csv
import io
import itertools
import threading
import uuid
from datetime import timedelta

import pytest

from shared.events.catalogue import RosterUpdated
from tests.planning.conftest import T0, PlanningService, problem

ISSUED_A, REVOKED_A, ISSUED_B = T0, T0 + timedelta(days=10), T0 + timedelta(days=20)


def roster(service, person, **filters):
    return service.ok("GET", "/roster", person, **filters)


def updates(service):
    return [event["data"] for event in service.outbox("roster.updated")]


def test_an_issued_certificate_makes_the_person_eligible_since_its_issue(service):
    nurse = service.person("staff")
    certificate = service.certificate(nurse.id)
    assert service.issued(certificate, ISSUED_A)
    [entry] = roster(service, service.person("workforce"))
    assert {key: entry[key] for key in ("staff_id", "role", "status", "certificate_id", "since", "reason")} == {
        "staff_id": str(nurse.id),
        "role": "NRSS",
        "status": "eligible",
        "certificate_id": str(certificate["certificate_id"]),
        "since": ISSUED_A.isoformat(),
        "reason": "certified",
    }
    [event] = service.outbox("roster.updated")
    assert set(event["data"]) == set(RosterUpdated().fields)
    assert event["data"]["status"] == "eligible" and event["subject"] == str(nurse.id)
    assert event["trustid"] == str(service.trust_id)


def test_issued_revoked_issued_in_order_stages_roster_updated_for_each_change_and_keeps_history(service):
    nurse, lead = service.person("staff"), service.person("lead")
    first, second = service.certificate(nurse.id), service.certificate(nurse.id)
    service.issued(first, ISSUED_A)
    service.revoked(first, REVOKED_A)
    assert roster(service, lead)[0]["status"] == "ineligible"
    service.issued(second, ISSUED_B)
    assert [(u["status"], u["reason"]) for u in updates(service)] == [
        ("eligible", "certified"),
        ("ineligible", "revoked"),
        ("eligible", "certified"),
    ]
    [entry] = roster(service, lead)
    assert (entry["status"], entry["certificate_id"]) == ("eligible", str(second["certificate_id"]))
    history = service.ok("GET", "/roster/history", lead, staff_id=nurse.id, role="NRSS")
    assert [(h["status"], h["certificate_id"]) for h in history] == [
        ("eligible", str(first["certificate_id"])),
        ("ineligible", str(first["certificate_id"])),
        ("eligible", str(second["certificate_id"])),
    ]


@pytest.mark.parametrize("order", list(itertools.permutations(["issued_a", "revoked_a", "issued_b"])))
def test_every_arrival_order_ends_eligible_on_the_later_certificate(order, sqlite_url):
    service = PlanningService(sqlite_url)
    nurse = service.person("staff")
    first, second = service.certificate(nurse.id), service.certificate(nurse.id)
    events = {
        "issued_a": lambda: service.issued(first, ISSUED_A),
        "revoked_a": lambda: service.revoked(first, REVOKED_A),
        "issued_b": lambda: service.issued(second, ISSUED_B),
    }
    staged = []
    for name in order:
        before = len(updates(service))
        assert events[name]()
        staged.append(len(updates(service)) - before)
    [entry] = roster(service, service.person("lead"))
    assert (entry["status"], entry["certificate_id"], entry["since"]) == (
        "eligible",
        str(second["certificate_id"]),
        ISSUED_B.isoformat(),
    )
    # Each event stages at most one roster.updated, and only when the standing changed.
    assert all(count in (0, 1) for count in staged)
    changes = [(u["status"], u["certificate_id"]) for u in updates(service)]
    assert changes[-1] == ("eligible", str(second["certificate_id"]))
    assert all(before != after for before, after in zip(changes, changes[1:]))


@pytest.mark.parametrize("revoked_first", [False, True])
def test_a_revocation_holds_whichever_of_issue_and_revocation_arrives_first(service, revoked_first):
    nurse = service.person("staff")
    certificate = service.certificate(nurse.id)
    steps = [lambda: service.issued(certificate, ISSUED_A), lambda: service.revoked(certificate, REVOKED_A)]
    for step in reversed(steps) if revoked_first else steps:
        step()
    [entry] = roster(service, service.person("lead"))
    assert (entry["status"], entry["reason"], entry["since"]) == ("ineligible", "revoked", REVOKED_A.isoformat())
    assert [u["status"] for u in updates(service)] == (["ineligible"] if revoked_first else ["eligible", "ineligible"])


def test_an_expired_certificate_makes_ineligible(service):
    nurse = service.person("staff")
    certificate = service.certificate(nurse.id, role="RSC")
    service.issued(certificate, ISSUED_A)
    service.expired(certificate, ISSUED_A + timedelta(days=365))
    [entry] = roster(service, service.person("lead"), role="RSC")
    assert (entry["status"], entry["reason"]) == ("ineligible", "expired")


def test_a_redelivered_event_changes_nothing_and_stages_nothing(service):
    nurse = service.person("staff")
    certificate = service.certificate(nurse.id)
    event_id = uuid.uuid4()
    assert service.issued(certificate, ISSUED_A, event_id=event_id) is True
    assert service.issued(certificate, ISSUED_A, event_id=event_id) is False
    assert len(updates(service)) == 1
    # The same fact again under a new id (a republished event) changes no standing either.
    assert service.issued(certificate, ISSUED_A) is True
    assert len(updates(service)) == 1


def test_roster_filters_and_who_sees_what(service):
    nurse, colleague = service.person("staff"), service.person("staff")
    service.issued(service.certificate(nurse.id, "NRSS"), ISSUED_A)
    service.issued(service.certificate(nurse.id, "RSC"), ISSUED_A)
    revoked = service.certificate(colleague.id, "NRSS")
    service.issued(revoked, ISSUED_A)
    service.revoked(revoked, REVOKED_A)
    other_trust = uuid.uuid4()
    service.issued(service.certificate(uuid.uuid4(), "NRSS", trust_id=other_trust), ISSUED_A)

    for reader in ("lead", "workforce", "trust_admin"):
        assert len(roster(service, service.person(reader))) == 3
    lead = service.person("lead")
    assert [e["role"] for e in roster(service, lead, staff_id=nurse.id)] == ["NRSS", "RSC"]
    assert [e["staff_id"] for e in roster(service, lead, status="ineligible")] == [str(colleague.id)]
    assert len(roster(service, lead, role="NRSS")) == 2
    assert len(roster(service, lead, trust_id=service.trust_id)) == 3
    assert roster(service, lead, trust_id=other_trust) == []  # another Trust's roster: nothing, as for no match
    assert {e["staff_id"] for e in roster(service, nurse)} == {str(nurse.id)}  # staff see their own
    assert roster(service, nurse, staff_id=colleague.id) == []
    assert roster(service, service.person("supervisor")) == []
    assert "query.status" in problem(service.call("GET", "/roster", lead, status="maybe"), 422)["errors"]


CSV_HEADER = ["staff_id", "staff_number", "staff_name", "role", "status", "certificate_id", "since", "reason"]


def test_the_csv_export_for_e_rostering(service):
    nurse, prankster, unknown = service.person("staff"), service.person("staff"), service.person("staff")
    service.profile(nurse, "Sam Okafor", "N7")
    service.profile(prankster, '=HYPERLINK("http://evil.example","x")', "@N8")
    certificates = {person.id: service.certificate(person.id) for person in (nurse, prankster, unknown)}
    for certificate in certificates.values():
        service.issued(certificate, ISSUED_A)
    response = service.call("GET", "/roster.csv", service.person("workforce"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = {row["staff_id"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows[str(nurse.id)] == {
        "staff_id": str(nurse.id),
        "staff_number": "N7",
        "staff_name": "Sam Okafor",
        "role": "NRSS",
        "status": "eligible",
        "certificate_id": str(certificates[nurse.id]["certificate_id"]),
        "since": ISSUED_A.isoformat(),
        "reason": "certified",
    }
    # A name or staff number a spreadsheet would run as a formula is quoted; someone not known yet is blank.
    assert (rows[str(prankster.id)]["staff_name"], rows[str(prankster.id)]["staff_number"]) == (
        '\'=HYPERLINK("http://evil.example","x")',
        "'@N8",
    )
    assert (rows[str(unknown.id)]["staff_name"], rows[str(unknown.id)]["staff_number"]) == ("", "")
    empty = service.call("GET", "/roster.csv", service.person("lead", trust_id=uuid.uuid4()))
    assert list(csv.reader(io.StringIO(empty.get_data(as_text=True)))) == [CSV_HEADER]


def test_concurrent_certificates_for_one_person_and_role_lose_no_update(postgres_url):
    service = PlanningService(postgres_url)
    nurse = service.person("staff")
    certificates = [service.certificate(nurse.id) for _ in range(4)]
    barrier = threading.Barrier(len(certificates))

    def issue(index):
        barrier.wait()
        service.issued(certificates[index], ISSUED_A + timedelta(hours=index))

    threads = [threading.Thread(target=issue, args=(index,)) for index in range(len(certificates))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [entry] = roster(service, service.person("lead"))
    assert entry["certificate_id"] == str(certificates[-1]["certificate_id"])
    history = service.ok("GET", "/roster/history", service.person("lead"), staff_id=nurse.id, role="NRSS")
    assert len(history) == len(updates(service)) and history[-1]["certificate_id"] == entry["certificate_id"]
