"""Reading and revoking certificates through the API: who sees what, filters, pages and bad input."""

import json
import uuid

import pytest

from tests.certificate.conftest import problem
from tests.support.openapi import assert_matches_documented_response


def test_the_holder_reads_their_own_and_a_reader_of_the_trust_reads_everyones(service, holder):
    mine = service.certified(holder)
    colleague = service.person("staff")
    theirs = service.certified(colleague, "RSC")
    assert [c["id"] for c in service.list(holder)] == [mine["id"]]
    assert service.list(holder, staff_id=str(colleague.id)) == []  # staff never see a colleague's
    problem(service.get(theirs["id"], holder), 404)
    for role in ("lead", "workforce", "trust_admin", "supervisor", "educator"):
        reader = service.person(role)
        assert {c["id"] for c in service.list(reader)} == {mine["id"], theirs["id"]}
        assert service.get(theirs["id"], reader).status_code == 200


def test_a_certificate_of_another_trust_is_404_exactly_like_one_never_issued(service, holder):
    certificate = service.certified(holder)
    outsider = service.person("trust_admin", trust_id=uuid.uuid4())
    unknown = uuid.uuid4()
    other = problem(service.get(certificate["id"], outsider), 404)
    never = problem(service.get(unknown, outsider), 404)
    assert other["detail"] == never["detail"].replace(str(unknown), certificate["id"])
    assert service.list(outsider) == []
    for path in ("pdf", "credential"):
        problem(service.client.get(f"/certificates/{certificate['id']}/{path}", headers=outsider.headers), 404)
    problem(service.revoke(certificate["id"], outsider), 404)
    assert service.outbox("certificate.revoked") == []


def test_filters_and_pages(service, holder):
    colleague = service.person("staff")
    service.certified(holder, "NRSS")
    service.certified(holder, "RSC")
    revoked = service.certified(colleague, "NRSS")
    lead = service.person("lead")
    assert service.revoke(revoked["id"], lead).status_code == 200
    assert {c["staff_id"] for c in service.list(lead, staff_id=str(holder.id))} == {str(holder.id)}
    assert [c["id"] for c in service.list(lead, status="revoked")] == [revoked["id"]]
    assert {c["passport_type"] for c in service.list(lead, passport_type="NRSS")} == {"NRSS"}
    assert len(service.list(lead, passport_type="NRSS")) == 2

    first = service.client.get("/certificates", query_string={"page_size": 2}, headers=lead.headers)
    pagination = json.loads(first.headers["X-Pagination"])
    assert len(first.get_json()) == 2 and pagination["total"] == 3 and pagination["total_pages"] == 2
    second = service.client.get("/certificates", query_string={"page_size": 2, "page": 2}, headers=lead.headers)
    assert len(second.get_json()) == 1
    assert_matches_documented_response(service.client, "get", "/certificates", 200, first.get_json())


def test_anonymous_callers_get_401_except_on_verify_and_the_jwks(service, holder):
    certificate = service.certified(holder)
    for path in (
        "/certificates",
        f"/certificates/{certificate['id']}",
        f"/certificates/{certificate['id']}/pdf",
        f"/certificates/{certificate['id']}/credential",
    ):
        problem(service.client.get(path), 401)
    problem(service.client.post(f"/certificates/{certificate['id']}/revoke", json={"reason": "x"}), 401)
    assert service.client.get(f"/certificates/{certificate['id']}/verify").status_code == 200
    assert service.client.get("/.well-known/jwks.json").status_code == 200


@pytest.mark.parametrize("roles", [("staff",), ("supervisor",), ("educator",), ("workforce",), ("platform_admin",)])
def test_only_trust_admins_and_leads_revoke(service, holder, roles):
    certificate = service.certified(holder)
    problem(service.revoke(certificate["id"], service.person(*roles)), 403)
    assert service.outbox("certificate.revoked") == []
    assert service.verify(certificate["id"])["valid"] is True


def test_revoking_twice_is_a_conflict_and_publishes_once(service, holder):
    certificate = service.certified(holder)
    lead = service.person("lead")
    assert service.revoke(certificate["id"], lead).status_code == 200
    assert "revoked" in problem(service.revoke(certificate["id"], service.person("trust_admin")), 409)["detail"]
    assert len(service.outbox("certificate.revoked")) == 1


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": None}, "reason"),
        ({"reason": "x" * 2001}, "reason"),
        ({"reason": "nul\x00"}, "reason"),
        ({"reason": "ok", "colour": "blue"}, "colour"),
    ],
)
def test_bad_revocations_are_422_naming_the_field_and_change_nothing(service, holder, body, field):
    certificate = service.certified(holder)
    response = service.client.post(
        f"/certificates/{certificate['id']}/revoke", json=body, headers=service.person("trust_admin").headers
    )
    assert field in problem(response, 422)["errors"]
    assert service.outbox("certificate.revoked") == []
    assert service.get(certificate["id"], holder).get_json()["status"] == "valid"


@pytest.mark.parametrize(
    "query,field",
    [
        ({"status": "lapsed"}, "query.status"),
        ({"staff_id": "me"}, "query.staff_id"),
        ({"passport_type": "nrss"}, "query.passport_type"),
        ({"page_size": 0}, "query.page_size"),
    ],
)
def test_bad_filters_are_422(service, holder, query, field):
    response = service.client.get("/certificates", query_string=query, headers=holder.headers)
    assert field in problem(response, 422)["errors"]


def test_unknown_and_malformed_ids_are_404_problems(service, holder):
    lead = service.person("lead")
    problem(service.get(uuid.uuid4(), lead), 404)
    problem(service.get("not-a-uuid", lead), 404)
    problem(service.revoke(uuid.uuid4(), lead), 404)
    assert service.outbox("certificate.revoked") == []


def test_responses_match_the_published_openapi_document(service, holder):
    certificate = service.certified(holder)
    assert_matches_documented_response(
        service.client, "get", "/certificates/{certificate_id}", 200, service.get(certificate["id"], holder).get_json()
    )
    assert_matches_documented_response(
        service.client, "get", "/certificates/{certificate_id}/verify", 200, service.verify(certificate["id"])
    )
    spec = service.client.get("/openapi.json").get_json()
    assert "security" not in spec["paths"]["/certificates/{certificate_id}/verify"]["get"]
    assert (
        "application/pdf" in spec["paths"]["/certificates/{certificate_id}/pdf"]["get"]["responses"]["200"]["content"]
    )
