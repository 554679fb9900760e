"""Passport type content: the bundled sample files, imported versions, and a per-process cache.

A stored version never changes, so each process caches what it has read for good.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from marshmallow import ValidationError

from services.passport import domain
from services.passport.models import PassportType
from services.passport.schemas import BundledPassportType
from shared.db import utcnow
from shared.domain import NotFound

CONTENT_DIR = Path(__file__).resolve().parent / "content"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TypeContent:
    code: str
    version: int
    title: str
    sample: bool
    domains: list[dict]
    skill_codes: list[str] = field(default_factory=list)
    # Each domain's and skill's unchanging JSON, encoded once: a passport read adds only the state.
    encoded: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    @classmethod
    def of(cls, row: PassportType) -> TypeContent:
        encoded = [
            (
                json.dumps({"code": d["code"], "title": d["title"]})[:-1] + ',"skills":[',
                [(skill["code"], json.dumps(skill)[:-1] + ",") for skill in d["skills"]],
            )
            for d in row.domains
        ]
        return cls(
            row.code, row.version, row.title, row.sample, row.domains, domain.skill_codes_of(row.domains), encoded
        )

    def render(self, passport_json: str, skill_states_json: dict[str, str]) -> str:
        """The passport with every domain and skill: its JSON object, its domains added."""
        domains = ",".join(
            opening + ",".join(skill + skill_states_json[code][1:] for code, skill in skills) + "]}"
            for opening, skills in self.encoded
        )
        return passport_json[:-1] + ',"domains":[' + domains + "]}"


class ContentCache:
    def __init__(self):
        self._by_version: dict[tuple[str, int], TypeContent] = {}
        self._lock = threading.Lock()

    def get(self, session, code: str, version: int) -> TypeContent:
        key = (code, version)
        content = self._by_version.get(key)
        if content is None:
            row = session.get(PassportType, key)
            if row is None:
                raise NotFound(f"No passport type {code} version {version}.")
            content = TypeContent.of(row)
            with self._lock:
                self._by_version[key] = content
        return content


def current_type(session, code: str) -> PassportType:
    row = session.scalar(sa.select(PassportType).where(PassportType.code == code, PassportType.current))
    if row is None:
        raise NotFound(f"No passport type {code}.")
    return row


def store_version(session, content: dict, version: int, imported_by: uuid.UUID | None) -> PassportType:
    """Store a new version and make it the one new passports start on."""
    session.execute(sa.update(PassportType).where(PassportType.code == content["code"]).values(current=False))
    row = PassportType(
        code=content["code"],
        version=version,
        title=content["title"],
        care_setting=content["care_setting"],
        description=content["description"],
        sample=content["sample"],
        notice=content.get("notice"),
        domains=content["domains"],
        skill_count=len(domain.skill_codes_of(content["domains"])),
        current=True,
        imported_at=utcnow(),
        imported_by=imported_by,
    )
    session.add(row)
    return row


def read_bundled_files() -> list[dict]:
    """The sample content shipped with the service, validated as strictly as an import."""
    contents = []
    for path in sorted(CONTENT_DIR.glob("*.json")):
        try:
            content = BundledPassportType().load(json.loads(path.read_text()))
        except (ValueError, ValidationError) as error:
            raise ValueError(f"{path.name}: {error}") from None
        errors = domain.content_errors(content["domains"])
        if errors:
            raise ValueError(f"{path.name}: {errors}")
        contents.append(content)
    return contents


def load_bundled(session) -> list[str]:
    """Store each bundled version not stored yet; a newer version already imported stays current."""
    added = []
    for content in read_bundled_files():
        code, version = content["code"], content.pop("version")
        if session.get(PassportType, (code, version)) is not None:
            continue
        newest = session.scalar(sa.select(sa.func.max(PassportType.version)).where(PassportType.code == code))
        if newest is not None and newest > version:
            log.info("bundled content older than the stored one; kept the stored", extra={"code": code})
            continue
        store_version(session, content, version, imported_by=None)
        added.append(f"{code} v{version}")
    return added
