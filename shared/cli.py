"""`skillpass`: the one command behind every process, in containers and in `make run` alike.

skillpass run                                 the whole local stack (make run)
skillpass <service> init                      migrations and one-off set-up, once
skillpass <service> web                       gunicorn serving the service's API
skillpass <service> worker                    outbox relay, event consumer, periodic jobs
skillpass <service> healthcheck web|worker    exit 0 when that process is healthy
skillpass <service> dead-letters list|replay  inspect and replay the service's dead-lettered events
skillpass <service> <command> ...             the service's own commands (see --help)
skillpass portal web                          the web front end (a web process only)
skillpass asyncapi [--output PATH | --check PATH]
                                              the AsyncAPI document of the events, from the catalogue
skillpass subscribers add NAME --trust ODS [--events PATTERN ...] [--json] | list [--json] | remove NAME
                                              broker accounts for outside systems: each reads only its
                                              Trust's public events (skillpass.public), via rabbitmqctl
skillpass backup DIR                          every service's database (pg_dump) and the broker's
                                              definitions (rabbitmqctl), with a manifest of checksums
skillpass restore DIR [--force]               check a backup's checksums and restore it into fresh
                                              databases and a fresh vhost
"""

from __future__ import annotations

import logging
import os
import sys
import urllib.request

from shared.config import PORTAL, WEB_PORTS

log = logging.getLogger("skillpass.cli")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if args[0] == "run":
        from shared.localstack import run_local_stack

        return run_local_stack()
    if args[0] == "asyncapi":
        return asyncapi_command(args[1:])
    if args[0] == "subscribers":  # broker only
        from shared.subscribers import subscribers_command

        return subscribers_command(args[1:])
    if args[0] in ("backup", "restore"):  # the servers' tools only: no service is loaded
        from shared.backup import backup_command, restore_command

        return (backup_command if args[0] == "backup" else restore_command)(args[1:])
    service, rest = args[0], args[1:]
    if service not in WEB_PORTS:
        print(f"skillpass: unknown service {service!r}; one of: {', '.join(WEB_PORTS)}", file=sys.stderr)
        return 2
    command = rest[0] if rest else "--help"
    if command == "healthcheck":  # cheap: runs every few seconds in containers
        return _healthcheck(service, rest[1:])
    if service == PORTAL:
        return _portal_command(command)
    if command == "dead-letters":  # broker only: works while the service's database is down
        from shared.dead_letters import dead_letters_command

        return dead_letters_command(service, rest[1:])
    from shared.service import Runtime, load_spec

    spec = load_spec(service)
    if command in ("-h", "--help"):
        print(f"skillpass {service} init|web|worker|healthcheck web|worker")
        print(f"skillpass {service} dead-letters list|replay: inspect and replay dead-lettered events")
        for name, (help_text, _) in sorted(spec.commands.items()):
            print(f"skillpass {service} {name}: {help_text}")
        return 0
    if command == "web":
        return _exec_gunicorn(service)

    from shared.logs import configure_logging

    runtime = Runtime(spec, retries_database=command == "worker")
    configure_logging(service, runtime.settings.log_level)
    if command == "init":
        return run_init(runtime)
    if command == "migrate":
        migrate(runtime)
        return 0
    if command == "worker":
        from shared.worker import run_worker

        return run_worker(runtime)
    if command in spec.commands:
        return spec.commands[command][1](runtime, rest[1:])
    print(f"skillpass: unknown command {command!r} for {service}; see `skillpass {service} --help`", file=sys.stderr)
    return 2


def migrate(runtime) -> None:
    from shared.migrations import upgrade

    upgrade(runtime.settings.database_url, runtime.spec.migrations)
    log.info("database migrated")


def run_init(runtime) -> int:
    migrate(runtime)
    for step in runtime.spec.init_steps:
        step(runtime)
    log.info("init complete")
    return 0


def asyncapi_command(args: list[str]) -> int:
    import argparse

    from shared.asyncapi import build_document, render_yaml

    parser = argparse.ArgumentParser(
        prog="skillpass asyncapi",
        description="The AsyncAPI 3 document of every event, generated from the event catalogue.",
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--output", metavar="PATH", help="write the document to PATH instead of printing it")
    target.add_argument("--check", metavar="PATH", help="exit 1 when PATH differs from the generated document")
    options = parser.parse_args(args)
    generated = render_yaml(build_document())
    if options.check:
        return _check_asyncapi(options.check, generated)
    if options.output:
        with open(options.output, "w", encoding="utf-8") as file:
            file.write(generated)
        return 0
    sys.stdout.write(generated)
    return 0


def _check_asyncapi(path: str, generated: str) -> int:
    import difflib

    try:
        with open(path, encoding="utf-8") as file:
            committed = file.read()
    except FileNotFoundError:
        committed = ""
    if committed == generated:
        return 0
    diff = difflib.unified_diff(
        committed.splitlines(keepends=True), generated.splitlines(keepends=True), fromfile=path, tofile="generated"
    )
    sys.stderr.writelines(diff)
    print(
        f"skillpass: {path} is out of date with the event catalogue; "
        f"regenerate it with `skillpass asyncapi --output {path}`",
        file=sys.stderr,
    )
    return 1


def _portal_command(command: str) -> int:
    if command == "web":
        return _exec_gunicorn(PORTAL, "services.portal.app:create_portal_app()")
    print(f"skillpass portal web|healthcheck web: the portal has a web process only (not {command!r})", file=sys.stderr)
    return 0 if command in ("-h", "--help") else 2


def _exec_gunicorn(service: str, app: str | None = None) -> int:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:shared.gunicorn_conf",
        app or f"shared.app:create_service_app({service!r})",
    ]
    os.environ.setdefault("PORT", str(WEB_PORTS[service]))
    os.environ["SKILLPASS_SERVICE"] = service
    os.execv(sys.executable, argv)
    return 1  # not reached


def _healthcheck(service: str, args: list[str]) -> int:
    kind = args[0] if args else "web"
    if kind == "worker":
        from shared.config import Settings
        from shared.worker import heartbeat_is_fresh

        return 0 if heartbeat_is_fresh(Settings.from_env(service).worker_heartbeat_file) else 1
    port = os.environ.get("PORT", str(WEB_PORTS[service]))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
