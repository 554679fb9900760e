"""Passport types: the six bundled sample types, reading them, and importing new versions."""

import copy

import pytest

from services.passport.passport_types import read_bundled_files
from shared.language import BUNDLED_PASSPORT_TYPES
from tests.passport.conftest import problem

SIX = {"NRSS", "RSC", "ACCN-U12", "ACCN-12P", "SOC-U12", "RNC-PCC"}


def test_the_published_language_names_exactly_the_bundled_types():
    # Other services list the bundled types from shared/language.py, never from passport's files.
    assert sorted(content["code"] for content in read_bundled_files()) == sorted(BUNDLED_PASSPORT_TYPES)


def test_the_six_types_are_there_and_labelled_as_sample(service):
    types = service.client.get("/passport-types", headers=service.person().headers).get_json()
    assert {t["code"] for t in types} == SIX
    assert all(t["sample"] is True and t["version"] == 1 and t["skill_count"] >= 25 for t in types)
    assert {t["care_setting"] for t in types} == {"adult", "paediatric"}


def test_bundled_content_is_rich_enough_to_be_useful():
    for content in read_bundled_files():
        assert len(content["domains"]) >= 5, content["code"]
        skills = [s for d in content["domains"] for s in d["skills"]]
        assert len(skills) >= 25, content["code"]
        assert all(s["learning_resources"] and s["description"] for s in skills), content["code"]
        assert "sample" in content["notice"].lower()


def test_a_type_reads_whole_with_domains_skills_and_resources(service):
    detail = service.client.get("/passport-types/RSC", headers=service.person().headers).get_json()
    assert detail["code"] == "RSC" and detail["current"] is True and "sample" in detail["notice"].lower()
    skill = detail["domains"][0]["skills"][0]
    assert {"code", "title", "description", "learning_resources"} <= set(skill)
    problem(service.client.get("/passport-types/NOPE", headers=service.person().headers), 404)
    problem(service.client.get("/passport-types/RSC?version=9", headers=service.person().headers), 404)


def _nrss_content(service) -> dict:
    detail = service.client.get("/passport-types/NRSS", headers=service.person().headers).get_json()
    return {key: detail[key] for key in ("code", "title", "care_setting", "description", "domains")}


def test_a_platform_admin_imports_a_new_version_and_started_passports_keep_theirs(service):
    admin = service.person("platform_admin", trust_id=None, known=False)
    nurse = service.person("staff")
    old = service.start(nurse, "NRSS")

    content = _nrss_content(service)
    content["domains"][0]["skills"].append(
        {
            "code": "NEW-01",
            "title": "A new skill",
            "description": "Added in version 2.",
            "learning_resources": [{"kind": "face_to_face", "title": "Workshop", "duration_hours": 2}],
        }
    )
    imported = service.client.post("/passport-types", json={**content, "sample": False}, headers=admin.headers)
    assert imported.status_code == 201, imported.get_json()
    assert imported.get_json()["version"] == 2 and imported.get_json()["current"] is True

    assert "NEW-01" not in service.skill_codes(old["id"], nurse)
    service.client.post(f"/passports/{old['id']}/withdraw", json={}, headers=nurse.headers)
    new = service.start(nurse, "NRSS")
    assert new["type_version"] == 2 and "NEW-01" in service.skill_codes(new["id"], nurse)
    assert service.client.get("/passport-types/NRSS?version=1", headers=nurse.headers).get_json()["version"] == 1


def test_only_a_platform_admin_imports(service):
    content = _nrss_content(service)
    problem(service.client.post("/passport-types", json=content, headers=service.person("trust_admin").headers), 403)


@pytest.mark.parametrize(
    "break_it,field",
    [
        (lambda c: c["domains"][1].update(code=c["domains"][0]["code"]), "domains.1.code"),
        (
            lambda c: c["domains"][0]["skills"][1].update(code=c["domains"][0]["skills"][0]["code"]),
            "domains.0.skills.1.code",
        ),
        (lambda c: c["domains"][2].update(skills=[]), "domains.2.skills"),
        (lambda c: c.update(domains=[]), "domains"),
        (lambda c: c["domains"][0]["skills"][0].update(code="lower case"), "domains.0.skills.0.code"),
        (lambda c: c["domains"][0]["skills"][0].update(learning_resources=[]), "domains.0.skills.0.learning_resources"),
        (
            lambda c: c["domains"][0]["skills"][0]["learning_resources"].append({"kind": "elearning", "title": "x"}),
            "domains.0.skills.0.learning_resources",
        ),
        (lambda c: c.update(care_setting="neonatal"), "care_setting"),
    ],
)
def test_invalid_content_is_422_naming_the_field_and_stores_nothing(service, break_it, field):
    admin = service.person("platform_admin", trust_id=None, known=False)
    content = copy.deepcopy(_nrss_content(service))
    break_it(content)
    errors = problem(service.client.post("/passport-types", json=content, headers=admin.headers), 422)["errors"]
    assert any(name.startswith(field) for name in errors), errors
    assert service.client.get("/passport-types/NRSS", headers=admin.headers).get_json()["version"] == 1
