"""Public events (DESIGN §9): minimised payloads, routing keys, the outbox row that carries both messages,
and the binding keys a subscriber's account is limited to."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError, fields

from shared.events import CATALOGUE, serialise_payload
from shared.events.catalogue import PUBLIC_PERSON_FIELDS
from shared.events.public import (
    PublicFacts,
    check_event_pattern,
    public_event_types,
    public_payload,
    public_routing_key,
    routing_word,
    topic_matches,
)
from shared.outbox import OutboxMessage, PublicTrust, remember_trust
from shared.subscribers import binding_key_regex
from shared.uow import UnitOfWork
from tests.shared.messaging_support import migrated_database

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PUBLIC = {"certificate.issued", "certificate.revoked", "certificate.expired", "roster.updated"}


def certificate_issued(trust_id=None) -> dict:
    return {
        "certificate_id": uuid.uuid4(),
        "staff_id": uuid.uuid4(),
        "trust_id": trust_id or uuid.uuid4(),
        "passport_id": uuid.uuid4(),
        "passport_type": "NRSS",
        "type_version": 1,
        "role_title": "Non-Registered Support Staff",
        "issued_at": T0,
        "expires_at": T0 + timedelta(days=365),
        "verify_url": "http://127.0.0.1:5007/certificates/1/verify",
    }


INTERNAL_SAMPLES = {
    "certificate.issued": certificate_issued,
    "certificate.revoked": lambda: {
        **{
            k: v
            for k, v in certificate_issued().items()
            if k in ("certificate_id", "staff_id", "trust_id", "passport_id", "passport_type")
        },
        "reason": "Falsified evidence, reported by jo.bloggs@example.nhs.uk",
        "revoked_by": uuid.uuid4(),
        "revoked_at": T0,
    },
    "certificate.expired": lambda: {
        **{
            k: v
            for k, v in certificate_issued().items()
            if k in ("certificate_id", "staff_id", "trust_id", "passport_id", "passport_type")
        },
        "expired_at": T0,
    },
    "roster.updated": lambda: {
        "staff_id": uuid.uuid4(),
        "trust_id": uuid.uuid4(),
        "role": "NRSS",
        "status": "eligible",
        "certificate_id": uuid.uuid4(),
        "since": T0,
        "reason": "certified",
    },
}


# --- The catalogue's public payloads -------------------------------------------------------------------


def test_the_catalogue_marks_at_least_the_contract_s_events_public():
    assert PUBLIC <= set(public_event_types())
    assert not {"user.registered", "user.updated", "trust.created"} & set(public_event_types())


@pytest.mark.parametrize("event_type", public_event_types())
def test_a_public_schema_names_the_person_by_staff_number_and_name_and_carries_no_email(event_type):
    spec = CATALOGUE[event_type]
    public_fields = spec.public().fields
    assert set(PUBLIC_PERSON_FIELDS) <= set(public_fields)
    assert not [name for name, field in public_fields.items() if isinstance(field, fields.Email) or "email" in name]
    # An allow-list of the internal payload: nothing is made up but the person.
    assert set(public_fields) - set(PUBLIC_PERSON_FIELDS) <= set(spec.schema().fields)
    # Minimised: no internal ids of people, Trusts or passports, and no free text (roster.updated's reason
    # is one of three words).
    assert not {"staff_id", "trust_id", "passport_id", "revoked_by", "email"} & set(public_fields)
    if "reason" in public_fields:
        assert public_fields["reason"].validators, f"{event_type}: a free-text reason"


@pytest.mark.parametrize("event_type", sorted(PUBLIC))
def test_the_public_payload_keeps_only_its_fields_and_adds_the_person(event_type):
    data = INTERNAL_SAMPLES[event_type]()
    serialise_payload(event_type, data)  # a payload the publisher would stage
    public = public_payload(event_type, data, PublicFacts(staff_number="N12345", staff_name="Sam Okafor"))
    assert list(public) == list(CATALOGUE[event_type].public().fields)
    assert public["staff_number"] == "N12345" and public["staff_name"] == "Sam Okafor"
    assert "@" not in json.dumps(public)
    for name, value in public.items():
        if name not in PUBLIC_PERSON_FIELDS:
            assert value == serialise_payload(event_type, data)[name]


def test_a_person_not_known_yet_is_null_in_the_public_payload():
    public = public_payload("roster.updated", INTERNAL_SAMPLES["roster.updated"](), PublicFacts())
    assert public["staff_number"] is None and public["staff_name"] is None


def test_an_internal_event_has_no_public_payload_and_a_bad_one_is_refused():
    with pytest.raises(ValueError, match="not a public event"):
        public_payload("user.registered", {}, PublicFacts())
    bad = {**INTERNAL_SAMPLES["roster.updated"](), "status": "maybe"}
    with pytest.raises(ValidationError):
        public_payload("roster.updated", bad, PublicFacts())


# --- Routing keys ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ods, key",
    [
        ("RR8", "RR8.certificate.issued"),
        (" rr8 ", "RR8.certificate.issued"),
        ("8A718", "8A718.certificate.issued"),
        ("R.X1", "R_X1.certificate.issued"),
        ("RX-1", "RX-1.certificate.issued"),
    ],
)
def test_the_public_routing_key_is_the_ods_code_then_the_event(ods, key):
    assert public_routing_key(ods, "certificate.issued") == key


@pytest.mark.parametrize("ods", ["", "R", "R*1", "R#1", "R 1", "R_1", "ABCDEFGHIJKLMNOPQ"])
def test_what_is_not_an_ods_code_makes_no_routing_key(ods):
    with pytest.raises(ValueError):
        routing_word(ods)


@pytest.mark.parametrize(
    "pattern, key, matches",
    [
        ("certificate.#", "certificate.issued", True),
        ("#", "roster.updated", True),
        ("*.updated", "roster.updated", True),
        ("certificate.*", "certificate.issued", True),
        ("certificate.*", "roster.updated", False),
        ("RR8.#", "RR8_A.roster.updated", False),
        ("RR8.#", "RR8.roster.updated", True),
        ("*", "a.b", False),
        ("a.#.b", "a.b", True),
        ("a.#.b", "a.x.y.b", True),
        ("a.*.b", "a.b", False),
    ],
)
def test_topic_matching_is_amqp_s(pattern, key, matches):
    assert topic_matches(pattern, key) is matches


@pytest.mark.parametrize("pattern", ["", "user.*", "CERT.*", "certificate..issued", "certificate.is sued"])
def test_an_event_pattern_must_match_a_public_event(pattern):
    with pytest.raises(ValueError):
        check_event_pattern(pattern)


# --- What a subscriber's account may bind ------------------------------------------------------------------

WORDS = ["RR8", "RX1", "RR8_A", "RR80", "*", "#", "certificate", "roster", "issued", "updated", "expired"]


def candidate_binding_keys():
    for length in range(1, 5):
        for words in itertools.product(WORDS, repeat=length):
            yield ".".join(words)


def published_keys(trust: str) -> list[str]:
    return [f"{trust}.{event_type}" for event_type in public_event_types()]


@pytest.mark.parametrize("events", [(), ("certificate.*",), ("roster.updated",), ("#",), ("*.expired", "roster.#")])
def test_no_binding_key_the_account_may_use_matches_another_trust_s_events(events):
    """RabbitMQ checks a binding key against the topic permission's regex (re:run, a search); every key
    that passes must match routing keys of its own Trust only, and only of its events."""
    allowed = re.compile(binding_key_regex("RR8", tuple(events)))
    others = [key for trust in ("RX1", "RR8_A", "RR80") for key in published_keys(trust)]
    own_events = [t for t in public_event_types() if not events or any(topic_matches(p, t) for p in events)]
    permitted = [key for key in candidate_binding_keys() if allowed.search(key)]
    assert permitted, "the account could bind nothing at all"
    for binding in permitted:
        assert not [key for key in others if topic_matches(binding, key)], binding
        reached = {key.split(".", 1)[1] for key in published_keys("RR8") if topic_matches(binding, key)}
        assert reached <= set(own_events), binding


def test_the_trust_s_own_keys_and_patterns_are_allowed_and_the_rest_refused():
    everything = re.compile(binding_key_regex("RR8"))
    for key in ("RR8.certificate.#", "RR8.#", "RR8.roster.updated", "RR8.*.issued"):
        assert everything.search(key), key
    for key in ("#", "*.certificate.issued", "RX1.certificate.#", "RR80.#", "RR8_A.#", "RR8", "rr8.#"):
        assert not everything.search(key), key

    certificates = re.compile(binding_key_regex("RR8", ("certificate.*",)))
    for key in ("RR8.certificate.*", "RR8.certificate.issued", "RR8.certificate.expired"):
        assert certificates.search(key), key
    for key in ("RR8.#", "RR8.roster.updated", "RR8.certificate.#", "RR8.certificate.issued.x"):
        assert not certificates.search(key), key


# --- The outbox row ------------------------------------------------------------------------------------


def stage(database, event_type="certificate.issued", *, trust_id, facts=PublicFacts("N1", "Sam Okafor"), **extra):
    data = {**INTERNAL_SAMPLES[event_type](), "trust_id": trust_id}
    with UnitOfWork(database, CATALOGUE[event_type].publisher) as uow:
        envelope = uow.publish(
            event_type,
            subject=data.get("certificate_id") or data["staff_id"],
            data=data,
            trust_id=trust_id,
            public=facts,
            **extra,
        )
        uow.commit()
    with database.session() as session:
        row = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.event_id == uuid.UUID(envelope["id"]))).one()
        session.expunge(row)
    return envelope, row


def test_a_public_event_s_row_carries_the_public_envelope_and_routing_key(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    trust_id = uuid.uuid4()
    with database.session() as session, session.begin():
        remember_trust(session, trust_id, "rr8")
    envelope, row = stage(database, trust_id=trust_id)
    assert row.public_routing_key == "RR8.certificate.issued" and row.trust_id == trust_id
    assert row.sent_at is None and row.public_sent_at is None
    public = json.loads(row.public_envelope)
    assert {k: v for k, v in public.items() if k != "data"} == {k: v for k, v in envelope.items() if k != "data"}
    assert public["data"] == public_payload(
        "certificate.issued",
        {**envelope["data"], "issued_at": T0, "expires_at": T0 + timedelta(days=365)},
        PublicFacts("N1", "Sam Okafor"),
    )
    assert public["data"]["staff_name"] == "Sam Okafor" and "staff_id" not in public["data"]


def test_an_internal_event_s_row_has_no_public_part(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    with UnitOfWork(database, "identity") as uow:
        trust_id = uuid.uuid4()
        uow.publish(
            "trust.created",
            subject=trust_id,
            trust_id=trust_id,
            data={"trust_id": trust_id, "name": "A Trust", "ods_code": "RR8", "created_at": T0},
        )
        uow.commit()
    with database.session() as session:
        row = session.scalars(sa.select(OutboxMessage)).one()
    assert row.public_envelope is None and row.public_routing_key is None


def test_only_its_publisher_stages_a_public_event(database_url, tmp_path):
    """Only the services that publish public events look for their public halves (Relay.unsent): a public
    row staged by another service would never reach skillpass.public, so it is refused."""
    database = migrated_database(database_url, tmp_path)
    data = {**INTERNAL_SAMPLES["roster.updated"](), "trust_id": uuid.uuid4()}
    with UnitOfWork(database, "certificate") as uow, pytest.raises(TypeError, match="planning's public event"):
        uow.publish(
            "roster.updated", subject=data["staff_id"], data=data, trust_id=data["trust_id"], public=PublicFacts()
        )
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_public_event_needs_its_person_facts_and_an_internal_one_refuses_them(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    with pytest.raises(TypeError, match="public event"):
        stage(database, trust_id=uuid.uuid4(), facts=None)
    with UnitOfWork(database, "identity") as uow, pytest.raises(TypeError, match="not a public event"):
        trust_id = uuid.uuid4()
        uow.publish(
            "trust.created",
            subject=trust_id,
            trust_id=trust_id,
            public=PublicFacts(),
            data={"trust_id": trust_id, "name": "A Trust", "ods_code": "RR8", "created_at": T0},
        )


def test_a_public_event_of_a_trust_not_known_yet_is_held_until_trust_created_names_its_code(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    trust_id, other_trust = uuid.uuid4(), uuid.uuid4()
    _, held = stage(database, trust_id=trust_id)
    _, also_held = stage(database, "roster.updated", trust_id=trust_id)
    _, other = stage(database, trust_id=other_trust)
    assert held.public_envelope and held.public_routing_key is None
    with database.session() as session:
        assert session.get(PublicTrust, trust_id).ods_code is None

    with database.session() as session, session.begin():
        assert remember_trust(session, trust_id, "RX1") == 2
    with database.session() as session:
        keys = dict(session.execute(sa.select(OutboxMessage.id, OutboxMessage.public_routing_key)).all())
        assert session.get(PublicTrust, trust_id).ods_code == "RX1"
    assert keys == {held.id: "RX1.certificate.issued", also_held.id: "RX1.roster.updated", other.id: None}

    _, later = stage(database, trust_id=trust_id)  # known now: routed when staged
    assert later.public_routing_key == "RX1.certificate.issued"
    with database.session() as session, session.begin():
        assert remember_trust(session, trust_id, "RX1") == 0  # trust.created again: nothing more to release
