"""The app factory and problem+json on every error path, through a small service built on it."""

import json
import uuid

import pytest
from flask.views import MethodView
from marshmallow import fields, validate

from shared.app import create_app
from shared.auth import Blueprint, current_caller
from shared.config import Settings
from shared.domain import Conflict, NotFound
from shared.schemas import RequestSchema
from shared.service import Runtime, ServiceSpec
from shared.testing import TEST_ISSUER, TestKeys

blp = Blueprint("things", __name__)


class ThingIn(RequestSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=20))
    size = fields.Integer(required=True, validate=validate.Range(min=1))
    tags = fields.List(fields.String(validate=validate.Length(max=3)))


@blp.route("/things")
class Things(MethodView):
    @blp.auth("supervisor")
    @blp.arguments(ThingIn)
    @blp.response(201, ThingIn)
    def post(self, body):
        if body["name"] == "taken":
            raise Conflict("A thing with this name exists.")
        return body


@blp.route("/things/<uuid:thing_id>")
class Thing(MethodView):
    @blp.auth()
    @blp.response(200, ThingIn)
    def get(self, thing_id):
        if thing_id.int == 0:
            raise RuntimeError("boom: secret internals")
        raise NotFound("No such thing.")


@blp.route("/whoami")
class WhoAmI(MethodView):
    @blp.auth()
    def get(self):
        caller = current_caller()
        return {"user_id": str(caller.user_id), "roles": sorted(caller.roles)}


@pytest.fixture
def keys():
    return TestKeys()


@pytest.fixture
def client(keys, tmp_path):
    spec = ServiceSpec(
        name="demo", title="Demo", description="d", blueprints=[blp], key_resolver=lambda r: keys.resolver()
    )
    settings = Settings.from_env(
        "demo",
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
            "IDENTITY_ISSUER": TEST_ISSUER,
            "MAX_CONTENT_LENGTH": "16384",
        },
    )
    app = create_app(spec, Runtime(spec, settings), log_to_stdout=False)
    return app.test_client()


def auth(keys, **claims):
    return {"Authorization": f"Bearer {keys.token(**claims)}"}


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def test_validation_errors_are_422_naming_each_field(client, keys):
    response = client.post(
        "/things", json={"name": "", "size": "big", "tags": ["ok", "toolong"]}, headers=auth(keys, roles=["supervisor"])
    )
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"name", "size", "tags.1"}
    assert "name" in body["detail"] and "size" in body["detail"]


def test_nul_characters_are_refused_naming_the_field(client, keys):
    response = client.post(
        "/things", json={"name": "a\u0000b", "size": 1, "tags": ["x\u0000"]}, headers=auth(keys, roles=["supervisor"])
    )
    assert set(assert_problem(response, 422)["errors"]) == {"name", "tags.0"}


def test_unknown_fields_are_refused(client, keys):
    response = client.post(
        "/things", json={"name": "a", "size": 1, "colour": "red"}, headers=auth(keys, roles=["supervisor"])
    )
    assert assert_problem(response, 422)["errors"] == {"colour": ["Unknown field."]}


@pytest.mark.parametrize("body", ["{not json", '{"name": "a", "size": 1', "\x00\x01"])
def test_malformed_json_is_400(client, keys, body):
    response = client.post(
        "/things", data=body, content_type="application/json", headers=auth(keys, roles=["supervisor"])
    )
    assert_problem(response, 400)


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_422(client, keys, body):
    response = client.post(
        "/things", data=body, content_type="application/json", headers=auth(keys, roles=["supervisor"])
    )
    assert_problem(response, 422)


def test_oversized_body_is_413(client, keys):
    response = client.post("/things", json={"name": "a" * 20000, "size": 1}, headers=auth(keys, roles=["supervisor"]))
    assert_problem(response, 413)


def test_missing_and_bad_tokens_are_401_with_a_challenge(client, keys):
    assert_problem(client.get("/whoami"), 401)
    assert client.get("/whoami").headers["WWW-Authenticate"] == "Bearer"
    assert_problem(client.get("/whoami", headers={"Authorization": "Bearer not.a.token"}), 401)
    assert_problem(client.get("/whoami", headers={"Authorization": "Basic dXNlcjpwdw=="}), 401)


@pytest.mark.parametrize(
    "claims",
    [
        {"expires_in": -120},
        {"audience": "someone-else"},
        {"issuer": "http://evil.example"},
    ],
)
def test_tokens_failing_a_required_check_are_401(client, keys, claims):
    assert_problem(client.get("/whoami", headers=auth(keys, **claims)), 401)


def test_a_token_signed_by_another_key_with_a_known_kid_is_401(client, keys):
    impostor = TestKeys(kid=keys.kid)
    assert_problem(client.get("/whoami", headers=auth(impostor)), 401)


def test_an_unsigned_token_is_401(client, keys):
    import jwt

    token = jwt.encode(
        {"sub": str(uuid.uuid4()), "iss": TEST_ISSUER, "aud": "skillpass", "exp": 9999999999, "iat": 1},
        None,
        algorithm="none",
        headers={"kid": keys.kid},
    )
    assert_problem(client.get("/whoami", headers={"Authorization": f"Bearer {token}"}), 401)


def test_a_valid_token_identifies_the_caller(client, keys):
    user_id = uuid.uuid4()
    response = client.get("/whoami", headers=auth(keys, user_id=user_id, roles=["staff", "lead"]))
    assert response.status_code == 200
    assert response.get_json() == {"user_id": str(user_id), "roles": ["lead", "staff"]}


def test_missing_role_is_403(client, keys):
    body = assert_problem(
        client.post("/things", json={"name": "a", "size": 1}, headers=auth(keys, roles=["staff"])), 403
    )
    assert "supervisor" in body["detail"]


def test_domain_errors_map_to_their_status(client, keys):
    assert_problem(
        client.post("/things", json={"name": "taken", "size": 1}, headers=auth(keys, roles=["supervisor"])), 409
    )
    assert_problem(client.get(f"/things/{uuid.uuid4()}", headers=auth(keys)), 404)


def test_unknown_route_and_method_are_problems(client, keys):
    assert_problem(client.get("/nowhere"), 404)
    assert_problem(client.get("/things/not-a-uuid", headers=auth(keys)), 404)
    response = client.delete("/things")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_unexpected_errors_are_500_problems_without_internals(client, keys):
    response = client.get(f"/things/{uuid.UUID(int=0)}", headers=auth(keys))
    body = assert_problem(response, 500)
    assert "boom" not in json.dumps(body)


def test_openapi_documents_bearer_auth_and_problem_responses(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    post = spec["paths"]["/things"]["post"]
    assert post["security"] == [{"bearerAuth": []}]
    assert {"401", "403", "422"} <= set(post["responses"])
    assert "application/problem+json" in spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert "/healthz" in spec["paths"] and "/readyz" in spec["paths"]


def test_docs_page_is_served(client):
    response = client.get("/docs")
    assert response.status_code == 200 and b"swagger" in response.data.lower()


def test_correlation_id_is_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Correlation-ID": "abc-123"}).headers["X-Correlation-ID"] == "abc-123"
    made = client.get("/healthz", headers={"X-Correlation-ID": "bad id with spaces"}).headers["X-Correlation-ID"]
    uuid.UUID(made)


def test_readyz_reports_an_unreachable_broker_as_503(keys, tmp_path):
    spec = ServiceSpec(name="demo", title="Demo", description="d", key_resolver=lambda r: keys.resolver())
    settings = Settings.from_env(
        "demo", {"DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}", "AMQP_URL": "amqp://guest:guest@127.0.0.1:1//"}
    )
    client = create_app(spec, Runtime(spec, settings), log_to_stdout=False).test_client()
    assert client.get("/healthz").status_code == 200
    body = assert_problem(client.get("/readyz"), 503)
    assert "broker" in body["detail"]


def test_readyz_is_200_when_database_and_broker_answer(keys, tmp_path, amqp_url):
    spec = ServiceSpec(name="demo", title="Demo", description="d", key_resolver=lambda r: keys.resolver())
    settings = Settings.from_env("demo", {"DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}", "AMQP_URL": amqp_url})
    client = create_app(spec, Runtime(spec, settings), log_to_stdout=False).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "broker": "ok"}


def test_lone_surrogates_are_refused_naming_the_field(client, keys):
    response = client.post(
        "/things",
        data='{"name": "\\ud800x", "size": 1}',
        content_type="application/json",
        headers=auth(keys, roles=["supervisor"]),
    )
    assert set(assert_problem(response, 422)["errors"]) == {"name"}


@pytest.mark.parametrize("depth", [100, 3000])
def test_deeply_nested_bodies_are_4xx_not_500(client, keys, depth):
    body = '{"name": "a", "size": 1, "tags": ' + "[" * depth + "]" * depth + "}"
    response = client.post(
        "/things", data=body, content_type="application/json", headers=auth(keys, roles=["supervisor"])
    )
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
