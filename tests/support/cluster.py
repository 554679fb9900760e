"""A three-node RabbitMQ cluster on this machine, for the tests: each node with a name, ports and data folder of
its own, beside (never touching) the broker the other tests use.

The nodes run the installed `rabbitmq-server` (Debian's, which runs it as the `rabbitmq` user when started by
root, so the data folders are given to that user) and are joined with `rabbitmqctl join_cluster`. Their ports
are taken below the range the kernel hands out to outgoing connections, so that no client socket of another
test can hold one when a node starts.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.support.stack import Process, eventually

NODE_PORTS = range(20000, 32000)  # below net.ipv4.ip_local_port_range's usual start (32768)


def _free_fixed_port(taken: set[int]) -> int:
    for port in random.sample(NODE_PORTS, 200):
        if port in taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError("no free port for a RabbitMQ node")


@dataclass
class Node:
    name: str  # the Erlang node name, e.g. skillpass-test-1a2b3c-a@localhost
    amqp_port: int
    dist_port: int
    folder: Path
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}//"


class RabbitCluster:
    def __init__(self, size: int = 3):
        self.folder = Path(tempfile.mkdtemp(prefix="skillpass-cluster-"))
        self._give_to_rabbitmq(self.folder)
        run = os.urandom(3).hex()
        taken: set[int] = set()
        self.nodes = [
            Node(
                f"skillpass-test-{run}-{letter}@localhost",
                _free_fixed_port(taken),
                _free_fixed_port(taken),
                self.folder / letter,
            )
            for letter in "abcdefg"[:size]
        ]
        self.stopped: set[str] = set()

    @property
    def url(self) -> str:
        """AMQP_URL for the services: every node, `;` between them (kombu fails over in turn)."""
        return ";".join(node.url for node in self.nodes)

    def start(self) -> None:
        for node in self.nodes:
            self._start_node(node)
        for node in self.nodes:
            self._wait_until_up(node)
        first, *others = self.nodes
        for node in others:
            self.ctl(node, "stop_app")
            self.ctl(node, "reset")
            self.ctl(node, "join_cluster", first.name)
            self.ctl(node, "start_app", timeout=180)
        eventually(
            lambda: self.running_nodes(first),
            lambda running: running == {n.name for n in self.nodes},
            timeout=60,
            interval=0.5,
        )

    def _start_node(self, node: Node) -> None:
        node.folder.mkdir()
        plugins = node.folder / "enabled_plugins"
        plugins.write_text("[].\n")  # no management plugin: its port would clash with the other nodes'
        self._give_to_rabbitmq(node.folder, plugins)
        env = {
            **os.environ,
            "RABBITMQ_NODENAME": node.name,
            "RABBITMQ_NODE_PORT": str(node.amqp_port),
            "RABBITMQ_DIST_PORT": str(node.dist_port),
            "RABBITMQ_MNESIA_BASE": str(node.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(node.folder / "log"),
            "RABBITMQ_PID_FILE": str(node.folder / "rabbitmq.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins),
            "RABBITMQ_CONFIG_FILE": str(node.folder / "none"),  # the defaults, not the machine's broker's config
        }
        node.process = Process(node.name.split("@")[0], ["rabbitmq-server"], env, self.folder)

    def _wait_until_up(self, node: Node) -> None:
        """await_startup, once the node has come far enough to be asked (before that it says it is not running)."""

        def started() -> bool:
            assert node.process.popen.poll() is None, f"{node.name} exited:\n{node.process.tail(40)}"
            asked = subprocess.run(
                ["rabbitmqctl", "-n", node.name, "await_startup", "--timeout", "60"],
                capture_output=True,
                text=True,
                timeout=90,
            )
            return asked.returncode == 0

        eventually(started, bool, timeout=240, interval=1)

    def ctl(self, node: Node, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            ["rabbitmqctl", "-n", node.name, *args], capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, f"rabbitmqctl -n {node.name} {' '.join(args)}: {result.stderr}{result.stdout}"
        return result.stdout

    def running_nodes(self, via: Node) -> set[str]:
        out = self.ctl(via, "eval", "rabbit_nodes:all_running().")
        return {name.strip(" []'\n") for name in out.split(",") if name.strip(" []'\n")}

    def queues(self) -> dict[str, dict]:
        """Each queue of the cluster: its type, leader and members, as a running node reports them."""
        via = next(node for node in self.nodes if node.name not in self.stopped)
        out = self.ctl(via, "list_queues", "--quiet", "--no-table-headers", "name", "type", "leader", "members")
        queues = {}
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) >= 4:
                name, kind, leader, members = parts[:4]
                queues[name] = {
                    "type": kind,
                    "leader": leader,
                    "members": {m.strip(" []'\"") for m in members.split(",") if m.strip(" []'\"")},
                }
        return queues

    def busiest_leader(self) -> Node:
        """The node that leads the most queues."""
        counts = Counter(queue["leader"] for queue in self.queues().values())
        name = counts.most_common(1)[0][0]
        return next(node for node in self.nodes if node.name == name)

    def connections_to(self, node: Node) -> int:
        """How many client connections the node holds."""
        out = self.ctl(node, "list_connections", "--quiet", "--no-table-headers", "pid")
        return sum(1 for line in out.splitlines() if node.name in line)  # a pid names its node: <name.1.2.3>

    def stop_node(self, node: Node) -> None:
        self.ctl(node, "stop", timeout=180)
        self.stopped.add(node.name)

    def stop(self) -> None:
        for node in self.nodes:
            if node.name not in self.stopped:
                subprocess.run(["rabbitmqctl", "-n", node.name, "stop"], capture_output=True, timeout=180)
            if node.process:
                node.process.stop(timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def _give_to_rabbitmq(*paths: Path) -> None:
        """Debian's rabbitmq-server, started by root, runs as the rabbitmq user: it must be able to write here."""
        if os.geteuid() != 0:
            return
        try:
            account = pwd.getpwnam("rabbitmq")
        except KeyError:
            return
        for path in paths:
            os.chown(path, account.pw_uid, account.pw_gid)
