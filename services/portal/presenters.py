"""How the services' data reads to a person: plain words, names and dates. Pure functions, no Flask."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    LOCAL_TIME = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a machine without time zone data: UTC is the nearest honest answer
    LOCAL_TIME = timezone.utc

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
    "valid": ("Valid", "green"), "revoked": ("Revoked", "red"), "expired": ("Expired", "grey"),
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
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


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


def standing_decisions(decisions: list[dict]) -> dict[str, dict]:
    """Each skill's standing sign-off decision: its newest one not revoked (the sign-off service's rule)."""
    standing: dict[str, dict] = {}
    for decision in sorted(decisions, key=lambda d: (d["decided_at"], d["id"])):
        if not decision.get("revocation"):
            standing[decision["skill_code"]] = decision
    return standing


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
        DomainRows(domain["code"], domain["title"], [
            SkillRow(skill["code"], skill["title"],
                     skill_status(skill, standing.get(skill["code"]), skill["code"] in revoked),
                     skill.get("self_assessment"), skill.get("learning") or [], standing.get(skill["code"]))
            for skill in domain.get("skills") or []
        ])
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


def field_errors(api_errors: dict[str, list[str]], fields: dict[str, str], messages: dict[str, str],
                 detail: str = "") -> list[FieldError]:
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
