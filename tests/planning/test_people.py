"""People on the roster: their names and staff numbers from identity's user.* events, and leavers
(user.deactivated), in any arrival order and exactly once."""

import threading
import uuid
from datetime import timedelta

from shared.events.catalogue import PublicRosterUpdated
from tests.planning.conftest import T0, PlanningService
from tests.support.public_outbox import public_outbox

ISSUED, LEFT = T0, T0 + timedelta(days=30)


def roster(service, person=None, **filters):
    return service.ok("GET", "/roster", person or service.person("lead"), **filters)


def updates(service):
    return [event["data"] for event in service.outbox("roster.updated")]


def standing(entry):
    return entry["status"], entry["reason"], entry["since"]


# --- Names ---------------------------------------------------------------------------------------------


def test_roster_and_history_carry_the_person_s_name_and_staff_number_null_until_known(service):
    nurse, lead = service.person("staff"), service.person("lead")
    service.issued(service.certificate(nurse.id), ISSUED)
    [entry] = roster(service)
    assert (entry["staff_id"], entry["staff_name"], entry["staff_number"]) == (str(nurse.id), None, None)
    assert service.profile(nurse, "Sam Okafor", "N7", event="user.registered")
    [entry] = roster(service)
    assert (entry["staff_name"], entry["staff_number"]) == ("Sam Okafor", "N7")
    [change] = service.ok("GET", "/roster/history", lead, staff_id=nurse.id, role="NRSS")
    assert (change["staff_name"], change["staff_number"]) == ("Sam Okafor", "N7")
    assert roster(service, nurse)[0]["staff_name"] == "Sam Okafor"  # staff read their own entry, named too


def test_the_newest_profile_wins_and_an_older_update_arriving_late_is_ignored(service):
    nurse = service.person("staff")
    service.issued(service.certificate(nurse.id), ISSUED)
    service.profile(nurse, "Sam Okafor", "N7", event="user.registered", at=T0)
    service.profile(nurse, "Sam Okafor-Lee", "N8", at=T0 + timedelta(hours=2))
    service.profile(nurse, "Sam Old", "N1", at=T0 + timedelta(hours=1))  # older, arriving late
    [entry] = roster(service)
    assert (entry["staff_name"], entry["staff_number"]) == ("Sam Okafor-Lee", "N8")


def test_the_same_profile_event_twice_applies_once(service):
    nurse = service.person("staff")
    event_id = uuid.uuid4()
    assert service.profile(nurse, "Sam Okafor", "N7", at=T0, event_id=event_id) is True
    assert service.profile(nurse, "Sam Okafor", "N7", at=T0, event_id=event_id) is False
    assert updates(service) == []  # a name alone changes no one's standing


# --- Leavers -------------------------------------------------------------------------------------------


def test_a_leaver_becomes_ineligible_with_reason_left_in_every_role_they_were_eligible_in(service):
    service.deliver(
        "trust.created", {"trust_id": service.trust_id, "name": "Planning Trust", "ods_code": "RPL", "created_at": T0}
    )
    nurse, colleague = service.person("staff"), service.person("staff")
    service.profile(nurse, "Sam Okafor", "N7", event="user.registered")
    nrss, rsc, revoked = (service.certificate(nurse.id, role) for role in ("NRSS", "RSC", "ICU"))
    for certificate in (nrss, rsc, revoked):
        service.issued(certificate, ISSUED)
    service.revoked(revoked, ISSUED + timedelta(days=3))
    service.issued(service.certificate(colleague.id), ISSUED)
    before = len(updates(service))

    assert service.deactivated(nurse, LEFT)
    entries = {entry["role"]: entry for entry in roster(service, staff_id=nurse.id)}
    assert standing(entries["NRSS"]) == standing(entries["RSC"]) == ("ineligible", "left", LEFT.isoformat())
    assert entries["NRSS"]["certificate_id"] == str(nrss["certificate_id"])  # the certificate they held
    assert standing(entries["ICU"])[:2] == ("ineligible", "revoked")  # already ineligible: unchanged
    assert roster(service, staff_id=colleague.id)[0]["status"] == "eligible"
    staged = updates(service)[before:]
    assert sorted((u["role"], u["status"], u["reason"]) for u in staged) == [
        ("NRSS", "ineligible", "left"),
        ("RSC", "ineligible", "left"),
    ]
    public = [p["data"] for _, p, _ in public_outbox(service, "roster.updated")][-2:]
    assert all(PublicRosterUpdated().validate(data) == {} for data in public)
    assert {(p["reason"], p["staff_name"], p["staff_number"]) for p in public} == {("left", "Sam Okafor", "N7")}
    history = service.ok("GET", "/roster/history", service.person("lead"), staff_id=nurse.id, role="NRSS")
    assert [(h["status"], h["reason"]) for h in history] == [("eligible", "certified"), ("ineligible", "left")]


def test_a_certificate_issued_after_leaving_does_not_make_a_leaver_eligible_again(service):
    nurse = service.person("staff")
    service.issued(service.certificate(nurse.id), ISSUED)
    service.deactivated(nurse, LEFT)
    renewal = service.certificate(nurse.id)
    service.issued(renewal, LEFT + timedelta(days=1))
    [entry] = roster(service)
    assert standing(entry) == ("ineligible", "left", (LEFT + timedelta(days=1)).isoformat())
    assert entry["certificate_id"] == str(renewal["certificate_id"])


def test_a_certificate_issued_after_the_leaving_ends_the_same_whichever_arrives_first(service):
    late_issue = LEFT + timedelta(hours=1)
    endings = []
    for leaving_first in (True, False):
        nurse = service.person("staff")
        steps = [
            lambda nurse=nurse: service.deactivated(nurse, LEFT),
            lambda nurse=nurse: service.issued(service.certificate(nurse.id), late_issue),
        ]
        for step in steps if leaving_first else reversed(steps):
            step()
        [entry] = roster(service, staff_id=nurse.id)
        endings.append(standing(entry))
        # `since` never goes back, so a reader keeping the newest roster.updated ends where planning does.
        sinces = [u["since"] for u in updates(service) if u["staff_id"] == str(nurse.id)]
        assert sinces == sorted(sinces)
    assert endings == [("ineligible", "left", late_issue.isoformat())] * 2


def test_a_leaving_that_arrives_before_the_certificate_still_holds(service):
    nurse = service.person("staff")
    service.deactivated(nurse, LEFT)
    service.issued(service.certificate(nurse.id), ISSUED)
    [entry] = roster(service)
    assert standing(entry) == ("ineligible", "left", LEFT.isoformat())
    assert [(u["status"], u["reason"]) for u in updates(service)] == [("ineligible", "left")]


def test_the_same_leaving_twice_applies_once_and_stages_one_update(service):
    nurse = service.person("staff")
    service.issued(service.certificate(nurse.id), ISSUED)
    event_id = uuid.uuid4()
    assert service.deactivated(nurse, LEFT, event_id=event_id) is True
    assert service.deactivated(nurse, LEFT, event_id=event_id) is False
    assert service.deactivated(nurse, LEFT) is True  # republished under a new id: the same fact, no change
    assert [u["reason"] for u in updates(service)] == ["certified", "left"]


def test_an_older_profile_arriving_after_the_leaving_does_not_bring_the_leaver_back(service):
    nurse = service.person("staff")
    service.issued(service.certificate(nurse.id), ISSUED)
    service.deactivated(nurse, LEFT)
    service.profile(nurse, "Sam Okafor", "N7", event="user.registered", at=T0)  # registered, arriving late
    service.profile(nurse, "Sam Okafor-Lee", "N7", at=LEFT + timedelta(hours=1), active=False)  # renamed while gone
    [entry] = roster(service)
    assert standing(entry) == ("ineligible", "left", LEFT.isoformat())
    assert entry["staff_name"] == "Sam Okafor-Lee"


def test_someone_taken_back_is_eligible_again_on_the_certificate_still_standing(service):
    nurse = service.person("staff")
    certificate = service.certificate(nurse.id)
    service.issued(certificate, ISSUED)
    service.deactivated(nurse, LEFT)
    service.profile(nurse, "Sam Okafor", "N7", at=LEFT + timedelta(days=2), active=True)  # reactivated
    [entry] = roster(service)
    # Eligible again on the same certificate; `since` never goes back before the leaving.
    assert standing(entry) == ("eligible", "certified", LEFT.isoformat())
    assert entry["certificate_id"] == str(certificate["certificate_id"])
    assert [(u["reason"], u["since"]) for u in updates(service)] == [
        ("certified", ISSUED.isoformat()),
        ("left", LEFT.isoformat()),
        ("certified", LEFT.isoformat()),
    ]
    service.profile(nurse, "Sam Okafor-Lee", "N7", at=LEFT + timedelta(days=3))  # a rename changes no standing
    assert len(updates(service)) == 3


def test_a_leaving_and_a_certificate_arriving_at_once_never_leave_the_leaver_eligible(postgres_url):
    service = PlanningService(postgres_url)
    for _ in range(40):
        nurse = service.person("staff")
        barrier = threading.Barrier(2)

        def leave(nurse=nurse, barrier=barrier):
            barrier.wait()
            service.deactivated(nurse, LEFT)

        def certify(nurse=nurse, barrier=barrier):
            barrier.wait()
            service.issued(service.certificate(nurse.id), ISSUED)

        threads = [threading.Thread(target=leave), threading.Thread(target=certify)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        [entry] = roster(service, staff_id=nurse.id)
        assert standing(entry) == ("ineligible", "left", LEFT.isoformat())
