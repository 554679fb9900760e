"""The six services' APIs as the portal calls them: on the signed-in user's behalf, with their own token.

One connection pool per process (keep-alive to each service), and a small thread pool so that the calls
a page needs go out together instead of one after another.
"""

from __future__ import annotations

import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import urllib3

from shared.logs import correlation, current_correlation_id

log = logging.getLogger("skillpass.portal.backend")
# A one-time link's token is a password in all but name: never written to a log.
_LINK_TOKEN = re.compile(r"(/auth/links/)[A-Za-z0-9_.~%-]+")


class BackendUnavailable(Exception):
    """A service did not answer, or answered with a server error: the page cannot be shown."""

    def __init__(self, service: str, detail: str):
        super().__init__(f"{service}: {detail}")
        self.service = service


@dataclass
class Answer:
    """A service's answer: its status, its JSON body (or raw bytes), its headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """A problem+json body's per-field errors ({} when there are none)."""
        return (self.body or {}).get("errors") or {} if isinstance(self.body, dict) else {}

    @property
    def detail(self) -> str:
        return (self.body or {}).get("detail", "") if isinstance(self.body, dict) else ""


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    path: str
    query: dict[str, Any] | None = None
    body: Any = None
    content_type: str | None = None  # a body sent as it is (a CSV file), instead of as JSON
    read_timeout: float | None = None  # longer than usual for a call known to take long (a whole Trust's import)


def get(service: str, path: str, **query) -> Call:
    return Call(service, "GET", path, query or None)


def put(service: str, path: str, body: Any) -> Call:
    return Call(service, "PUT", path, body=body)


def delete(service: str, path: str) -> Call:
    return Call(service, "DELETE", path)


class Backend:
    def __init__(self, urls: dict[str, str], timeout: float, pool_size: int = 8):
        self.urls = urls
        self.timeout = urllib3.Timeout(connect=min(timeout, 3.0), read=timeout)
        self.http = urllib3.PoolManager(num_pools=len(urls) + 2, maxsize=pool_size, retries=False)
        self._pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="backend")

    def call(self, call: Call, token: str | None = None) -> Answer:
        response = self._send(call, token, preload=True)
        if response.status >= 500:
            raise BackendUnavailable(
                call.service, f"answered {response.status} to {call.method} {_loggable(call.path)}"
            )
        content_type = response.headers.get("Content-Type", "")
        body: Any = None
        if "json" in content_type and response.data:
            try:
                body = json.loads(response.data)
            except ValueError:
                raise BackendUnavailable(call.service, "answered JSON that does not parse") from None
        return Answer(response.status, body, dict(response.headers), response.data)

    def open(self, call: Call, token: str | None = None, accept: str = "*/*") -> urllib3.BaseHTTPResponse:
        """The answer not yet read, to stream a file through to the browser; the caller releases it."""
        response = self._send(call, token, preload=False, accept=accept)
        if response.status >= 500:
            response.release_conn()
            raise BackendUnavailable(
                call.service, f"answered {response.status} to {call.method} {_loggable(call.path)}"
            )
        return response

    def _send(self, call: Call, token: str | None, preload: bool, accept: str = "application/json"):
        url = self.urls[call.service] + call.path
        if call.query:
            url += "?" + urlencode({k: v for k, v in call.query.items() if v is not None}, doseq=True)
        headers = {"Accept": accept}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        correlation_id = current_correlation_id()
        if correlation_id:
            headers["X-Correlation-ID"] = correlation_id
        data = None
        if call.content_type is not None:
            data = call.body.encode() if isinstance(call.body, str) else call.body
            headers["Content-Type"] = call.content_type
        elif call.body is not None:
            data = json.dumps(call.body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            timeout = (
                self.timeout
                if call.read_timeout is None
                else urllib3.Timeout(connect=self.timeout.connect_timeout, read=call.read_timeout)
            )
            return self.http.request(
                call.method, url, body=data, headers=headers, timeout=timeout, preload_content=preload, redirect=False
            )
        except urllib3.exceptions.HTTPError as error:
            raise BackendUnavailable(call.service, _loggable(f"{type(error).__name__}: {error}")) from error
        finally:
            log.debug(
                "backend call",
                extra={
                    "service": call.service,
                    "method": call.method,
                    "path": _loggable(call.path),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )

    def call_all(self, calls: list[Call], token: str | None = None) -> list[Answer]:
        """The calls at once, answers in the same order; the first failure is raised."""
        if len(calls) <= 1:
            return [self.call(one, token) for one in calls]
        correlation_id = current_correlation_id()

        def run(one: Call) -> Answer:
            with correlation(correlation_id):  # the pool's threads log under the page's correlation id
                return self.call(one, token)

        return list(self._pool.map(run, calls))


def _loggable(text: str) -> str:
    return _LINK_TOKEN.sub(r"\1[redacted]", text)
