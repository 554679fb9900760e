"""The passport usage export, read back as a spreadsheet would read it."""

import csv
import io
import uuid
from datetime import timedelta

from tests.metrics.conftest import T0, problem


def read(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, so that Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_one_row_per_passport_of_the_trust_with_formula_like_text_quoted(service):
    nurse, other_trust_nurse = uuid.uuid4(), uuid.uuid4()
    service.user(nurse, '=HYPERLINK("http://evil")', "Nursing – adult", T0, name="@Sam Okafor")
    passport = service.passport(nurse)
    service.started(passport, T0)
    service.assessed(passport, "S1", T0 + timedelta(days=1))
    service.signoff(passport, "S1", T0 + timedelta(days=2))
    service.completed(passport, T0 + timedelta(days=3))
    certificate = {**service.certificate(nurse), "passport_id": passport["passport_id"]}
    service.issued(certificate, T0 + timedelta(days=3))
    service.started(service.passport(passport_type="RSC"), T0)  # someone identity has not told us of
    service.started({**service.passport(other_trust_nurse), "trust_id": uuid.uuid4()}, T0)

    response = service.ok("/exports/passport-usage.csv", service.person("trust_admin"))
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    header, *rows = read(response)
    assert header[:12] == [
        "Staff number",
        "Staff name",
        "Professional group",
        "Passport type",
        "Started",
        "Last activity",
        "Skills self-assessed",
        "Skills signed off",
        "Skills in total",
        "Status",
        "Certificate status",
        "Certificate expiry",
    ]
    assert len(rows) == 2
    nrss = dict(zip(header, rows[0]))
    assert nrss == {
        **nrss,
        "Staff number": '\'=HYPERLINK("http://evil")',
        "Staff name": "'@Sam Okafor",
        "Professional group": "Nursing – adult",
        "Passport type": "NRSS",
        "Started": "2026-11-02",
        "Last activity": "2026-11-05",
        "Skills self-assessed": "1",
        "Skills signed off": "1",
        "Skills in total": "3",
        "Status": "completed",
        "Certificate status": "valid",
        "Certificate expiry": "2027-11-05",
        "Staff ID": str(nurse),
    }
    rsc = dict(zip(header, rows[1]))
    assert (rsc["Staff number"], rsc["Staff name"], rsc["Status"], rsc["Certificate status"]) == (
        "",
        "",
        "in_progress",
        "",
    )
    assert str(other_trust_nurse) not in response.get_data(as_text=True)


def test_only_trust_admins_export(service):
    for role in ("lead", "workforce", "staff"):
        problem(service.call("GET", "/exports/passport-usage.csv", service.person(role)), 403)
    problem(service.client.get("/exports/passport-usage.csv"), 401)


def test_the_newest_name_and_staff_number_win_whatever_order_user_events_arrive_in(service):
    nurse = uuid.uuid4()
    service.started(service.passport(nurse), T0)
    admin = service.person("trust_admin")
    event_id = uuid.uuid4()
    assert service.user(
        nurse,
        "N8",
        "Nursing",
        T0 + timedelta(hours=2),
        name="Sam Okafor-Lee",
        event_type="user.updated",
        event_id=event_id,
    )
    assert (
        service.user(
            nurse,
            "N8",
            "Nursing",
            T0 + timedelta(hours=2),
            name="Sam Okafor-Lee",
            event_type="user.updated",
            event_id=event_id,
        )
        is False
    )  # the same event again
    service.user(nurse, "N7", "Nursing", T0, name="Sam Okafor")  # registered, arriving late
    service.user(nurse, "N1", "Nursing", T0 + timedelta(hours=1), name="Sam Old", event_type="user.updated")
    header, row = read(service.ok("/exports/passport-usage.csv", admin))
    assert (dict(zip(header, row))["Staff name"], dict(zip(header, row))["Staff number"]) == ("Sam Okafor-Lee", "N8")
