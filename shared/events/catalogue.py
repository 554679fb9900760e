"""The event catalogue: every event type on the bus, its payload schema and who publishes it.

Publishers validate against these schemas, consumers load with them, and the AsyncAPI
document is generated from them. Add an event here before publishing or handling it.

Some events are also **public** (DESIGN §9): their spec names a second, minimised payload schema, and
the publishing service's relay republishes them, with that payload, to `skillpass.public` for outside
systems. A public schema is an allow-list: its fields are copied from the internal payload by name,
except `staff_number` and `staff_name`, which the publisher supplies. Never put an email, a free-text
reason or anything else a Trust's other systems do not need into one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from shared.language import (
    LEARNING_KINDS,
    LEARNING_STEPS,
    LEVELS,
    MEASURE_KINDS,
    OUTCOMES,
    ROLES,
    ROSTER_REASONS,
    ROSTER_STATUSES,
)


class Payload(Schema):
    class Meta:
        ordered = True


class TrustCreated(Payload):
    trust_id = fields.UUID(required=True)
    name = fields.String(required=True)
    ods_code = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class UserProfile(Payload):
    user_id = fields.UUID(required=True)
    trust_id = fields.UUID(
        required=True, allow_none=True, metadata={"description": "null for platform admins outside any Trust"}
    )
    email = fields.Email(required=True)
    name = fields.String(required=True)
    staff_number = fields.String(required=True, allow_none=True)
    professional_group = fields.String(required=True, allow_none=True)
    department = fields.String(
        allow_none=True, load_default=None, metadata={"description": "the person's department; may be absent or null"}
    )
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)
    active = fields.Boolean(required=True)


class UserRegistered(UserProfile):
    registered_at = fields.AwareDateTime(required=True)


class UserUpdated(UserProfile):
    changed = fields.List(fields.String(), required=True, metadata={"description": "names of the fields that changed"})
    updated_at = fields.AwareDateTime(required=True)


class UserDeactivated(Payload):
    user_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True, allow_none=True)
    deactivated_at = fields.AwareDateTime(required=True)


class PassportRef(Payload):
    """Who and what every passport event is about."""

    passport_id = fields.UUID(required=True)
    staff_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    passport_type = fields.String(required=True, metadata={"description": "the passport type code, e.g. NRSS"})


class PassportStarted(PassportRef):
    type_version = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"description": "the passport type's title (the role)"})
    skill_codes = fields.List(
        fields.String(), required=True, metadata={"description": "every skill of the type version"}
    )
    retrospective = fields.Boolean(required=True)
    assigned_by = fields.UUID(
        required=True, allow_none=True, metadata={"description": "null when the holder started it"}
    )
    started_at = fields.AwareDateTime(required=True)


class PassportSkillAssessed(PassportRef):
    skill_code = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    first_for_skill = fields.Boolean(required=True, metadata={"description": "the skill's first self-assessment"})
    assessed_at = fields.AwareDateTime(required=True)


class PassportLearningRecorded(PassportRef):
    learning_id = fields.UUID(required=True)
    skill_code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(LEARNING_KINDS))
    status = fields.String(required=True, validate=validate.OneOf(LEARNING_STEPS))
    date = fields.Date(required=True, allow_none=True)
    hours = fields.Float(required=True, allow_none=True)
    recorded_at = fields.AwareDateTime(required=True)


class PassportCompleted(PassportRef):
    type_version = fields.Integer(required=True)
    title = fields.String(required=True)
    skill_count = fields.Integer(required=True)
    completed_at = fields.AwareDateTime(required=True)


class PassportReopened(PassportRef):
    skill_code = fields.String(required=True, metadata={"description": "the skill whose sign-off no longer holds"})
    reason = fields.String(required=True)
    reopened_at = fields.AwareDateTime(required=True)


class PassportWithdrawn(PassportRef):
    reason = fields.String(required=True, allow_none=True)
    withdrawn_at = fields.AwareDateTime(required=True)


class SignoffRequested(Payload):
    request_id = fields.UUID(required=True)
    passport_id = fields.UUID(required=True)
    holder_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    skill_codes = fields.List(fields.String(), required=True)
    requested_at = fields.AwareDateTime(required=True)


class SignoffRecorded(Payload):
    signoff_id = fields.UUID(required=True)
    passport_id = fields.UUID(required=True)
    skill_code = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    supervisor_id = fields.UUID(required=True)
    holder_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    decided_at = fields.AwareDateTime(required=True)


class SignoffRevoked(Payload):
    signoff_id = fields.UUID(required=True)
    passport_id = fields.UUID(required=True)
    skill_code = fields.String(required=True)
    holder_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    revoked_by = fields.UUID(required=True)
    reason = fields.String(required=True)
    revoked_at = fields.AwareDateTime(required=True)


class CertificateRef(Payload):
    """Who and what every certificate event is about."""

    certificate_id = fields.UUID(required=True)
    staff_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    passport_id = fields.UUID(required=True)
    passport_type = fields.String(
        required=True, metadata={"description": "the role: the passport type code, e.g. NRSS"}
    )


class CertificateIssued(CertificateRef):
    type_version = fields.Integer(required=True)
    role_title = fields.String(required=True, metadata={"description": "the passport type's title"})
    issued_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)
    verify_url = fields.Url(required=True, require_tld=False, metadata={"description": "public verification, no login"})


class CertificateRevoked(CertificateRef):
    reason = fields.String(required=True)
    revoked_by = fields.UUID(
        required=True, allow_none=True, metadata={"description": "null when a reopened passport revoked it"}
    )
    revoked_at = fields.AwareDateTime(required=True)


class CertificateExpired(CertificateRef):
    expired_at = fields.AwareDateTime(required=True)


# Why a roster entry stands as it does: a certificate issued, revoked or expired, or the person left the Trust.
INCREASE, DECREASE = "increase", "decrease"  # which way a measure's values are better
IMPROVEMENT_DIRECTIONS = (INCREASE, DECREASE)


class RosterUpdated(Payload):
    staff_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    role = fields.String(required=True, metadata={"description": "the passport type code"})
    status = fields.String(required=True, validate=validate.OneOf(ROSTER_STATUSES))
    certificate_id = fields.UUID(required=True, allow_none=True)
    since = fields.AwareDateTime(required=True)
    reason = fields.String(
        required=True,
        validate=validate.OneOf(ROSTER_REASONS),
        metadata={"description": "certified, revoked, expired, or left (the person left the Trust)"},
    )


class PlanUpdated(Payload):
    plan_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    name = fields.String(required=True)
    aim_statement = fields.String(required=True, allow_none=True)
    target_passport_types = fields.List(fields.String(), required=True)
    target_percentage = fields.Float(required=True, allow_none=True)
    target_cohort_size = fields.Integer(required=True, allow_none=True)
    target_deadline = fields.Date(required=True, allow_none=True)
    deleted = fields.Boolean(required=True)
    updated_at = fields.AwareDateTime(required=True)


class MeasureDefined(Payload):
    measure_id = fields.UUID(required=True)
    plan_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MEASURE_KINDS))
    metric = fields.String(
        required=True, allow_none=True, metadata={"description": "the computable metric it is bound to"}
    )
    passport_type = fields.String(required=True, allow_none=True)
    target = fields.Float(required=True, allow_none=True)
    frequency = fields.String(required=True, allow_none=True)
    improvement_direction = fields.String(
        load_default=INCREASE,
        validate=validate.OneOf(IMPROVEMENT_DIRECTIONS),
        metadata={
            "description": "which way is better: increase (the default, and what events before it meant) or decrease"
        },
    )
    deleted = fields.Boolean(required=True)
    defined_at = fields.AwareDateTime(required=True)


class CohortUpdated(Payload):
    plan_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True)
    role = fields.String(required=True, metadata={"description": "the passport type code"})
    identified = fields.Integer(required=True, metadata={"description": "staff identified for rotation"})
    prospective = fields.Integer(required=True)
    retrospective = fields.Integer(required=True)
    updated_at = fields.AwareDateTime(required=True)


class PassportTypeCounts(Payload):
    """One passport type's counts in a Trust, as the dashboard shows them."""

    started = fields.Integer(required=True, metadata={"description": "passports ever started"})
    in_progress = fields.Integer(required=True)
    completed = fields.Integer(required=True, metadata={"description": "passports completed now"})
    withdrawn = fields.Integer(required=True)
    skills_self_assessed = fields.Integer(required=True)
    skills_signed_off = fields.Integer(required=True)
    certified = fields.Integer(required=True, metadata={"description": "staff holding a valid certificate now"})
    certificates_issued = fields.Integer(required=True, metadata={"description": "every certificate ever issued"})
    certificates_revoked = fields.Integer(required=True)
    certificates_expired = fields.Integer(required=True)
    learning_planned = fields.Integer(required=True)
    learning_attended = fields.Integer(required=True)
    learning_completed = fields.Integer(required=True)
    rostered = fields.Integer(required=True, metadata={"description": "staff eligible on the roster in the role now"})
    cohort_identified = fields.Integer(
        required=True, metadata={"description": "staff identified for rotation in the role"}
    )


class MetricsRecalculated(Payload):
    trust_id = fields.UUID(required=True)
    passport_type = fields.String(required=True, metadata={"description": "the passport type code, e.g. NRSS"})
    counts = fields.Nested(PassportTypeCounts, required=True)
    caused_by = fields.String(
        required=True,
        metadata={
            "description": "the type of the event that changed the counts (the last of them, when several events "
            "applied together did)"
        },
    )
    recalculated_at = fields.AwareDateTime(required=True)


# --- Public payloads (skillpass.public): minimised, for a Trust's other systems ------------------------


def _staff_number() -> fields.String:
    return fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the holder's staff number in the Trust; null when not known"},
    )


def _staff_name() -> fields.String:
    return fields.String(
        required=True, allow_none=True, metadata={"description": "the holder's name; null when not known yet"}
    )


class PublicCertificateRef(Payload):
    """The certificate and its holder, as a Trust's other systems need to know them."""

    certificate_id = fields.UUID(required=True)
    staff_number = _staff_number()
    staff_name = _staff_name()
    passport_type = fields.String(
        required=True, metadata={"description": "the role: the passport type code, e.g. NRSS"}
    )


class PublicCertificateIssued(PublicCertificateRef):
    role_title = fields.String(required=True, metadata={"description": "the passport type's title"})
    issued_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)
    verify_url = fields.Url(required=True, require_tld=False, metadata={"description": "public verification, no login"})


class PublicCertificateRevoked(PublicCertificateRef):
    revoked_at = fields.AwareDateTime(required=True)


class PublicCertificateExpired(PublicCertificateRef):
    expired_at = fields.AwareDateTime(required=True)


class PublicRosterUpdated(Payload):
    """Whether a member of staff may be rostered in a role, from when and why."""

    staff_number = _staff_number()
    staff_name = _staff_name()
    role = fields.String(required=True, metadata={"description": "the passport type code"})
    status = fields.String(required=True, validate=validate.OneOf(ROSTER_STATUSES))
    certificate_id = fields.UUID(required=True, allow_none=True)
    since = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(ROSTER_REASONS))


# Public fields that are not in the internal payload: the publisher supplies them (shared.events.public).
PUBLIC_PERSON_FIELDS = ("staff_number", "staff_name")


@dataclass(frozen=True)
class EventSpec:
    type: str
    publisher: str
    schema: type[Payload]
    summary: str
    # The minimised payload of the event on skillpass.public; None: the event stays internal.
    public: type[Payload] | None = None


CATALOGUE: dict[str, EventSpec] = {
    spec.type: spec
    for spec in [
        EventSpec("trust.created", "identity", TrustCreated, "A Trust was registered on the platform."),
        EventSpec("user.registered", "identity", UserRegistered, "A user account was created."),
        EventSpec("user.updated", "identity", UserUpdated, "A user's profile, roles or Trust changed."),
        EventSpec("user.deactivated", "identity", UserDeactivated, "A user can no longer sign in."),
        EventSpec(
            "passport.started",
            "passport",
            PassportStarted,
            "A member of staff started a passport, or had one assigned; carries the skill codes.",
        ),
        EventSpec("passport.skill_assessed", "passport", PassportSkillAssessed, "The holder self-assessed a skill."),
        EventSpec(
            "passport.learning_recorded",
            "passport",
            PassportLearningRecorded,
            "E-learning or face-to-face training was recorded against a skill.",
        ),
        EventSpec(
            "passport.completed", "passport", PassportCompleted, "Every skill of the passport is signed off proficient."
        ),
        EventSpec(
            "passport.reopened",
            "passport",
            PassportReopened,
            "A completed passport is in progress again: a sign-off no longer holds.",
        ),
        EventSpec("passport.withdrawn", "passport", PassportWithdrawn, "The passport was withdrawn."),
        EventSpec("signoff.requested", "signoff", SignoffRequested, "The holder asked for sign-off of skills."),
        EventSpec(
            "signoff.recorded", "signoff", SignoffRecorded, "A supervisor decided on a skill: proficient or not yet."
        ),
        EventSpec("signoff.revoked", "signoff", SignoffRevoked, "A sign-off decision was revoked."),
        EventSpec(
            "certificate.issued",
            "certificate",
            CertificateIssued,
            "A certificate was issued for a completed passport: the holder may be rostered in the role.",
            public=PublicCertificateIssued,
        ),
        EventSpec(
            "certificate.revoked",
            "certificate",
            CertificateRevoked,
            "A certificate was revoked.",
            public=PublicCertificateRevoked,
        ),
        EventSpec(
            "certificate.expired",
            "certificate",
            CertificateExpired,
            "A certificate reached its expiry.",
            public=PublicCertificateExpired,
        ),
        EventSpec(
            "roster.updated",
            "planning",
            RosterUpdated,
            "A person's eligibility to be rostered in a role changed.",
            public=PublicRosterUpdated,
        ),
        EventSpec("plan.updated", "planning", PlanUpdated, "An implementation plan or its aim changed."),
        EventSpec("measure.defined", "planning", MeasureDefined, "A plan's measure was defined, changed or removed."),
        EventSpec("cohort.updated", "planning", CohortUpdated, "The staff identified for rotation in a role changed."),
        EventSpec(
            "metrics.recalculated",
            "metrics",
            MetricsRecalculated,
            "A Trust's counts for a passport type changed after an event.",
        ),
    ]
}


class UnknownEventType(KeyError):
    pass


def publishes_public_events(service: str) -> bool:
    """Whether any event the service publishes goes to skillpass.public as well (only those rows need a relay's
    second look)."""
    return any(spec.public is not None and spec.publisher == service for spec in CATALOGUE.values())


def spec_for(event_type: str) -> EventSpec:
    try:
        return CATALOGUE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def serialise_payload(event_type: str, data: dict) -> dict:
    """Python values → JSON payload, refusing anything the catalogue does not describe."""
    return serialise_with(spec_for(event_type).schema, data)


def serialise_with(schema_class: type[Payload], data: dict) -> dict:
    """Python values → JSON, refusing missing, invalid and undescribed fields."""
    schema = _schema(schema_class, RAISE)
    payload = schema.dump(data)
    extra = set(data) - set(payload)
    errors = schema.validate(payload)
    if extra:
        errors.update({name: ["Unknown field."] for name in extra})
    if errors:
        raise ValidationError(errors)
    return payload


def load_payload(event_type: str, payload: dict) -> dict:
    """JSON payload → Python values; fields added by newer publishers are ignored."""
    return _schema(spec_for(event_type).schema, EXCLUDE).load(payload)


@functools.cache
def _schema(schema_class: type[Payload], unknown: str) -> Payload:
    """One instance per schema, reused: building one copies every field, which costs more than using it,
    and an import stages thousands of events. Dumping and loading leave an instance as it was."""
    return schema_class(unknown=unknown)
