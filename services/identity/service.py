"""The identity service: what it serves, publishes and runs at start-up."""

from __future__ import annotations

import getpass
import logging

from services.identity import domain, handlers
from services.identity.components import keyring, mailer, passwords
from services.identity.models import SigningKey
from shared import signing
from shared.service import PeriodicJob, Runtime, service_package

log = logging.getLogger(__name__)
# How often the worker looks for emails to send: an invitation arrives within seconds.
EMAIL_POLL_SECONDS = 2.0


def install_signing_key(runtime: Runtime) -> None:
    signing.install_signing_key(runtime, SigningKey, runtime.settings.extra.get("IDENTITY_SIGNING_KEY"))


def create_startup_admin(runtime: Runtime) -> None:
    extra = runtime.settings.extra
    email, password = extra.get("SKILLPASS_ADMIN_EMAIL"), extra.get("SKILLPASS_ADMIN_PASSWORD")
    if not (email and password):
        return
    _create_admin(runtime, email, password)


def _create_admin(runtime: Runtime, email: str, password: str) -> bool:
    with runtime.unit_of_work() as uow:
        user = handlers.ensure_platform_admin(uow, email, password, passwords(runtime), name="Platform admin")
    if user:
        log.info("platform admin created", extra={"user_id": str(user.id)})
    else:
        log.info("platform admin already exists", extra={"email": email})
    return user is not None


def create_admin_command(runtime: Runtime, args: list[str]) -> int:
    """skillpass identity create-admin EMAIL (password from SKILLPASS_ADMIN_PASSWORD or a prompt)."""
    if len(args) != 1:
        print("usage: skillpass identity create-admin EMAIL")
        return 2
    password = runtime.settings.extra.get("SKILLPASS_ADMIN_PASSWORD") or getpass.getpass("Password for the new admin: ")
    problem = domain.password_problem(password, email=args[0], common=passwords(runtime).common)
    if problem:
        print(problem)
        return 2
    created = _create_admin(runtime, args[0], password)
    print("created" if created else "a user with this email already exists; nothing changed")
    return 0


def rotate_key_command(runtime: Runtime, args: list[str]) -> int:
    """skillpass identity rotate-key: new tokens are signed with a new key; old tokens still verify."""
    with runtime.unit_of_work() as uow:
        kid = signing.rotate(uow.session, SigningKey)
        uow.commit()
    print(f"new signing key {kid}; restart identity's web processes to sign with it")
    return 0


def send_emails(runtime: Runtime) -> None:
    """Send what is due, batch after batch; nothing to do when identity sends no email (no SMTP_URL)."""
    outgoing = mailer(runtime)
    if outgoing is None:
        return
    while True:
        with runtime.unit_of_work() as uow:
            tried = handlers.send_due_emails(uow, outgoing)
        if tried < handlers.EMAIL_BATCH:
            return


def load_current_caller(runtime: Runtime, caller):
    with runtime.unit_of_work() as uow:
        return handlers.current_caller_of(uow, caller)


SERVICE = service_package(
    __name__,
    title="Skills Passports — identity",
    periodic_jobs=[PeriodicJob("send-emails", EMAIL_POLL_SECONDS, send_emails)],
    init_steps=[install_signing_key, create_startup_admin],
    commands={
        "create-admin": ("create a platform admin", create_admin_command),
        "rotate-key": ("generate a new token signing key", rotate_key_command),
    },
    key_resolver=keyring,
    caller_loader=load_current_caller,
)
