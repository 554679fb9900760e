"""The projections: each event moves the counts once, in any order, and says so with metrics.recalculated."""

import itertools
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from shared.consumer import apply_batch, apply_once
from shared.events.catalogue import PassportTypeCounts
from tests.metrics.conftest import T0, MetricsService

DAY = timedelta(days=1)


def recalculated(service) -> list[dict]:
    return [event["data"] for event in service.outbox("metrics.recalculated")]


JOURNEY_COUNTS = {
    "started": 1,
    "in_progress": 0,
    "completed": 1,
    "withdrawn": 0,
    "certified": 1,
    "certificates_issued": 1,
    "certificates_revoked": 0,
    "certificates_expired": 0,
    "skills_self_assessed": 2,
    "skills_signed_off": 3,
    "learning_planned": 2,
    "learning_attended": 1,
    "learning_completed": 0,
    "rostered": 1,
    "cohort_identified": 0,
}


def whole_journey(service, started_id=None, roster_id=None) -> None:
    nurse = uuid.uuid4()
    passport = service.passport(nurse)
    service.started(passport, T0, event_id=started_id)
    service.assessed(passport, "S1", T0 + DAY)
    service.assessed(passport, "S1", T0 + 2 * DAY, first=False)  # a second look at the same skill
    service.assessed(passport, "S2", T0 + 2 * DAY)
    learning = uuid.uuid4()
    service.learning(passport, "planned", T0 + DAY, learning_id=learning)
    service.learning(passport, "attended", T0 + 3 * DAY, learning_id=learning)
    service.learning(passport, "planned", T0 + 3 * DAY)
    for skill in ("S1", "S2", "S3"):
        service.signoff(passport, skill, T0 + 4 * DAY)
    service.completed(passport, T0 + 4 * DAY)
    certificate = service.certificate(nurse)
    service.issued(certificate, T0 + 4 * DAY)
    service.roster(nurse, "eligible", T0 + 4 * DAY, event_id=roster_id)


def test_a_journey_moves_every_count_of_its_passport_type_only(service):
    whole_journey(service)

    counts = service.counts("NRSS")
    assert {key: counts[key] for key in counts if key != "code"} == JOURNEY_COUNTS
    assert all(value == 0 for key, value in service.counts("RSC").items() if key != "code")


def test_events_applied_together_count_as_one_by_one_and_tell_the_bus_once_per_passport_type(service):
    started_id, roster_id = uuid.uuid4(), uuid.uuid4()
    with service.delivered_together() as outcomes:
        whole_journey(service, started_id=started_id, roster_id=roster_id)
        service.started(service.passport(), T0, event_id=started_id)  # a copy of the first, in the same batch
    assert outcomes.count(False) == 1 and outcomes[-1] is False

    counts = service.counts("NRSS")
    assert {key: counts[key] for key in counts if key != "code"} == JOURNEY_COUNTS
    [event] = recalculated(service)  # one for the sixteen events that moved NRSS's counts
    assert (event["passport_type"], event["caused_by"]) == ("NRSS", "roster.updated")
    assert event["counts"] == JOURNEY_COUNTS
    # It goes out under the correlation of the event that moved the counts last (its own id: it named none).
    [envelope] = service.outbox("metrics.recalculated")
    assert envelope["correlationid"] == str(roster_id)


def test_every_change_publishes_the_new_counts_and_a_duplicate_publishes_nothing(service):
    passport = service.passport()
    event_id = uuid.uuid4()
    assert service.started(passport, T0, event_id=event_id)
    [event] = service.outbox("metrics.recalculated")
    assert event["trustid"] == str(service.trust_id) and event["source"] == "/skillpass/metrics"
    data = event["data"]
    assert (data["passport_type"], data["caused_by"]) == ("NRSS", "passport.started")
    assert set(data["counts"]) == set(PassportTypeCounts().fields)
    assert (data["counts"]["started"], data["counts"]["in_progress"]) == (1, 1)

    assert not service.started(passport, T0, event_id=event_id)  # the same event again
    assert service.counts()["started"] == 1
    assert len(recalculated(service)) == 1

    service.user(uuid.uuid4(), "S1", "Nursing", T0)  # changes no count
    service.assessed(passport, "S1", T0 + DAY, first=False)  # neither does a second self-assessment
    assert len(recalculated(service)) == 1


def test_a_renewal_does_not_count_the_person_twice_and_its_revocation_leaves_them_uncertified(service):
    nurse = uuid.uuid4()
    first, renewal = service.certificate(nurse), service.certificate(nurse)
    service.issued(first, T0)
    service.issued(renewal, T0 + 300 * DAY)
    counts = service.counts()
    assert (counts["certified"], counts["certificates_issued"]) == (1, 2)
    # The older certificate was superseded by the renewal (without an event): it does not keep them certified.
    service.revoked(renewal, T0 + 301 * DAY)
    counts = service.counts()
    assert (counts["certified"], counts["certificates_issued"], counts["certificates_revoked"]) == (0, 2, 1)


@pytest.mark.parametrize("order", list(itertools.permutations(["issued", "revoked", "expired"])))
def test_a_certificate_ends_by_its_first_end_whatever_the_arrival_order(order, sqlite_url):
    service = MetricsService(sqlite_url)
    certificate = service.certificate()
    apply = {
        "issued": lambda: service.issued(certificate, T0),
        "revoked": lambda: service.revoked(certificate, T0 + 2 * DAY),
        "expired": lambda: service.expired(certificate, T0 + 5 * DAY),
    }
    for name in order:
        apply[name]()
    counts = service.counts()
    assert (
        counts["certified"],
        counts["certificates_issued"],
        counts["certificates_revoked"],
        counts["certificates_expired"],
    ) == (0, 1, 1, 0)


def test_revoked_before_issued_ends_revoked(service):
    certificate = service.certificate()
    service.revoked(certificate, T0 + DAY)
    service.issued(certificate, T0)
    counts = service.counts()
    assert (counts["certified"], counts["certificates_issued"], counts["certificates_revoked"]) == (0, 1, 1)


@pytest.mark.parametrize("order", list(itertools.permutations(["started", "completed", "reopened", "signoff"])))
def test_a_passport_ends_in_the_status_of_its_latest_event_whatever_the_arrival_order(order, sqlite_url):
    service = MetricsService(sqlite_url)
    passport = service.passport()
    apply = {
        "started": lambda: service.started(passport, T0),
        "completed": lambda: service.completed(passport, T0 + 2 * DAY),
        "reopened": lambda: service.reopened(passport, T0 + 3 * DAY),
        "signoff": lambda: service.signoff(passport, "S1", T0 + DAY),
    }
    for name in order:
        apply[name]()
    counts = service.counts()
    assert (counts["started"], counts["in_progress"], counts["completed"], counts["skills_signed_off"]) == (1, 1, 0, 1)


def test_withdrawal_is_final_and_a_revoked_signoff_no_longer_counts(service):
    passport = service.passport()
    service.started(passport, T0)
    decision = service.signoff(passport, "S1", T0 + DAY)
    service.signoff(passport, "S2", T0 + DAY, outcome="not_yet")
    assert service.counts()["skills_signed_off"] == 1
    service.signoff_revoked(decision, T0 + 2 * DAY)
    service.withdrawn(passport, T0 + 3 * DAY)
    service.reopened(passport, T0 + 4 * DAY)
    counts = service.counts()
    assert (counts["skills_signed_off"], counts["withdrawn"], counts["in_progress"]) == (0, 1, 0)


def test_cohorts_sum_over_live_plans_and_a_deleted_plan_takes_its_cohort_away(service):
    kept, deleted = uuid.uuid4(), uuid.uuid4()
    service.plan(kept, T0)
    service.cohort(kept, "NRSS", 70, T0)
    service.cohort(kept, "RSC", 80, T0)
    service.cohort(deleted, "NRSS", 5, T0)
    service.cohort(kept, "NRSS", 72, T0 + DAY)
    service.cohort(kept, "NRSS", 60, T0 - DAY)  # older news, late
    assert (service.counts("NRSS")["cohort_identified"], service.counts("RSC")["cohort_identified"]) == (77, 80)
    service.plan(deleted, T0 + 2 * DAY, deleted=True)
    service.cohort(deleted, "NRSS", 9, T0 + DAY)  # arrives after the deletion: never counts
    assert service.counts("NRSS")["cohort_identified"] == 72


def test_the_roster_counts_eligible_people_by_their_latest_standing(service):
    nurse, other = uuid.uuid4(), uuid.uuid4()
    service.roster(nurse, "ineligible", T0 + 2 * DAY)
    service.roster(nurse, "eligible", T0)  # older: stays ineligible
    service.roster(other, "eligible", T0)
    assert service.counts()["rostered"] == 1


def test_events_of_another_trust_stay_in_that_trust(service):
    passport = {**service.passport(), "trust_id": uuid.uuid4()}
    service.started(passport, T0)
    assert service.counts()["started"] == 0


def tangled(service) -> None:
    """Events that come back to the same rows, within ten and across: sign-offs before their passport is known,
    decisions and revocations on one skill, a renewal and its revocation, a plan deleted after its cohort."""
    nurse, plan, learning = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    passport = service.passport(nurse)
    certificate, renewal = service.certificate(nurse), service.certificate(nurse)
    service.signoff(passport, "S1", T0)
    first = service.signoff(passport, "S2", T0)
    service.started(passport, T0 + DAY)
    service.issued(certificate, T0 + 3 * DAY)
    service.issued(renewal, T0 + 5 * DAY)
    service.plan(plan, T0)
    service.cohort(plan, "NRSS", 5, T0)
    service.measure(plan, T0, metric="completed")
    service.user(nurse, "S1", "Nursing", T0)
    service.learning(passport, "planned", T0 + DAY, learning_id=learning)
    # The eleventh on: a second transaction, then a third.
    service.signoff(passport, "S2", T0 + 2 * DAY, outcome="not_yet")
    service.signoff_revoked(first, T0 + 2 * DAY)
    later = service.signoff(passport, "S2", T0 + 3 * DAY)
    service.signoff(passport, "S3", T0 + 3 * DAY)
    service.completed(passport, T0 + 3 * DAY)
    service.signoff_revoked(later, T0 + 4 * DAY)
    service.reopened(passport, T0 + 4 * DAY)
    service.revoked(renewal, T0 + 6 * DAY)
    service.expired(certificate, T0 + 7 * DAY)
    service.roster(nurse, "eligible", T0 + 3 * DAY)
    service.roster(nurse, "ineligible", T0 + 6 * DAY)
    service.plan(plan, T0 + DAY, deleted=True)
    service.signoff(passport, "S1", T0 - DAY, outcome="not_yet")  # older than the first: the newest stands
    service.learning(passport, "attended", T0 + DAY, learning_id=learning)
    service.learning(passport, "completed", T0 + DAY, learning_id=learning)


def projected_rows(service) -> dict:
    from services.metrics.models import PROJECTIONS

    with service.runtime.database.engine.connect() as connection:
        return {
            model.__tablename__: sorted(
                (
                    {
                        k: v
                        for k, v in row._mapping.items()
                        if k != "updated_at" or model.__tablename__ != "current_counts"
                    }
                    for row in connection.execute(sa.select(model.__table__))
                ),
                key=repr,
            )
            for model in PROJECTIONS
        }


def test_events_applied_ten_a_transaction_leave_every_projection_as_one_by_one(service, tmp_path):
    one_by_one = MetricsService(f"sqlite:///{tmp_path / 'one_by_one.db'}")
    service._batch = []  # taken as delivered_together takes them, to be applied ten at a time below
    tangled(service)
    deliveries, service._batch = service._batch, None
    for start in range(0, len(deliveries), 10):
        apply_batch(service.runtime.database, "metrics", deliveries[start : start + 10])
    for delivery in deliveries:
        apply_once(one_by_one.runtime.database, "metrics", *delivery)

    assert projected_rows(service) == projected_rows(one_by_one)
    assert projected_rows(service)["skill_states"]  # the history reached every kind of state row
