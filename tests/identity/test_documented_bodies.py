"""What identity's OpenAPI document says of request bodies matches what the API accepts."""


def test_an_empty_user_change_is_documented_as_invalid_and_refused(identity):
    admin = identity.admin()
    user = identity.new_user(identity.new_trust()["id"])
    document = identity.client.get("/openapi.json").get_json()
    assert document["components"]["schemas"]["UserUpdate"]["minProperties"] == 1

    response = identity.client.patch(f"/users/{user['id']}", json={}, headers=admin)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
