"""How the services' data reads to a person: plain words, names and dates. Pure functions, no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared import rules

try:
    LOCAL_TIME = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a machine without time zone data: UTC is the nearest honest answer
    LOCAL_TIME = UTC

LEVELS = {
    "none": "I cannot do this yet",
    "training_needed": "I need training",
    "supervised": "I can do this with supervision",
    "independent": "I can do this on my own",
}
LEVEL_HINTS = {
    "none": "You have not done this skill, or not for a long time.",
    "training_needed": "You know about it but need training before you do it.",
    "supervised": "You can demonstrate it safely with someone watching.",
    "independent": "You can demonstrate it and safely do it without supervision.",
}
LEARNING_KINDS = {"elearning": "E-learning", "face_to_face": "Face to face"}
LEARNING_STATUSES = {"planned": "Planned", "attended": "Attended", "completed": "Completed"}
CARE_SETTINGS = {"adult": "Adult critical care", "paediatric": "Paediatric critical care"}
PASSPORT_STATUSES = {"in_progress": "In progress", "completed": "Completed", "withdrawn": "Withdrawn"}
CERTIFICATE_STATUSES = {
    "valid": ("Valid", "green"),
    "revoked": ("Revoked", "red"),
    "expired": ("Expired", "grey"),
    "superseded": ("Replaced by a newer certificate", "grey"),
}


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str  # an NHS.UK tag colour: green, blue, grey, red, orange, yellow, white


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def long_date(value: str | date | datetime | None) -> str:
    """28 November 2026 (the day in UK time)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = parse_time(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIME).date()
    return f"{value.day} {value:%B %Y}"


def time_ago(value: str | datetime | None, now: datetime) -> str:
    if value in (None, ""):
        return ""
    then = parse_time(value) if isinstance(value, str) else value
    seconds = max(0, (now - then).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


@dataclass(frozen=True)
class _ShownDecision:
    """A decision as the sign-off service's API gives it, in the terms of shared/rules.py."""

    body: dict

    @property
    def signoff_id(self) -> str:
        return self.body["id"]

    @property
    def skill_code(self) -> str:
        return self.body["skill_code"]

    @property
    def outcome(self) -> str:
        return self.body["outcome"]

    @property
    def decided_at(self) -> str:
        return self.body["decided_at"]  # RFC 3339 in UTC, so in time order as text too

    @property
    def revoked(self) -> bool:
        return bool(self.body.get("revocation"))


def standing_decisions(decisions: list[dict]) -> dict[str, dict]:
    """Each skill's standing sign-off decision: the sign-off service's rule (shared/rules.py)."""
    standing = rules.standing_decisions(_ShownDecision(decision) for decision in decisions)
    return {code: shown.body for code, shown in standing.items()}


def skill_status(skill: dict, standing: dict | None, ever_revoked: bool) -> Tag:
    """Where a skill on a passport stands, the strongest fact first: a decision beats a self-assessment."""
    if standing and standing["outcome"] == "proficient":
        return Tag("Signed off", "green")
    if standing and standing["outcome"] == "not_yet":
        return Tag("Not yet – see action plan", "orange")
    if ever_revoked:
        return Tag("Sign-off revoked", "red")
    assessment = skill.get("self_assessment")
    if assessment:
        return Tag(f"Self-assessed: {LEVELS.get(assessment.get('level'), assessment.get('level'))}", "blue")
    return Tag("Not started", "white")


@dataclass(frozen=True)
class SkillRow:
    code: str
    title: str
    status: Tag
    self_assessment: dict | None
    learning: list[dict]
    decision: dict | None  # the standing decision, if any

    @property
    def signed_off(self) -> bool:
        return bool(self.decision) and self.decision["outcome"] == "proficient"

    @property
    def awaits_decision(self) -> bool:
        """Self-assessed and not signed off: what a supervisor can decide on, and the holder can ask for."""
        return bool(self.self_assessment) and not self.signed_off


@dataclass(frozen=True)
class DomainRows:
    code: str
    title: str
    skills: list[SkillRow]


def passport_rows(passport: dict, decisions: list[dict]) -> list[DomainRows]:
    """The passport by domain and skill, each skill with its status from the sign-off service's decisions
    (which it owns, so they are never behind) and the passport service's self-assessment and learning."""
    standing = standing_decisions(decisions)
    revoked = {d["skill_code"] for d in decisions if d.get("revocation")}
    return [
        DomainRows(
            domain["code"],
            domain["title"],
            [
                SkillRow(
                    skill["code"],
                    skill["title"],
                    skill_status(skill, standing.get(skill["code"]), skill["code"] in revoked),
                    skill.get("self_assessment"),
                    skill.get("learning") or [],
                    standing.get(skill["code"]),
                )
                for skill in domain.get("skills") or []
            ],
        )
        for domain in passport.get("domains") or []
    ]


def signed_off_count(rows: list[DomainRows]) -> int:
    return sum(1 for domain in rows for skill in domain.skills if skill.signed_off)


def progress_text(progress: dict | None) -> str:
    progress = progress or {}
    return f"{progress.get('signed_off', 0)} of {progress.get('skills_total', 0)} skills signed off"


def skills_of(passport: dict) -> list[dict]:
    return [skill for domain in passport.get("domains") or [] for skill in domain.get("skills") or []]


def person(name: str | None, staff_number: str | None = None) -> str:
    if not name:
        return "Name not known yet"
    return f"{name} ({staff_number})" if staff_number else name


@dataclass(frozen=True)
class FieldError:
    field: str  # the form field it belongs to, or "" for the page as a whole
    message: str


def field_errors(
    api_errors: dict[str, list[str]], fields: dict[str, str], messages: dict[str, str], detail: str = ""
) -> list[FieldError]:
    """An API's problem+json errors as the form's own: `fields` maps the API's field path to the form's
    field, `messages` the form field to the plain words shown (the API's own words otherwise)."""
    found: dict[str, FieldError] = {}
    for path, texts in api_errors.items():
        form_field = fields.get(path) or fields.get(path.rsplit(".", 1)[-1]) or ""
        if form_field not in found:
            found[form_field] = FieldError(form_field, messages.get(form_field) or "; ".join(texts))
    if not found and detail:
        found[""] = FieldError("", detail)
    return list(found.values())


# --- Staff admin: the Trust's people as a Trust admin reads them -------------------------------------

ROLE_NAMES = {
    "staff": "Staff",
    "supervisor": "Supervisor",
    "educator": "Educator",
    "lead": "Implementation lead",
    "workforce": "Workforce lead",
    "trust_admin": "Trust admin",
}
ROLE_HINTS = {
    "staff": "Completes their own passports.",
    "supervisor": "Signs skills off.",
    "educator": "Supports training and signs skills off.",
    "lead": "Runs the roll-out: plan, cohort and dashboard.",
    "workforce": "Plans the workforce and reads the roster.",
    "trust_admin": "Manages the Trust's staff and exports usage data.",
}
# The columns of the staff CSV and the fields of the add form, as a person names them.
STAFF_FIELD_NAMES = {
    "staff_number": "Staff number",
    "name": "Name",
    "email": "Email address",
    "professional_group": "Professional group",
    "roles": "Roles",
    "department": "Department",
    "row": "Row",
}


def roles_text(roles: list[str] | tuple[str, ...] | None) -> str:
    return ", ".join(ROLE_NAMES.get(role, role) for role in roles or ()) or "No role"


def staff_status(user: dict) -> Tag:
    """Where a person's account stands: a leaver, signed up, waiting for their invitation, or not asked yet."""
    if not user.get("active", True):
        return Tag("Deactivated", "grey")
    if user.get("password_set"):
        return Tag("Active", "green")
    if user.get("invited_at"):
        return Tag("Invited", "blue")
    return Tag("Not invited", "white")


def awaits_invitation(user: dict) -> bool:
    """Active, with no password of their own and never invited: who "invite everyone" is for."""
    return bool(user.get("active", True)) and not user.get("password_set") and not user.get("invited_at")


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def import_summary(report: dict) -> str:
    """147 added, 0 updated, 0 unchanged, 3 rows not imported."""
    rejected = len(report.get("rejected") or [])
    return (
        f"{report.get('created', 0)} added, {report.get('updated', 0)} updated, "
        f"{report.get('unchanged', 0)} unchanged, {plural(rejected, 'row')} not imported"
    )


@dataclass(frozen=True)
class RejectedRow:
    line: int
    problems: list[str]


def rejected_rows(report: dict) -> list[RejectedRow]:
    """Each row the import left out, by its line in the file, with what is wrong in words."""
    rows = []
    for item in sorted(report.get("rejected") or [], key=lambda entry: entry.get("row") or 0):
        problems = []
        for field_name, messages in (item.get("errors") or {}).items():
            label = STAFF_FIELD_NAMES.get(field_name, field_name.replace("_", " ").capitalize())
            texts = messages if isinstance(messages, list) else [str(messages)]
            problems.extend(f"{label}: {text}" for text in texts)
        rows.append(RejectedRow(int(item.get("row") or 0), problems or ["This row could not be read."]))
    return rows


def page_numbers(current: int, total: int, around: int = 2) -> list[int | None]:
    """The page numbers to offer, None where a run of them is left out: 1 … 4 5 [6] 7 8 … 20."""
    if total <= 1:
        return []
    shown = {1, total} | set(range(max(1, current - around), min(total, current + around) + 1))
    numbers: list[int | None] = []
    for number in sorted(shown):
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


# --- The PDSA plan -----------------------------------------------------------------------------------

POWER_IMPACT = {"high": "High", "low": "Low"}
DRIVER_KINDS = {"primary": "Primary driver", "secondary": "Secondary driver", "activity": "Change idea"}
DRIVER_STATUSES = {
    "proposed": "Proposed",
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "not_pursued": "Not pursued",
}
PRIORITIES = {"high": "High", "medium": "Medium", "low": "Low"}
STEP_SHAPES = {"start_end": "Start or end", "activity": "Activity", "decision": "Decision", "document": "Document"}
MEASURE_KINDS = {"outcome": "Outcome measure", "process": "Process measure"}
MEASURE_METHODS = {"quantitative": "Quantitative (numbers)", "qualitative": "Qualitative (views and experiences)"}
MEASURE_METRICS = {
    "started": "Passports started",
    "completed": "Passports completed",
    "certified": "Staff holding a valid certificate",
    "completion_rate": "Completion rate (% of the rotation cohort)",
    "self_assessed": "Skills self-assessed",
    "signed_off": "Skills signed off",
    "learning_attended_vs_planned": "Face-to-face sessions attended against planned",
}
MEASURE_DIRECTIONS = {"increase": "Higher is better", "decrease": "Lower is better"}
CYCLE_ACTS = {"adopt": "Adopt", "adapt": "Adapt", "abandon": "Abandon"}


@dataclass(frozen=True)
class Quadrant:
    """One quarter of the stakeholder power/impact grid, in the planning service's own words."""

    key: str
    name: str  # as the planning service names it (Manage, Satisfy, Inform, Monitor)
    power: str
    impact: str
    advice: str


# In reading order of the toolkit's grid: high power on top, high impact on the right.
QUADRANTS = (
    Quadrant(
        "satisfy",
        "Satisfy",
        "high",
        "low",
        "Opinion formers. Keep them satisfied with what is happening and review their position regularly.",
    ),
    Quadrant(
        "manage",
        "Manage",
        "high",
        "high",
        "Key stakeholders: engage them fully through communication and consultation.",
    ),
    Quadrant(
        "monitor", "Monitor", "low", "low", "Less vital: this group can wait when time and resources are stretched."
    ),
    Quadrant(
        "inform",
        "Inform",
        "low",
        "high",
        "Keep them informed; organising them into groups can increase their influence.",
    ),
)


def quadrant_of(power: str, impact: str) -> Quadrant:
    return next(q for q in QUADRANTS if q.power == power and q.impact == impact)


@dataclass(frozen=True)
class GridCell:
    quadrant: Quadrant
    stakeholders: list[dict]
    x: int
    y: int
    width: int
    height: int
    lines: list[tuple[int, str]]  # (y, text) of each name drawn in the cell
    more: int  # names that did not fit: the list beside the picture has them all


GRID_LEFT, GRID_TOP, GRID_CELL_WIDTH, GRID_CELL_HEIGHT = 40, 10, 200, 190
GRID_FIRST_LINE, GRID_LINE_HEIGHT, GRID_CHARS = 52, 18, 24


def _shortened(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def stakeholder_grid(stakeholders: list[dict]) -> list[GridCell]:
    """Each stakeholder's name placed in its quadrant of the power/impact grid, with the positions to draw at."""
    fits = (GRID_CELL_HEIGHT - GRID_FIRST_LINE) // GRID_LINE_HEIGHT
    cells = []
    for index, quadrant in enumerate(QUADRANTS):
        members = [s for s in stakeholders if s.get("power") == quadrant.power and s.get("impact") == quadrant.impact]
        x = GRID_LEFT + (index % 2) * GRID_CELL_WIDTH
        y = GRID_TOP + (index // 2) * GRID_CELL_HEIGHT
        shown = members if len(members) <= fits else members[: fits - 1]
        lines = [
            (y + GRID_FIRST_LINE + row * GRID_LINE_HEIGHT, _shortened(s["name"], GRID_CHARS))
            for row, s in enumerate(shown)
        ]
        cells.append(
            GridCell(quadrant, members, x, y, GRID_CELL_WIDTH, GRID_CELL_HEIGHT, lines, len(members) - len(shown))
        )
    return cells


def stakeholder_summary(stakeholders: list[dict]) -> str:
    if not stakeholders:
        return "No stakeholders yet"
    counts = [
        (q, sum(1 for s in stakeholders if s.get("power") == q.power and s.get("impact") == q.impact))
        for q in (QUADRANTS[1], QUADRANTS[0], QUADRANTS[3], QUADRANTS[2])
    ]
    parts = ", ".join(f"{count} to {quadrant.name.lower()}" for quadrant, count in counts if count)
    return f"{_count(len(stakeholders), 'stakeholder')}: {parts}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass
class DriverNode:
    driver: dict
    children: list[DriverNode]


def driver_tree(drivers: list[dict]) -> list[DriverNode]:
    """The driver diagram as a tree: primary drivers at the top, in the plan's order. A driver whose parent is
    not in the list is shown at the top rather than lost."""
    nodes = {driver["id"]: DriverNode(driver, []) for driver in drivers}
    roots = []
    for driver in drivers:
        parent = nodes.get(driver.get("parent_id"))
        (parent.children if parent is not None else roots).append(nodes[driver["id"]])
    return roots


def driver_summary(drivers: list[dict]) -> str:
    if not drivers:
        return "No drivers yet"
    counts = [
        (sum(1 for d in drivers if d["kind"] == kind), noun)
        for kind, noun in (
            ("primary", "primary driver"),
            ("secondary", "secondary driver"),
            ("activity", "change idea"),
        )
    ]
    return ", ".join(_count(number, noun) for number, noun in counts)


def process_map_summary(process_map: dict | None) -> str:
    if not process_map:
        return "No process map yet"
    return ", ".join(
        _count(len(process_map.get(name) or []), noun)
        for name, noun in (("lanes", "lane"), ("stages", "stage"), ("steps", "step"))
    )


def process_map_text(process_map: dict | None) -> list[tuple[dict, list[tuple[dict, list[dict]]]]]:
    """The process map in words, for those who cannot see the picture: each lane, its stages that have
    steps, and the steps in each, with the steps that follow each one."""
    if not process_map:
        return []
    labels = {step["key"]: step["label"] for step in process_map.get("steps") or []}
    following: dict[str, list[str]] = {}
    for link in process_map.get("links") or []:
        following.setdefault(link["from"], []).append(labels.get(link["to"], link["to"]))
    lanes = []
    for lane in process_map.get("lanes") or []:
        stages = []
        for stage in process_map.get("stages") or []:
            steps = [
                {**step, "next": following.get(step["key"], [])}
                for step in process_map.get("steps") or []
                if step["lane"] == lane["key"] and step["stage"] == stage["key"]
            ]
            if steps:
                stages.append((stage, steps))
        lanes.append((lane, stages))
    return lanes


def new_key(name: str, taken) -> str:
    """A key for a lane, stage or step made from its name: letters and digits, unique among `taken`."""
    base = "".join(c if c.isascii() and c.isalnum() else "_" for c in name.lower()).strip("_")
    base = "_".join(part for part in base.split("_") if part)[:32] or "item"
    key, number = base, 2
    while key in taken:
        key = f"{base[:32]}_{number}"
        number += 1
    return key


def lines_of(text: str) -> list[str]:
    """One entry a line, blank lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def timeline_of(text: str) -> tuple[list[dict], list[int]]:
    """Timeline lines `when: what` as the planning service's items, and the numbers of the lines without a colon."""
    items, unclear = [], []
    for number, line in enumerate(lines_of(text), start=1):
        when, colon, what = line.partition(":")
        if not colon or not when.strip() or not what.strip():
            unclear.append(number)
        else:
            items.append({"when": when.strip(), "what": what.strip()})
    return items, unclear


def timeline_text(items: list[dict] | None) -> str:
    return "\n".join(f"{item['when']}: {item['what']}" for item in items or [])


def date_parts(value: str | None) -> dict[str, str]:
    """An ISO date as the day, month and year boxes of a date input."""
    if not value:
        return {"day": "", "month": "", "year": ""}
    day = date.fromisoformat(value)
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def number_text(number) -> str:
    """A number as a form shows it back for changing: 95, not 95.0; blank when there is none."""
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)


def iso_date(day: str, month: str, year: str) -> str | None:
    """The date input's boxes as an ISO date for the API (which says when it is not a real date); None when
    all are blank."""
    day, month, year = (part.strip() for part in (day, month, year))
    if not (day or month or year):
        return None
    return f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"


def plan_field_errors(
    api_errors: dict[str, list[str]], fields: dict[str, str], messages: dict[str, str], detail: str = ""
) -> list[FieldError]:
    """Like field_errors, for the planning service's dotted paths (`benefits.2`, `steps.3.label`): a path is
    matched whole, then by its last name, then by its first."""
    found: dict[str, FieldError] = {}
    for path, texts in api_errors.items():
        names = [part for part in path.split(".") if not part.isdigit()]
        form_field = (
            fields.get(path)
            or (fields.get(names[-1]) if names else None)
            or (fields.get(names[0]) if names else None)
            or ""
        )
        if form_field not in found:
            found[form_field] = FieldError(form_field, messages.get(form_field) or "; ".join(texts))
    if not found and detail:
        found[""] = FieldError("", detail)
    return list(found.values())


# --- Cohort: where each person of the Trust is with their passport -----------------------------------

EXPIRING_WITHIN_DAYS = 60
# Where a person is, in the order they get there; each with its words and its tag's colour.
COHORT_STATUSES = {
    "not_started": Tag("Not started", "white"),
    "self_assessing": Tag("Self-assessing", "blue"),
    "waiting_for_signoff": Tag("Waiting for sign-off", "yellow"),
    "certified": Tag("Certified", "green"),
    "expiring_soon": Tag("Expiring soon", "orange"),
    # Completed, but no valid certificate: issuing is on its way, or it was revoked or has expired.
    "no_certificate": Tag("Completed, no valid certificate", "grey"),
}


@dataclass(frozen=True)
class CohortRow:
    passport_id: str
    staff_id: str
    name: str
    staff_number: str | None
    passport_type: str
    title: str
    status: str
    detail: str

    @property
    def tag(self) -> Tag:
        return COHORT_STATUSES[self.status]


def cohort_status(passport: dict, waiting: bool, certificate: dict | None, now: datetime) -> tuple[str, str]:
    """Where the holder of a passport (not withdrawn) is, and a line that says more: the most advanced fact
    wins, a valid certificate over a completed passport over an open sign-off request over self-assessment."""
    if passport.get("status") == "completed":
        expires = parse_time(certificate.get("expires_at")) if certificate else None
        if certificate is None or (expires is not None and expires <= now):
            return "no_certificate", "Passport completed"
        if expires is not None and (expires - now).total_seconds() <= EXPIRING_WITHIN_DAYS * 86400:
            return "expiring_soon", f"Certificate expires {long_date(expires)}"
        return "certified", f"Certified until {long_date(expires)}" if expires else "Certified"
    progress = passport.get("progress") or {}
    if waiting:
        return "waiting_for_signoff", progress_text(progress)
    if progress.get("self_assessed") or progress.get("signed_off"):
        return (
            "self_assessing",
            f"{progress.get('self_assessed', 0)} of {progress.get('skills_total', 0)} skills self-assessed",
        )
    return "not_started", "Nothing self-assessed yet"


def cohort_rows(
    passports: list[dict], open_requests: list[dict], certificates: list[dict], now: datetime
) -> list[CohortRow]:
    """Each passport not withdrawn, with its holder by name and where they are, sorted by name: built from three
    lists fetched once each, so a cohort of hundreds costs no call per person."""
    waiting = {request["passport_id"] for request in open_requests}
    valid = {
        certificate["passport_id"]: certificate for certificate in certificates if certificate.get("status") == "valid"
    }
    rows = []
    for passport in passports:
        if passport.get("status") == "withdrawn":
            continue
        status, detail = cohort_status(passport, passport["id"] in waiting, valid.get(passport["id"]), now)
        rows.append(
            CohortRow(
                passport["id"],
                passport["staff_id"],
                passport.get("staff_name") or "Name not known yet",
                passport.get("staff_number"),
                passport["passport_type"],
                passport.get("title") or passport["passport_type"],
                status,
                detail,
            )
        )
    return sorted(rows, key=lambda row: (row.name.casefold(), row.staff_number or "", row.passport_type))


def cohort_counts(rows: list[CohortRow]) -> dict[str, int]:
    """How many are at each status, every status named (0 included) except the rare "no certificate"."""
    counts = {status: 0 for status in COHORT_STATUSES}
    for row in rows:
        counts[row.status] += 1
    if not counts["no_certificate"]:
        del counts["no_certificate"]
    return counts


def count_of_people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def assignment_summary(result: dict) -> list[str]:
    """A bulk assignment's outcome in plain words: "70 passports assigned", "3 people already had one"."""
    created, existing, rejected = (result.get(name, 0) for name in ("created", "existing", "rejected"))
    lines = [f"{created} passport{'' if created == 1 else 's'} assigned"]
    if existing:
        lines.append(f"{count_of_people(existing)} already had one")
    if rejected:
        lines.append(f"{count_of_people(rejected)} could not be given one")
    return lines


# --- Dashboard and roster ----------------------------------------------------------------------------

DASHBOARD_COLUMNS = (
    ("started", "Started"),
    ("in_progress", "In progress"),
    ("completed", "Completed"),
    ("certified", "Certified now"),
    ("certificates_issued", "Certificates issued"),
    ("certificates_expired", "Expired"),
    ("certificates_revoked", "Revoked"),
    ("rostered", "On the roster"),
)
ROSTER_STATUSES = {"eligible": Tag("Eligible", "green"), "ineligible": Tag("Not eligible", "grey")}
ROSTER_REASONS = {
    "certified": "Certified",
    "revoked": "Certificate revoked",
    "expired": "Certificate expired",
    "left": "Left the Trust",
}


def dashboard_totals(passport_types: list[dict]) -> dict[str, int]:
    """Every passport type's counts added up, for the figures at the top of the dashboard."""
    return {name: sum(row.get(name) or 0 for row in passport_types) for name, _ in DASHBOARD_COLUMNS}


def dashboard_rows(passport_types: list[dict]) -> list[dict]:
    """The passport types with anything to show: a Trust that uses two types is not shown four rows of zeros."""
    return [row for row in passport_types if any(row.get(name) for name, _ in DASHBOARD_COLUMNS)]


def figure(value: float | None, percent: bool) -> str:
    if value is None:
        return "Not known yet"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}%" if percent else text


def period_name(frequency: str | None, period_start: str | date | None) -> str:
    """The period a value is for, by its first day, as a person names it: the day, the week starting on its
    Monday, or the month."""
    if not period_start:
        return ""
    if frequency == "monthly":
        day = date.fromisoformat(period_start) if isinstance(period_start, str) else period_start
        return f"{day:%B %Y}"
    return f"the week starting {long_date(period_start)}" if frequency == "weekly" else long_date(period_start)


# --- Values entered by hand for a measure bound to no metric, one per period ------------------------------

PERIOD_UNITS = {"daily": "day", "weekly": "week", "monthly": "month"}
PERIOD_HEADINGS = {"daily": "Day", "weekly": "Week starting", "monthly": "Month starting"}
PERIOD_LEGENDS = {
    "daily": "Which day is the value for?",
    "weekly": "Which week is the value for?",
    "monthly": "Which month is the value for?",
}
PERIOD_HINTS = {
    "daily": "For example, 28 11 2026",
    "weekly": "The Monday the week starts on, for example 23 11 2026",
    "monthly": "The first day of the month, for example 1 11 2026",
}
PERIOD_MESSAGES = {
    "daily": "Enter a real date, for example 28 11 2026",
    "weekly": "Enter the Monday the week starts on, for example 23 11 2026",
    "monthly": "Enter the first day of the month, for example 1 11 2026",
}


def real_date(text: str | None) -> date | None:
    """An ISO date as typed into a date input's boxes, when it is a real day."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def on_track_tag(on_track: bool | None) -> Tag:
    if on_track is None:
        return Tag("No deadline", "grey")
    return Tag("On track", "green") if on_track else Tag("Not on track", "orange")


def roster_reason(reason: str | None) -> str:
    return ROSTER_REASONS.get(reason or "", (reason or "").replace("_", " ").capitalize() or "Not known")
