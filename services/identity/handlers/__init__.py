"""Identity's commands, one module per concern: each takes a unit of work, applies the domain rules and
stages its events."""

from services.identity.handlers.accounts import (
    create_trust,
    create_user,
    current_caller_of,
    ensure_platform_admin,
    get_trust,
    get_user,
    list_trusts,
    list_users,
    update_user,
)
from services.identity.handlers.emails import EMAIL_BATCH, send_due_emails
from services.identity.handlers.importing import import_users
from services.identity.handlers.links import invite, link_details, request_password_reset, set_password_from_link
from services.identity.handlers.sign_in import WRONG_CREDENTIALS, issue_token

# Identity consumes no event: it is where Trusts and people start.
HANDLERS: dict = {}

__all__ = [
    "EMAIL_BATCH",
    "HANDLERS",
    "WRONG_CREDENTIALS",
    "create_trust",
    "create_user",
    "current_caller_of",
    "ensure_platform_admin",
    "get_trust",
    "get_user",
    "import_users",
    "invite",
    "issue_token",
    "link_details",
    "list_trusts",
    "list_users",
    "request_password_reset",
    "send_due_emails",
    "set_password_from_link",
    "update_user",
]
