"""POST /passports/bulk: one passport type to a whole cohort at once, each person created, existing or rejected,
with passport.started for each new passport from the outbox, in one transaction."""

import uuid
from datetime import UTC, datetime

import pytest

from tests.passport.conftest import problem
from tests.passport.test_names import statements
from tests.support.service_app import Person


def bulk(service, caller, staff_ids, passport_type="NRSS", **body):
    return service.client.post(
        "/passports/bulk",
        headers=caller.headers,
        json={"passport_type": passport_type, "staff_ids": [str(staff_id) for staff_id in staff_ids], **body},
    )


def deactivate(service, person):
    service.deliver(
        "user.deactivated", {"user_id": person.id, "trust_id": person.trust_id, "deactivated_at": datetime.now(UTC)}
    )


def test_each_person_is_created_existing_or_rejected_and_only_the_new_passports_are_announced(service):
    lead = service.person("lead")
    new = [service.person("staff") for _ in range(3)]
    in_progress, completed, withdrawn = (service.person("staff") for _ in range(3))
    already = service.start(in_progress, "NRSS")
    done = service.start(completed, "NRSS")
    for code in service.skill_codes(done["id"], completed):
        service.sign_off(done, code)
    gone = service.start(withdrawn, "NRSS")
    assert (
        service.client.post(f"/passports/{gone['id']}/withdraw", json={}, headers=withdrawn.headers).status_code == 200
    )
    other_trust = service.person("staff", trust_id=uuid.uuid4())
    unheard_of = service.person("staff", known=False)
    leaver = service.person("staff")
    deactivate(service, leaver)
    started_before = len(service.outbox("passport.started"))

    asked = [new[0], in_progress, other_trust, new[1], completed, unheard_of, withdrawn, leaver, new[2]]
    response = bulk(service, lead, [p.id for p in asked])

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["created"], body["existing"], body["rejected"]) == (4, 2, 3)
    results = body["results"]
    assert [r["staff_id"] for r in results] == [str(p.id) for p in asked]
    assert [r["status"] for r in results] == [
        "created",
        "existing",
        "rejected",
        "created",
        "existing",
        "rejected",
        "created",
        "rejected",
        "created",
    ]
    assert results[1]["passport_id"] == already["id"] and results[4]["passport_id"] == done["id"]
    for rejected in (results[2], results[5], results[7]):
        assert rejected["passport_id"] is None and rejected["errors"]["staff_id"]
    assert results[2]["errors"] == results[5]["errors"]  # another Trust's person reads like one unheard of
    assert "left" in results[7]["errors"]["staff_id"][0]
    created = [r for r in results if r["status"] == "created"]
    assert all(r["errors"] is None and r["passport_id"] for r in created)

    # One passport.started per new passport, the same as POST /passports publishes.
    started = service.outbox("passport.started")[started_before:]
    assert sorted(e["subject"] for e in started) == sorted(r["passport_id"] for r in created)
    one = started[0]["data"]
    assert (
        one["assigned_by"] == str(lead.id)
        and one["passport_type"] == "NRSS"
        and one["trust_id"] == str(service.trust_id)
    )
    assert one["skill_codes"] == service.skill_codes(already["id"], in_progress)

    # The new passports are whole: the holder reads every skill, and starts self-assessing at once.
    mine = service.client.get("/passports?status=in_progress", headers=new[0].headers).get_json()
    assert [p["id"] for p in mine] == [created[0]["passport_id"]] and mine[0]["assigned_by"] == str(lead.id)
    detail = service.detail(created[0]["passport_id"], new[0])
    assert detail["progress"]["skills_total"] == len(one["skill_codes"]) and detail["domains"]
    first_skill = one["skill_codes"][0]
    assessed = service.client.put(
        f"/passports/{detail['id']}/skills/{first_skill}/self-assessment",
        json={"level": "supervised"},
        headers=new[0].headers,
    )
    assert assessed.status_code == 200
    assert service.detail(detail["id"], new[0])["domains"][0]["skills"][0]["self_assessment"]["level"] == "supervised"


def test_assigning_again_changes_nothing(service):
    lead = service.person("educator")
    people = [service.person("staff") for _ in range(5)]
    first = bulk(service, lead, [p.id for p in people]).get_json()
    assert (first["created"], first["existing"]) == (5, 0)
    again = bulk(service, lead, [p.id for p in people]).get_json()
    assert (again["created"], again["existing"], again["rejected"]) == (0, 5, 0)
    assert [r["passport_id"] for r in again["results"]] == [r["passport_id"] for r in first["results"]]
    assert len(service.outbox("passport.started")) == 5
    # Another type is another passport.
    assert bulk(service, lead, [p.id for p in people], "RSC").get_json()["created"] == 5


def test_all_or_nothing_refuses_the_lot_naming_each_bad_id(service):
    admin = service.person("trust_admin")
    good = [service.person("staff") for _ in range(3)]
    stranger, unheard_of = service.person("staff", trust_id=uuid.uuid4()), service.person("staff", known=False)
    asked = [good[0], stranger, good[1], unheard_of, good[2]]

    errors = problem(bulk(service, admin, [p.id for p in asked], all_or_nothing=True), 422)["errors"]

    assert sorted(errors) == ["staff_ids.1", "staff_ids.3"]
    assert str(stranger.id) in errors["staff_ids.1"][0] and str(unheard_of.id) in errors["staff_ids.3"][0]
    assert service.outbox("passport.started") == []
    assert service.client.get("/passports", headers=admin.headers).get_json() == []
    # Without the bad ones it goes through; someone who already holds one is no reason to refuse.
    service.start(good[0], "NRSS")
    body = bulk(service, admin, [p.id for p in good], all_or_nothing=True).get_json()
    assert (body["created"], body["existing"], body["rejected"]) == (2, 1, 0)


def test_another_trusts_lead_can_assign_none_of_this_trusts_people(service):
    people = [service.person("staff") for _ in range(3)]
    service.start(people[0], "NRSS")
    elsewhere = service.person("lead", trust_id=uuid.uuid4())
    body = bulk(service, elsewhere, [p.id for p in people]).get_json()
    # Not even "existing": whether someone of another Trust holds a passport is not theirs to learn.
    assert [r["status"] for r in body["results"]] == ["rejected"] * 3
    assert all(r["passport_id"] is None for r in body["results"])
    assert len(service.outbox("passport.started")) == 1


@pytest.mark.parametrize("role", ["staff", "supervisor", "workforce"])
def test_only_leads_educators_and_trust_admins_assign_in_bulk(service, role):
    nurse = service.person("staff")
    problem(bulk(service, service.person(role), [nurse.id]), 403)
    problem(service.client.post("/passports/bulk", json={"passport_type": "NRSS", "staff_ids": [str(nurse.id)]}), 401)
    problem(bulk(service, Person(service.keys, None, ["platform_admin"]), [nurse.id]), 403)
    assert service.outbox("passport.started") == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({"staff_ids": []}, "passport_type"),
        ({"passport_type": "NOPE"}, "passport_type"),
        ({"passport_type": "nrss"}, "passport_type"),
        ({"passport_type": "NRSS", "staff_ids": []}, "staff_ids"),
        ({"passport_type": "NRSS", "staff_ids": None}, "staff_ids"),
        ({"passport_type": "NRSS", "staff_ids": ["not-a-uuid"]}, "staff_ids.0"),
        ({"passport_type": "NRSS", "staff_ids": [str(uuid.UUID(int=1))] * 2}, "staff_ids.1"),
        ({"passport_type": "NRSS", "staff_ids": [str(uuid.uuid4()) for _ in range(1001)]}, "staff_ids"),
        ({"passport_type": "NRSS", "all_or_nothing": "perhaps"}, "all_or_nothing"),
        ({"passport_type": "NRSS", "retrospective": True}, "retrospective"),
    ],
)
def test_bad_requests_are_422_naming_the_field_and_write_nothing(service, body, field):
    lead = service.person("lead")
    nurse = service.person("staff")
    body = {name: value for name, value in {"staff_ids": [str(nurse.id)], **body}.items() if value is not None}
    errors = problem(service.client.post("/passports/bulk", json=body, headers=lead.headers), 422)["errors"]
    assert field in errors, errors
    assert service.outbox("passport.started") == []


def test_a_cohort_of_any_size_costs_the_same_few_queries(service):
    """No query per person: apart from each event's own outbox row (and PostgreSQL's notification of the
    relay, which it coalesces on commit), the statements run for 200 people are those run for 20."""
    lead = service.person("lead")

    def queries_for(count):
        people = [service.person("staff") for _ in range(count)]
        with statements(service) as seen:
            response = bulk(service, lead, [p.id for p in people])
        assert response.status_code == 200 and response.get_json()["created"] == count
        return [s for s in seen if "pg_notify" not in s and not s.startswith("INSERT INTO outbox")]

    few, many = queries_for(20), queries_for(200)
    assert len(many) == len(few) < 10, many
    assert len(service.outbox("passport.started")) == 220
