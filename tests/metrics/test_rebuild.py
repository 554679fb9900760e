"""`skillpass metrics rebuild` recomputes every projection from the kept events and gets the same numbers,
also when the events are replayed in another order."""

import uuid
from datetime import timedelta

import pytest

from services.metrics import handlers
from tests.metrics.conftest import T0

DAY = timedelta(days=1)


def history(service) -> None:
    plan = uuid.uuid4()
    service.plan(plan, T0)
    service.cohort(plan, "NRSS", 5, T0)
    service.measure(plan, T0, metric="completion_rate")
    for n in range(4):
        nurse = uuid.uuid4()
        passport = service.passport(nurse, "NRSS" if n % 2 else "RSC")
        service.started(passport, T0 + n * DAY)
        service.assessed(passport, "S1", T0 + (n + 1) * DAY)
        decision = service.signoff(passport, "S1", T0 + (n + 2) * DAY)
        if n == 3:
            service.signoff_revoked(decision, T0 + 9 * DAY)
        service.learning(passport, "completed", T0 + (n + 1) * DAY)
        if n < 3:
            service.completed(passport, T0 + (n + 3) * DAY)
            certificate = {
                **service.certificate(nurse, passport["passport_type"]),
                "passport_id": passport["passport_id"],
            }
            service.issued(certificate, T0 + (n + 3) * DAY)
            service.roster(nurse, "eligible", T0 + (n + 3) * DAY, role=passport["passport_type"])
    service.revoked(certificate, T0 + 10 * DAY)


def figures(service) -> dict:
    dashboard = service.dashboard()
    return {"passport_types": dashboard["passport_types"], "aims": dashboard["aims"], "measures": dashboard["measures"]}


@pytest.mark.parametrize("shuffle_seed", [None, 7, 2024])
def test_rebuild_gives_the_same_dashboard(service, shuffle_seed):
    history(service)
    before = figures(service)
    assert sum(row["started"] for row in before["passport_types"]) == 4 and before["measures"][0]["value"] is not None
    published = len(service.outbox("metrics.recalculated"))
    with service.runtime.unit_of_work() as uow:
        replayed = handlers.rebuild(uow, handlers.PROJECTION_OF, shuffle_seed=shuffle_seed)
        uow.commit()
    assert replayed == 30
    assert figures(service) == before
    assert len(service.outbox("metrics.recalculated")) == published  # replaying tells the bus nothing


def test_the_rebuild_command_prints_the_totals(service, capsys):
    history(service)
    with service.runtime.unit_of_work() as uow:  # a projection gone wrong, which rebuild repairs
        uow.session.execute(handlers.sa.update(handlers.CurrentCounts).values(started=99))
        uow.commit()
    assert service.runtime.spec.commands["rebuild"][1](service.runtime, []) == 0
    output = capsys.readouterr().out
    assert "replayed 30 events" in output and f"{service.trust_id} NRSS started=2 " in output
    assert service.counts("NRSS")["started"] == 2 and service.counts("RSC")["started"] == 2
