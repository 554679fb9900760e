"""The certificate service's request and response bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.certificate import domain
from shared.schemas import TYPE_CODE, RequestSchema, not_blank


class CertificateQuery(RequestSchema):
    staff_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(domain.STATUSES))
    passport_type = fields.String(validate=TYPE_CODE)


class RevocationCreate(RequestSchema):
    reason = fields.String(
        required=True,
        validate=[validate.Length(max=2000), not_blank],
        metadata={"description": "why: published in certificate.revoked"},
    )


class Certificate(Schema):
    id = fields.UUID()
    staff_id = fields.UUID(metadata={"description": "the holder"})
    holder_name = fields.String(allow_none=True, metadata={"description": "null until identity's user event arrives"})
    staff_name = fields.String(
        allow_none=True,
        metadata={
            "description": "the holder's name (the same as holder_name); null until identity's user event arrives"
        },
    )
    staff_number = fields.String(
        allow_none=True, metadata={"description": "the holder's staff number; null when not known"}
    )
    trust_id = fields.UUID()
    trust_name = fields.String(allow_none=True, metadata={"description": "null until trust.created arrives"})
    passport_id = fields.UUID(metadata={"description": "the completed passport it certifies"})
    passport_type = fields.String(metadata={"description": "the role: the passport type code, e.g. NRSS"})
    type_version = fields.Integer()
    title = fields.String(metadata={"description": "the role's title: the passport type's title"})
    completed_at = fields.AwareDateTime(metadata={"description": "when the passport completed"})
    issued_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    status = fields.String(
        metadata={
            "description": "valid, revoked, expired, or superseded (renewed by a newer certificate for the same role)"
        }
    )
    superseded_by = fields.UUID(allow_none=True, metadata={"description": "the certificate that renewed it"})
    revoked_at = fields.AwareDateTime(allow_none=True)
    revoked_by = fields.UUID(allow_none=True, metadata={"description": "null when a reopened passport revoked it"})
    revocation_reason = fields.String(allow_none=True)
    expired_at = fields.AwareDateTime(allow_none=True)


class SignedCredential(Schema):
    jwt = fields.String(
        metadata={
            "description": "the credential as a VC-JWT: compact JWS, RS256, `kid` in the "
            "header; keys at /.well-known/jwks.json"
        }
    )
    credential = fields.Dict(
        metadata={"description": "the decoded Open Badges 3.0 OpenBadgeCredential (the JWT's `vc` claim)"}
    )


class Verification(Schema):
    valid = fields.Boolean(metadata={"description": "signature good, not revoked, not expired, not superseded"})
    status = fields.String(metadata={"description": "valid, revoked, expired, or superseded"})
    certificate_id = fields.UUID()
    holder_name = fields.String(allow_none=True)
    role = fields.String(metadata={"description": "the passport type's title"})
    passport_type = fields.String()
    trust_name = fields.String(allow_none=True)
    issued_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()


class Jwk(Schema):
    kty = fields.String()
    kid = fields.String()
    use = fields.String()
    alg = fields.String()
    n = fields.String()
    e = fields.String()


class Jwks(Schema):
    keys = fields.List(fields.Nested(Jwk))
