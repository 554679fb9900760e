"""The platform's part of a RabbitMQ broker's definitions, as `skillpass backup` keeps them.

`rabbitmqctl export_definitions` gives the whole broker (every vhost, every user). A backup keeps only
what belongs to the platform's vhost: its exchanges, queues, bindings, policies and vhost parameters,
and the accounts of outside systems made by `skillpass subscribers` (users tagged skillpass-subscriber
with permissions there: their password hashes, permissions and topic permissions). Other users, the
platform's own account among them, are left to whoever runs the broker: a restore never changes a
password it did not make. On restore the vhost is renamed to the one being restored into.
"""

from __future__ import annotations

from shared.subscribers import SUBSCRIBER_TAG

# The sections that each belong to one vhost (every row has a "vhost" key).
VHOST_SECTIONS = ("exchanges", "queues", "bindings", "policies", "parameters")


def _tags(user: dict) -> list[str]:
    tags = user.get("tags") or []
    return tags.split(",") if isinstance(tags, str) else list(tags)  # older brokers export "a,b"


def of_vhost(definitions: dict, vhost: str) -> dict:
    """The definitions of one vhost and its outside systems' accounts, out of a whole broker's."""
    permissions = [row for row in definitions.get("permissions", []) if row.get("vhost") == vhost]
    subscribers = {user["name"] for user in definitions.get("users", []) if SUBSCRIBER_TAG in _tags(user)}
    subscribers &= {row["user"] for row in permissions}
    kept = {
        section: [row for row in definitions.get(section, []) if row.get("vhost") == vhost]
        for section in VHOST_SECTIONS
    }
    kept["users"] = [user for user in definitions.get("users", []) if user["name"] in subscribers]
    kept["permissions"] = [row for row in permissions if row["user"] in subscribers]
    kept["topic_permissions"] = [
        row
        for row in definitions.get("topic_permissions", [])
        if row.get("vhost") == vhost and row["user"] in subscribers
    ]
    kept["rabbitmq_version"] = definitions.get("rabbitmq_version") or definitions.get("rabbit_version")
    return kept


def moved_to(definitions: dict, vhost: str) -> dict:
    """The same definitions on another vhost, ready for `rabbitmqctl import_definitions`."""
    moved = {
        section: [{**row, "vhost": vhost} for row in definitions.get(section, [])]
        for section in (*VHOST_SECTIONS, "permissions", "topic_permissions")
    }
    moved["users"] = list(definitions.get("users", []))
    moved["vhosts"] = [{"name": vhost}]
    return moved


def counts(definitions: dict) -> dict[str, int]:
    """How many of each kind, for the manifest and the restore's summary."""
    return {section: len(definitions.get(section, [])) for section in (*VHOST_SECTIONS, "users")}
