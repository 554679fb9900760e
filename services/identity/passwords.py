"""Passwords: hashed with argon2, checked against identity's rules (domain.password_problem) when set."""

from __future__ import annotations

import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.identity import domain
from shared.domain import Invalid


class Passwords:
    def __init__(self, time_cost: int = 3, memory_kib: int = 65536, common: frozenset[str] = frozenset()):
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        # Compared against when the email is unknown, so that both paths take the same time.
        self.dummy_hash = self.hasher.hash(uuid.uuid4().hex)
        self.common = common  # common passwords, lower case: refused as new passwords

    def check(self, password: str, *, email: str | None) -> None:
        """A new password follows the rules (422 naming `password` otherwise)."""
        problem = domain.password_problem(password, email=email, common=self.common)
        if problem:
            raise Invalid("password", problem)

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash or self.dummy_hash, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False
