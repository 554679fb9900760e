import pytest

from shared.config import Settings, database_url_for


def test_database_url_wins_over_the_server_url():
    env = {"DATABASE_URL": "postgresql://u:p@db:5432/own", "DATABASE_SERVER_URL": "postgresql://u:p@other:5432"}
    assert database_url_for("identity", env) == "postgresql+psycopg://u:p@db:5432/own"


def test_server_url_gives_each_service_its_own_database():
    env = {"DATABASE_SERVER_URL": "postgresql://u:p@db:5432/"}
    assert database_url_for("passport", env) == "postgresql+psycopg://u:p@db:5432/skillpass_passport"


def test_a_name_prefix_puts_several_platforms_on_one_server():
    env = {"DATABASE_SERVER_URL": "postgresql://u:p@db:5432", "DATABASE_NAME_PREFIX": "skillpass_restored_"}
    assert database_url_for("metrics", env) == "postgresql+psycopg://u:p@db:5432/skillpass_restored_metrics"


@pytest.mark.parametrize("prefix", ["with space_", "quote\"_", "1starts_with_a_digit", "x" * 42])
def test_a_database_name_prefix_is_letters_digits_and_underscores(prefix):
    with pytest.raises(ValueError, match="DATABASE_NAME_PREFIX"):
        database_url_for("identity", {"DATABASE_SERVER_URL": "postgresql://db:5432", "DATABASE_NAME_PREFIX": prefix})


def test_the_backup_tools_are_command_lines_with_local_defaults():
    assert (Settings.from_env("identity", {}).pg_dump, Settings.from_env("identity", {}).rabbitmqctl) == ("pg_dump", "rabbitmqctl")
    settings = Settings.from_env("identity", {"PG_DUMP": "docker compose exec -T postgres pg_dump",
                                              "PG_RESTORE": "/usr/lib/postgresql/16/bin/pg_restore", "PSQL": "psql16"})
    assert (settings.pg_dump, settings.pg_restore, settings.psql) == (
        "docker compose exec -T postgres pg_dump", "/usr/lib/postgresql/16/bin/pg_restore", "psql16")


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
