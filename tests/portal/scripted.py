"""The services as scripted answers, for the portal's page tests: each route an Answer or a function of the
Call. Every call is kept, with the token it was made with."""

from __future__ import annotations

from services.portal.backend import Answer, Call
from services.portal.settings import BACKENDS

CLOSED = "http://127.0.0.1:1"
NOT_FOUND = Answer(404, {"title": "Not Found", "status": 404, "detail": "No such thing."})


class FakeBackend:
    """Routes are keyed `(service, method, path)`, or `(method, path)` for any service."""

    def __init__(self):
        self.urls = {name: CLOSED for name in BACKENDS}
        self.routes: dict[tuple[str, ...], object] = {}
        self.sent: list[tuple[Call, str | None]] = []

    def on(self, *route_and_answer) -> None:
        *route, answer = route_and_answer
        self.routes[tuple(route)] = answer

    def call(self, call: Call, token: str | None = None) -> Answer:
        self.sent.append((call, token))
        answer = self.routes.get((call.service, call.method, call.path), self.routes.get((call.method, call.path)))
        if answer is None:
            return NOT_FOUND
        return answer(call) if callable(answer) else answer

    def call_all(self, calls: list[Call], token: str | None = None) -> list[Answer]:
        return [self.call(one, token) for one in calls]

    def open(self, call: Call, token: str | None = None, accept: str = "*/*"):
        answer = self.call(call, token)
        return Streamed(answer.status, answer.raw)

    def made(self, *route: str) -> list[Call]:
        return [call for call, _ in self.sent if (call.service, call.method, call.path)[-len(route) :] == route]


class Streamed:
    """An answer read as a stream, as the portal passes files through."""

    def __init__(self, status: int, data: bytes):
        self.status, self.data, self.released = status, data, False

    def stream(self, size: int):
        for start in range(0, len(self.data), size):
            yield self.data[start : start + size]

    def release_conn(self):
        self.released = True
