"""What the passport service's OpenAPI document says of request bodies matches what the API accepts."""

from tests.passport.conftest import problem


def test_an_empty_passport_change_is_documented_as_invalid_and_refused(service):
    holder = service.person("staff")
    passport = service.start(holder)
    document = service.client.get("/openapi.json").get_json()
    assert document["components"]["schemas"]["PassportUpdate"]["minProperties"] == 1

    problem(service.client.patch(f"/passports/{passport['id']}", json={}, headers=holder.headers), 422)
