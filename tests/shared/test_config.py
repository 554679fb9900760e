import pytest

from shared.config import Settings, database_url_for


def test_database_url_wins_over_the_server_url():
    env = {"DATABASE_URL": "postgresql://u:p@db:5432/own", "DATABASE_SERVER_URL": "postgresql://u:p@other:5432"}
    assert database_url_for("identity", env) == "postgresql+psycopg://u:p@db:5432/own"


def test_server_url_gives_each_service_its_own_database():
    env = {"DATABASE_SERVER_URL": "postgresql://u:p@db:5432/"}
    assert database_url_for("passport", env) == "postgresql+psycopg://u:p@db:5432/skillpass_passport"


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
