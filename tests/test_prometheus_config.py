"""docker/prometheus: the scrape config names every process compose runs, and promtool accepts the config
and the alert rules and passes the rules' unit tests (each alert firing, and staying quiet)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shared.config import SERVICE_PORTS, WEB_PORTS, WORKER_METRICS_PORT_OFFSET

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docker" / "prometheus"
MOUNTED_RULES = "/etc/prometheus/alerts.yml"  # where the container finds alerts.yml (README, "Monitoring")


def load(name: str) -> dict:
    return yaml.safe_load((FOLDER / name).read_text())


def targets(job: str) -> set[str]:
    [scrape] = [s for s in load("prometheus.yml")["scrape_configs"] if s["job_name"] == job]
    assert scrape.get("metrics_path", "/metrics") == "/metrics"
    return {target for group in scrape["static_configs"] for target in group["targets"]}


def test_every_web_process_and_every_worker_is_scraped_by_its_compose_name():
    assert targets("web") == {f"{service}-web:{port}" for service, port in WEB_PORTS.items()}
    assert targets("worker") == {
        f"{service}-worker:{port + WORKER_METRICS_PORT_OFFSET}" for service, port in SERVICE_PORTS.items()
    }
    compose_services = set(yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"])
    hosts = {target.split(":")[0] for target in targets("web") | targets("worker")}
    assert hosts <= compose_services, sorted(hosts - compose_services)


def test_the_rules_are_read_where_the_container_mounts_them():
    assert load("prometheus.yml")["rule_files"] == [MOUNTED_RULES]


def test_every_alert_has_unit_tests_that_see_it_fire_and_stay_quiet():
    alerts = {rule["alert"] for group in load("alerts.yml")["groups"] for rule in group["rules"] if "alert" in rule}
    checks = [check for test in load("alerts_test.yml")["tests"] for check in test.get("alert_rule_test", [])]
    fires = {check["alertname"] for check in checks if check.get("exp_alerts")}
    quiet = {check["alertname"] for check in checks if not check.get("exp_alerts")}
    assert alerts == {"DeadLettersPresent", "OutboxStuck", "WorkerHeartbeatStale", "TargetDown", "HttpErrorRateHigh"}
    assert fires == alerts
    assert quiet == alerts


@pytest.fixture
def promtool() -> str:
    found = shutil.which("promtool")
    if not found:  # CI installs it (.ci/run, Debian's `prometheus` package)
        pytest.skip("promtool is not installed here: apt-get install prometheus")
    return found


@pytest.fixture
def mounted(tmp_path) -> Path:
    """The folder as the container sees it: the config, with the rules beside it where it names them."""
    for name in ("prometheus.yml", "alerts.yml", "alerts_test.yml"):
        shutil.copy(FOLDER / name, tmp_path / name)
    config = tmp_path / "prometheus.yml"
    config.write_text(config.read_text().replace(MOUNTED_RULES, str(tmp_path / "alerts.yml")))
    return tmp_path


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result


def test_promtool_accepts_the_config(promtool, mounted):
    result = run([promtool, "check", "config", "prometheus.yml"], mounted)
    assert "1 rule files found" in result.stdout + result.stderr


def test_promtool_accepts_the_rules(promtool, mounted):
    result = run([promtool, "check", "rules", "alerts.yml"], mounted)
    assert "5 rules found" in result.stdout + result.stderr


def test_the_rules_pass_their_unit_tests(promtool, mounted):
    result = run([promtool, "test", "rules", "alerts_test.yml"], mounted)
    assert "SUCCESS" in result.stdout + result.stderr
