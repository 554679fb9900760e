"""The certificate service's commands and the effects of the events it consumes.

Issuing only writes rows and the outbox: the credential and the PDF are rendered when asked for.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from services.certificate import domain, events, pdf
from services.certificate.components import settings_for_events
from services.certificate.credential import CertificateFacts, build_credential, jwt_claims, signature_holds
from services.certificate.domain import CertificateSettings
from services.certificate.models import Certificate, PassportReopening, StaffMember, Trust
from shared.db import utcnow
from shared.domain import Caller, NotFound
from shared.events.public import PublicFacts
from shared.outbox import remember_trust
from shared.pagination import filtered_by, readable_by
from shared.signing import KeyRing
from shared.uow import UnitOfWork

SWEEP_BATCH = 500


# --- Issuing -----------------------------------------------------------------------------------------


def issue(uow: UnitOfWork, payload: dict) -> None:
    """One certificate per completion: a redelivered or repeated completion finds it and adds nothing."""
    session = uow.session
    completed_at = payload["completed_at"]
    already = session.scalar(
        sa.select(Certificate.id).where(
            Certificate.passport_id == payload["passport_id"], Certificate.completed_at == completed_at
        )
    )
    if already is not None:
        return
    reopening = session.get(PassportReopening, payload["passport_id"])
    if domain.is_stale_completion(completed_at, reopening.reopened_at if reopening else None):
        return

    held = list(
        session.scalars(
            sa.select(Certificate)
            .where(
                Certificate.staff_id == payload["staff_id"],
                Certificate.passport_type == payload["passport_type"],
                Certificate.status == domain.VALID,
            )
            .with_for_update()
        )
    )
    renewal = domain.renewal(completed_at, [domain.Held(c.id, c.completed_at) for c in held])
    settings = settings_for_events()
    now = utcnow()
    certificate = Certificate(
        id=uuid.uuid4(),
        passport_id=payload["passport_id"],
        completed_at=completed_at,
        staff_id=payload["staff_id"],
        trust_id=payload["trust_id"],
        passport_type=payload["passport_type"],
        type_version=payload["type_version"],
        title=payload["title"],
        issued_at=now,
        expires_at=settings.expires_at(payload["passport_type"], now),
        status=domain.SUPERSEDED if renewal.superseded_by else domain.VALID,
        superseded_by=renewal.superseded_by,
    )
    session.add(certificate)
    for previous in held:
        if previous.id in renewal.supersedes:
            previous.status, previous.superseded_by = domain.SUPERSEDED, certificate.id
    if certificate.status == domain.VALID:
        uow.publish(
            "certificate.issued",
            subject=certificate.id,
            trust_id=certificate.trust_id,
            data=events.certificate_issued(certificate, settings.verify_url(certificate.id)),
            public=_holder(uow, certificate),
        )


def _holder(uow: UnitOfWork, certificate: Certificate) -> PublicFacts:
    """The holder as the public certificate events name them (either part None until user.* arrives)."""
    staff = uow.session.get(StaffMember, certificate.staff_id)
    return PublicFacts(staff_number=staff.staff_number, staff_name=staff.name) if staff else PublicFacts()


# --- Revocation and expiry ---------------------------------------------------------------------------


def _revoke(uow: UnitOfWork, certificate: Certificate, reason: str, revoked_by: uuid.UUID | None) -> None:
    certificate.status = domain.REVOKED
    certificate.revoked_at, certificate.revoked_by, certificate.revocation_reason = utcnow(), revoked_by, reason
    uow.publish(
        "certificate.revoked",
        subject=certificate.id,
        trust_id=certificate.trust_id,
        data=events.certificate_revoked(certificate),
        public=_holder(uow, certificate),
    )


def revoke(uow: UnitOfWork, caller: Caller, certificate_id: uuid.UUID, reason: str) -> Certificate:
    certificate = uow.session.get(Certificate, certificate_id, with_for_update=True)
    domain.check_can_read(
        caller, certificate_id, certificate and certificate.staff_id, certificate and certificate.trust_id
    )
    domain.check_revocable(domain.status_at(certificate.status, certificate.expires_at, utcnow()))
    _revoke(uow, certificate, reason, caller.user_id)
    uow.commit()
    return certificate


def revoke_reopened(uow: UnitOfWork, payload: dict) -> None:
    """A reopened passport no longer certifies: its valid certificate from an earlier completion is revoked.
    The reopening is remembered, so that a completion it overtook issues nothing when it arrives."""
    session = uow.session
    reopened_at = payload["reopened_at"]
    reopening = session.get(PassportReopening, payload["passport_id"], with_for_update=True)
    if reopening is None:
        session.add(PassportReopening(passport_id=payload["passport_id"], reopened_at=reopened_at))
    elif reopening.reopened_at < reopened_at:
        reopening.reopened_at = reopened_at
    certificates = session.scalars(
        sa.select(Certificate)
        .where(
            Certificate.passport_id == payload["passport_id"],
            Certificate.status == domain.VALID,
            Certificate.completed_at < reopened_at,
        )
        .with_for_update()
    )
    for certificate in certificates:
        _revoke(
            uow,
            certificate,
            f"The passport was reopened: {payload['reason']} ({payload['skill_code']}).",
            revoked_by=None,
        )


def expire_due(uow: UnitOfWork, now: datetime) -> int:
    """Expire up to a batch of valid certificates past their expiry; returns how many this call expired.

    The conditional UPDATE (`... AND status = 'valid'`) is what makes two workers safe: the second finds
    the row changed and updates nothing, so each certificate is expired, and announced, exactly once."""
    session = uow.session
    due = list(
        session.scalars(
            sa.select(Certificate)
            .where(Certificate.status == domain.VALID, Certificate.expires_at <= now)
            .order_by(Certificate.expires_at)
            .limit(SWEEP_BATCH)
        )
    )
    expired = 0
    for certificate in due:
        result = session.execute(
            sa.update(Certificate)
            .where(Certificate.id == certificate.id, Certificate.status == domain.VALID)
            .values(status=domain.EXPIRED, expired_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            session.refresh(certificate)
            uow.publish(
                "certificate.expired",
                subject=certificate.id,
                trust_id=certificate.trust_id,
                data=events.certificate_expired(certificate),
                public=_holder(uow, certificate),
            )
            expired += 1
    uow.commit()
    return expired


# --- Reading -----------------------------------------------------------------------------------------


def list_certificates(caller: Caller, filters: dict) -> sa.Select:
    query = sa.select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id)
    query = readable_by(query, caller, domain.READERS, trust_id=Certificate.trust_id, holder_id=Certificate.staff_id)
    return filtered_by(query, Certificate, filters, ("staff_id", "status", "passport_type"))


def get_certificate(uow: UnitOfWork, caller: Caller, certificate_id: uuid.UUID) -> Certificate:
    certificate = uow.session.get(Certificate, certificate_id)
    domain.check_can_read(
        caller, certificate_id, certificate and certificate.staff_id, certificate and certificate.trust_id
    )
    return certificate


def public_certificate(uow: UnitOfWork, certificate_id: uuid.UUID) -> Certificate:
    certificate = uow.session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound(f"No certificate {certificate_id}.")
    return certificate


def signed_credential(certificate: Certificate, settings: CertificateSettings, keys: KeyRing) -> dict:
    credential = build_credential(
        CertificateFacts(
            certificate_id=certificate.id,
            staff_id=certificate.staff_id,
            trust_id=certificate.trust_id,
            trust_name=certificate.trust_name,
            passport_type=certificate.passport_type,
            type_version=certificate.type_version,
            title=certificate.title,
            issued_at=certificate.issued_at,
            expires_at=certificate.expires_at,
            public_base_url=settings.public_base_url,
        )
    )
    token = keys.sign(jwt_claims(credential, certificate.issued_at, certificate.expires_at), typ="JWT")
    return {"jwt": token, "credential": credential}


def verification(certificate: Certificate, settings: CertificateSettings, keys: KeyRing, now: datetime) -> dict:
    """The public check: the credential's signature, expiry and revocation, with only what a verifier needs."""
    signature_ok = signature_holds(signed_credential(certificate, settings, keys)["jwt"], keys.key_for)
    status = domain.status_at(certificate.status, certificate.expires_at, now)
    return {
        "valid": signature_ok and status == domain.VALID,
        "status": status,
        "certificate_id": certificate.id,
        "holder_name": certificate.holder_name,
        "role": certificate.title,
        "passport_type": certificate.passport_type,
        "trust_name": certificate.trust_name,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
    }


def render_pdf(certificate: Certificate, settings: CertificateSettings, now: datetime) -> bytes:
    return pdf.render(
        pdf.PrintedCertificate(
            certificate_id=str(certificate.id),
            holder_name=certificate.holder_name,
            role=certificate.title,
            passport_type=certificate.passport_type,
            type_version=certificate.type_version,
            trust_name=certificate.trust_name,
            issued_at=certificate.issued_at,
            expires_at=certificate.expires_at,
            status=domain.status_at(certificate.status, certificate.expires_at, now),
            verify_url=settings.verify_url(certificate.id),
        )
    )


# --- Read models fed by identity ---------------------------------------------------------------------


def apply_trust(uow: UnitOfWork, payload: dict) -> None:
    trust = uow.session.get(Trust, payload["trust_id"], with_for_update=True)
    if trust is None:
        uow.session.add(Trust(id=payload["trust_id"], name=payload["name"]))
    else:
        trust.name = payload["name"]
    # The routing word of the Trust's public events; any held for want of it leave now.
    remember_trust(uow.session, payload["trust_id"], payload["ods_code"])


def apply_staff_name(uow: UnitOfWork, payload: dict, as_of: datetime) -> None:
    """Keep the newest name and staff number of a user, whatever order user.* events arrive in."""
    staff = uow.session.get(StaffMember, payload["user_id"], with_for_update=True)
    if staff is None:
        uow.session.add(
            StaffMember(id=payload["user_id"], name=payload["name"], as_of=as_of, staff_number=payload["staff_number"])
        )
    elif domain.is_newer_profile(staff.as_of, as_of):
        staff.name, staff.staff_number, staff.as_of = payload["name"], payload["staff_number"], as_of


# --- The events this service consumes: the consumer's table ---------------------------------------


def on_passport_completed(uow, event, payload):
    issue(uow, payload)


def on_passport_reopened(uow, event, payload):
    revoke_reopened(uow, payload)


def on_trust_created(uow, event, payload):
    apply_trust(uow, payload)


def on_user_registered(uow, event, payload):
    apply_staff_name(uow, payload, payload["registered_at"])


def on_user_updated(uow, event, payload):
    apply_staff_name(uow, payload, payload["updated_at"])


HANDLERS = {
    "passport.completed": on_passport_completed,
    "passport.reopened": on_passport_reopened,
    "trust.created": on_trust_created,
    "user.registered": on_user_registered,
    "user.updated": on_user_updated,
}
