"""Housekeeping of the outbox and inbox, against real databases (and the real broker for replays)."""

import json
import logging
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from kombu import Connection, Producer

from services.metrics.models import AppliedEvent
from shared.broker import dead_letter_exchange, dead_letter_queue_name, declare_topology, queue_name
from shared.config import Settings
from shared.consumer import apply_once
from shared.db import Database
from shared.dead_letters import dead_letters_command, replay_dead_letters
from shared.events import CONTENT_TYPE, load_payload, make_envelope, parse_envelope, serialise_payload
from shared.housekeeping import JOB_NAME, Pruned, Retention, housekeep
from shared.inbox import InboxEntry
from shared.migrations import upgrade
from shared.outbox import OutboxMessage
from shared.service import PeriodicJob, Runtime, ServiceSpec, installed_services, load_spec
from shared.worker import _periodic, periodic_jobs
from tests.shared.messaging_support import migrated_database, settings_for, trust_created_data

RETENTION = Retention(outbox_days=7, inbox_days=30)


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def outbox_row(
    *,
    sent: datetime | None,
    public: bool = False,
    routing_key: str | None = None,
    public_sent: datetime | None = None,
    created: datetime | None = None,
) -> dict:
    return {
        "event_id": uuid.uuid4(),
        "event_type": "trust.created",
        "envelope": "{}",
        "publish_attempts": 1,
        "created_at": created or sent or days_ago(400),
        "sent_at": sent,
        "public_envelope": "{}" if public else None,
        "public_routing_key": routing_key,
        "public_sent_at": public_sent,
    }


def inbox_row(processed: datetime) -> dict:
    return {"event_id": uuid.uuid4(), "event_type": "trust.created", "processed_at": processed}


def add(database, model, rows: list[dict]) -> list:
    with database.session() as session, session.begin():
        session.execute(sa.insert(model), rows)
    key = next(iter(sa.inspect(model).primary_key)).name
    return [row.get(key) for row in rows]


def outbox_event_ids(database) -> set:
    with database.session() as session:
        return set(session.scalars(sa.select(OutboxMessage.event_id)))


def inbox_event_ids(database) -> set:
    with database.session() as session:
        return set(session.scalars(sa.select(InboxEntry.event_id)))


def deletes_on(database) -> list[str]:
    """The DELETE statements the database is sent from now on, as a list that fills as they go."""
    seen = []

    def record(_conn, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("DELETE"):
            seen.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", record)
    return seen


# --- What goes and what stays ------------------------------------------------------------------------


def test_rows_past_their_retention_go_while_newer_and_unsent_ones_stay(database_url, tmp_path, caplog):
    database = migrated_database(database_url, tmp_path)
    old_sent = outbox_row(sent=days_ago(8))
    old_public_done = outbox_row(
        sent=days_ago(10), public=True, routing_key="RR8.trust.created", public_sent=days_ago(9)
    )
    kept = {
        "sent within the retention": outbox_row(sent=days_ago(6)),
        "never sent, however old": outbox_row(sent=None, created=days_ago(400)),
        "public message held for its Trust": outbox_row(sent=days_ago(400), public=True),
        "public message not sent yet": outbox_row(sent=days_ago(400), public=True, routing_key="RR8.trust.created"),
        "public message sent lately": outbox_row(
            sent=days_ago(10), public=True, routing_key="RR8.trust.created", public_sent=days_ago(1)
        ),
    }
    add(database, OutboxMessage, [old_sent, old_public_done, *kept.values()])
    [old_entry, recent_entry] = add(database, InboxEntry, [inbox_row(days_ago(31)), inbox_row(days_ago(29))])

    with caplog.at_level(logging.INFO, logger="shared.housekeeping"):
        pruned = housekeep(database, RETENTION, pause_seconds=0)

    assert pruned == Pruned(outbox=2, inbox=1)
    assert outbox_event_ids(database) == {row["event_id"] for row in kept.values()}
    assert inbox_event_ids(database) == {recent_entry}
    [report] = [r for r in caplog.records if r.getMessage().startswith("housekeeping removed")]
    assert (report.outbox_rows_removed, report.inbox_rows_removed) == (2, 1)
    assert housekeep(database, RETENTION, pause_seconds=0) == Pruned(outbox=0, inbox=0)  # nothing more is due


def test_more_rows_than_one_batch_are_all_removed_over_several_batches(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    add(database, OutboxMessage, [outbox_row(sent=days_ago(8)) for _ in range(2500)])
    add(database, InboxEntry, [inbox_row(days_ago(31)) for _ in range(2500)])
    kept_row = outbox_row(sent=days_ago(1))
    [kept_entry] = add(database, InboxEntry, [inbox_row(days_ago(1))])
    add(database, OutboxMessage, [kept_row])
    deletes = deletes_on(database)

    assert housekeep(database, RETENTION, batch_size=1000, pause_seconds=0) == Pruned(outbox=2500, inbox=2500)
    assert sum("outbox" in d for d in deletes) == 3 and sum("inbox" in d for d in deletes) == 3
    assert outbox_event_ids(database) == {kept_row["event_id"]}
    assert inbox_event_ids(database) == {kept_entry}


def test_a_redelivered_event_is_ignored_within_the_inbox_retention_and_applied_again_past_it(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    applied = []

    def handler(uow, event, payload):
        applied.append(event.id)

    def event_and_payload():
        data = serialise_payload("trust.created", trust_created_data())
        event = parse_envelope(
            make_envelope(
                service="identity",
                event_type="trust.created",
                subject=data["trust_id"],
                data=data,
                trust_id=data["trust_id"],
                correlation_id=None,
            )
        )
        return event, load_payload(event.type, event.data)

    remembered, forgotten = event_and_payload(), event_and_payload()
    for event, payload in (remembered, forgotten):
        assert apply_once(database, "metrics", event, payload, handler) is True
    with database.session() as session, session.begin():
        for (event, _), age in ((remembered, 29), (forgotten, 31)):
            session.get(InboxEntry, event.id).processed_at = days_ago(age)

    assert housekeep(database, RETENTION, pause_seconds=0) == Pruned(outbox=0, inbox=1)
    assert apply_once(database, "metrics", *remembered, handler) is False  # its inbox row is still there
    assert apply_once(database, "metrics", *forgotten, handler) is True  # what the retention bounds
    assert applied == [remembered[0].id, forgotten[0].id, forgotten[0].id]


def test_two_workers_pruning_at_once_remove_each_row_once(postgres_url, tmp_path):
    database = migrated_database(postgres_url, tmp_path)
    add(database, OutboxMessage, [outbox_row(sent=days_ago(8)) for _ in range(6000)])
    add(database, InboxEntry, [inbox_row(days_ago(31)) for _ in range(6000)])
    kept_rows = [outbox_row(sent=days_ago(1)) for _ in range(20)]
    add(database, OutboxMessage, kept_rows)
    kept_entries = set(add(database, InboxEntry, [inbox_row(days_ago(1)) for _ in range(20)]))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(housekeep(database, RETENTION, batch_size=200, pause_seconds=0))
        except Exception as error:  # the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(r.outbox for r in results) == 6000 and sum(r.inbox for r in results) == 6000
    assert outbox_event_ids(database) == {row["event_id"] for row in kept_rows}
    assert inbox_event_ids(database) == kept_entries


def test_a_row_another_transaction_holds_is_skipped_not_waited_for(postgres_url, tmp_path):
    database = migrated_database(postgres_url, tmp_path)
    [held, *others] = [outbox_row(sent=days_ago(8)) for _ in range(5)]
    add(database, OutboxMessage, [held, *others])
    with database.session() as holder, holder.begin():
        holder.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.event_id == held["event_id"]).with_for_update()
        ).one()
        started = time.monotonic()
        assert housekeep(database, RETENTION, pause_seconds=0).outbox == 4
        assert time.monotonic() - started < 1.5  # well inside the lock timeout: it never waited
    assert outbox_event_ids(database) == {held["event_id"]}  # the next run takes it
    assert housekeep(database, RETENTION, pause_seconds=0).outbox == 1


def test_only_the_shared_tables_are_pruned_and_what_is_kept_for_ever_stays(database_url):
    upgrade(database_url, load_spec("metrics").migrations)  # the shared tables and metrics' own
    database = Database(database_url)
    long_ago = days_ago(400)
    with database.session() as session, session.begin():
        session.add(
            AppliedEvent(
                event_id=uuid.uuid4(),
                event_type="passport.started",
                trust_id=uuid.uuid4(),
                envelope={"id": "kept for rebuild"},
                applied_at=long_ago,
            )
        )
    add(database, OutboxMessage, [outbox_row(sent=long_ago)])
    add(database, InboxEntry, [inbox_row(long_ago)])
    deletes = deletes_on(database)

    assert housekeep(database, RETENTION, pause_seconds=0) == Pruned(outbox=1, inbox=1)
    assert {statement.split()[2] for statement in deletes} == {"outbox", "inbox"}
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AppliedEvent)) == 1


# --- Settings and the worker ---------------------------------------------------------------------------


def test_the_retention_settings_default_to_a_week_and_a_month():
    settings = Settings.from_env("passport", {})
    assert (settings.outbox_retention_days, settings.inbox_retention_days) == (7, 30)
    assert settings.housekeeping_interval_seconds == 3600
    chosen = Settings.from_env(
        "passport", {"OUTBOX_RETENTION_DAYS": "3", "INBOX_RETENTION_DAYS": "90", "HOUSEKEEPING_INTERVAL_SECONDS": "600"}
    )
    assert Retention.of(chosen) == Retention(outbox_days=3, inbox_days=90)
    assert chosen.housekeeping_interval_seconds == 600


@pytest.mark.parametrize("name", ["OUTBOX_RETENTION_DAYS", "INBOX_RETENTION_DAYS", "HOUSEKEEPING_INTERVAL_SECONDS"])
@pytest.mark.parametrize("value", ["0", "-5", "seven", "1.5"])
def test_a_retention_setting_that_is_not_a_positive_whole_number_is_refused_by_name(name, value):
    with pytest.raises(ValueError, match=name):
        Settings.from_env("passport", {name: value})


def runtime_of(spec: ServiceSpec, database_url: str, **env) -> Runtime:
    return Runtime(spec, Settings.from_env(spec.name, {"DATABASE_URL": database_url, **env}), key_resolver=object())


@pytest.mark.parametrize("service", installed_services())
def test_every_service_s_worker_runs_housekeeping_beside_its_own_jobs(service, sqlite_url):
    spec = load_spec(service)
    runtime = runtime_of(spec, sqlite_url, HOUSEKEEPING_INTERVAL_SECONDS="1234")
    jobs = periodic_jobs(runtime, threading.Event())
    assert [job.name for job in jobs] == [job.name for job in spec.periodic_jobs] + [JOB_NAME]
    housekeeping = jobs[-1]
    assert housekeeping.every_seconds == 1234
    assert 0 < housekeeping.first_run_after_seconds < housekeeping.every_seconds


def test_the_job_prunes_with_the_retention_of_the_worker_s_settings(sqlite_url, tmp_path):
    database = migrated_database(sqlite_url, tmp_path)
    gone, kept = outbox_row(sent=days_ago(3)), outbox_row(sent=days_ago(1))
    add(database, OutboxMessage, [gone, kept])
    runtime = runtime_of(ServiceSpec(name="test", title="t", description="d"), sqlite_url, OUTBOX_RETENTION_DAYS="2")
    [job] = periodic_jobs(runtime, threading.Event())
    job.run(runtime)
    assert outbox_event_ids(database) == {kept["event_id"]}


def test_a_job_runs_first_when_it_asks_then_at_its_interval():
    stop = threading.Event()
    runs = {"soon": 0, "later": 0}

    def counting(name):
        def run(_runtime):
            runs[name] += 1

        return run

    jobs = [
        PeriodicJob("soon", 3600, counting("soon"), first_run_after_seconds=0.05),
        PeriodicJob("later", 3600, counting("later")),
    ]
    no_runtime = SimpleNamespace(settings=None)  # jobs of fixed intervals read no settings
    threads = [threading.Thread(target=_periodic(job, no_runtime, stop), daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    assert runs == {"soon": 1, "later": 0}


# --- Replaying dead letters older than the inbox retention ----------------------------------------------


def dead_lettered(amqp_url: str, service: str, made: datetime) -> str:
    """A message as the broker dead-letters it from the service's queue; its event id."""
    data = serialise_payload("trust.created", trust_created_data())
    envelope = make_envelope(
        service="identity",
        event_type="trust.created",
        subject=data["trust_id"],
        data=data,
        trust_id=data["trust_id"],
        correlation_id=None,
        time=made,
    )
    with Connection(amqp_url, transport_options={"confirm_publish": True}) as connection:
        Producer(connection.channel(), exchange=dead_letter_exchange).publish(
            json.dumps(envelope).encode(),
            routing_key=queue_name(service),
            content_type=CONTENT_TYPE,
            content_encoding="utf-8",
            message_id=envelope["id"],
            delivery_mode=2,
            confirm_timeout=5,
        )
    return envelope["id"]


def depth(amqp_url: str, queue: str) -> int:
    with Connection(amqp_url) as connection:
        return connection.channel().queue_declare(queue=queue, passive=True).message_count


def test_replay_refuses_events_older_than_the_inbox_retention_unless_told(amqp_url, monkeypatch, capsys):
    service = f"test{uuid.uuid4().hex[:8]}"
    with Connection(amqp_url) as connection:
        declare_topology(connection.channel(), service, ["trust.created"])
    old = dead_lettered(amqp_url, service, days_ago(31))
    recent = dead_lettered(amqp_url, service, days_ago(29))
    settings = settings_for(service, "sqlite:///unused.db", amqp_url, INBOX_RETENTION_DAYS="30")

    refused = replay_dead_letters(settings, service, None)
    assert [letter.event_id for letter in refused.past_inbox_retention] == [old] and refused.replayed == []
    assert depth(amqp_url, dead_letter_queue_name(service)) == 2  # nothing replayed, not even the recent one

    monkeypatch.setenv("AMQP_URL", amqp_url)
    monkeypatch.setenv("INBOX_RETENTION_DAYS", "30")
    assert dead_letters_command(service, ["replay", "--all"]) == 1
    said = capsys.readouterr().err
    assert old in said and recent not in said and "INBOX_RETENTION_DAYS" in said and "--past-inbox-retention" in said
    assert depth(amqp_url, dead_letter_queue_name(service)) == 2

    assert [letter.event_id for letter in replay_dead_letters(settings, service, [recent]).replayed] == [recent]
    assert dead_letters_command(service, ["replay", "--id", old, "--past-inbox-retention"]) == 0
    assert depth(amqp_url, dead_letter_queue_name(service)) == 0
    assert depth(amqp_url, queue_name(service)) == 2
