import pytest

from shared.config import SERVICE_PORTS, Settings, database_url_for


def test_database_url_wins_over_the_server_url():
    env = {"DATABASE_URL": "postgresql://u:p@db:5432/own", "DATABASE_SERVER_URL": "postgresql://u:p@other:5432"}
    assert database_url_for("identity", env) == "postgresql+psycopg://u:p@db:5432/own"


def test_server_url_gives_each_service_its_own_database():
    env = {"DATABASE_SERVER_URL": "postgresql://u:p@db:5432/"}
    assert database_url_for("passport", env) == "postgresql+psycopg://u:p@db:5432/skillpass_passport"


def test_a_name_prefix_puts_several_platforms_on_one_server():
    env = {"DATABASE_SERVER_URL": "postgresql://u:p@db:5432", "DATABASE_NAME_PREFIX": "skillpass_restored_"}
    assert database_url_for("metrics", env) == "postgresql+psycopg://u:p@db:5432/skillpass_restored_metrics"


@pytest.mark.parametrize("prefix", ["with space_", 'quote"_', "1starts_with_a_digit", "x" * 42])
def test_a_database_name_prefix_is_letters_digits_and_underscores(prefix):
    with pytest.raises(ValueError, match="DATABASE_NAME_PREFIX"):
        database_url_for("identity", {"DATABASE_SERVER_URL": "postgresql://db:5432", "DATABASE_NAME_PREFIX": prefix})


def test_the_backup_tools_are_command_lines_with_local_defaults():
    assert (Settings.from_env("identity", {}).pg_dump, Settings.from_env("identity", {}).rabbitmqctl) == (
        "pg_dump",
        "rabbitmqctl",
    )
    settings = Settings.from_env(
        "identity",
        {
            "PG_DUMP": "docker compose exec -T postgres pg_dump",
            "PG_RESTORE": "/usr/lib/postgresql/16/bin/pg_restore",
            "PSQL": "psql16",
        },
    )
    assert (settings.pg_dump, settings.pg_restore, settings.psql) == (
        "docker compose exec -T postgres pg_dump",
        "/usr/lib/postgresql/16/bin/pg_restore",
        "psql16",
    )


def test_sqlite_file_per_service_by_default(tmp_path):
    url = database_url_for("identity", {"SKILLPASS_DATA_DIR": str(tmp_path)})
    assert url == f"sqlite:///{tmp_path / 'identity.db'}"


def test_defaults_are_local_and_ports_follow_the_design():
    settings = Settings.from_env("certificate", {})
    assert settings.port == 5004
    assert settings.amqp_url.startswith("amqp://guest:guest@127.0.0.1:5672")
    assert settings.token_ttl_seconds == 3600


def test_a_bad_number_names_the_variable():
    with pytest.raises(ValueError, match="WEB_WORKERS"):
        Settings.from_env("identity", {"WEB_WORKERS": "two"})


def test_a_worker_serves_its_metrics_beside_its_web_port_unless_told_otherwise():
    assert Settings.from_env("identity", {}).worker_metrics_port == 6001
    assert Settings.from_env("metrics", {}).worker_metrics_port == 6006
    assert Settings.from_env("passport", {"PORT": "7002"}).worker_metrics_port == 8002
    assert Settings.from_env("passport", {"WORKER_METRICS_PORT": "9100"}).worker_metrics_port == 9100
    assert Settings.from_env("passport", {"WORKER_METRICS_PORT": "0"}).worker_metrics_port == 0  # off
    with pytest.raises(ValueError, match="WORKER_METRICS_PORT"):
        Settings.from_env("passport", {"WORKER_METRICS_PORT": "70000"})


def test_metrics_bind_to_the_web_host_and_gather_in_the_given_directory():
    assert Settings.from_env("identity", {}).web_host == "127.0.0.1"
    assert Settings.from_env("identity", {"WEB_HOST": "0.0.0.0"}).web_host == "0.0.0.0"
    assert Settings.from_env("identity", {}).prometheus_multiproc_dir == ""
    assert Settings.from_env("identity", {"PROMETHEUS_MULTIPROC_DIR": "/run/m"}).prometheus_multiproc_dir == "/run/m"


def test_make_run_gives_each_worker_a_metrics_port_of_its_own():
    from shared.localstack import service_environment

    ports = {service: service_environment(service, {})["WORKER_METRICS_PORT"] for service in SERVICE_PORTS}
    assert ports == {service: str(port + 1000) for service, port in SERVICE_PORTS.items()}
    # Moved with the web port, or named for the one service; a single WORKER_METRICS_PORT cannot serve them all.
    assert service_environment("signoff", {"SIGNOFF_PORT": "7003"})["WORKER_METRICS_PORT"] == "8003"
    assert service_environment("signoff", {"SIGNOFF_WORKER_METRICS_PORT": "9103"})["WORKER_METRICS_PORT"] == "9103"
    assert service_environment("signoff", {"WORKER_METRICS_PORT": "9999"})["WORKER_METRICS_PORT"] == "6003"
    assert service_environment("signoff", {"WORKER_METRICS_PORT": "0"})["WORKER_METRICS_PORT"] == "0"
    assert "WORKER_METRICS_PORT" not in service_environment("portal", {})  # the portal has no worker
