"""The certificate rules as pure functions."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.certificate import domain
from services.certificate.domain import CertificateSettings, Held
from shared.domain import Caller, Conflict, NotFound

T0 = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
TRUST = uuid.uuid4()


def caller(*roles, trust=TRUST, user=None):
    return Caller(user_id=user or uuid.uuid4(), trust_id=trust, roles=frozenset(roles))


@pytest.mark.parametrize(
    "start,months,expected",
    [
        (T0, 12, datetime(2027, 1, 31, 9, 30, tzinfo=UTC)),
        (T0, 1, datetime(2026, 2, 28, 9, 30, tzinfo=UTC)),  # February is shorter
        (datetime(2027, 12, 31, tzinfo=UTC), 2, datetime(2028, 2, 29, tzinfo=UTC)),  # leap year
        (datetime(2026, 11, 15, tzinfo=UTC), 3, datetime(2027, 2, 15, tzinfo=UTC)),
        (datetime(2026, 3, 10, tzinfo=UTC), 36, datetime(2029, 3, 10, tzinfo=UTC)),
    ],
)
def test_expiry_is_whole_calendar_months_later(start, months, expected):
    assert domain.add_months(start, months) == expected


def test_validity_is_12_months_unless_configured_per_type_or_overall():
    assert CertificateSettings.from_extra({}).expires_at("NRSS", T0) == datetime(2027, 1, 31, 9, 30, tzinfo=UTC)
    settings = CertificateSettings.from_extra(
        {
            "SKILLPASS_CERTIFICATE_VALIDITY_MONTHS": "24",
            "SKILLPASS_CERTIFICATE_VALIDITY_MONTHS_NRSS": "6",
            "SKILLPASS_CERTIFICATE_VALIDITY_MONTHS_ACCN_U12": "18",
        }
    )
    assert settings.validity_months("NRSS") == 6
    assert settings.validity_months("ACCN-U12") == 18  # '-' becomes '_' in the variable's name
    assert settings.validity_months("RSC") == 24
    assert domain.validity_setting_name("RNC-PCC") == "SKILLPASS_CERTIFICATE_VALIDITY_MONTHS_RNC_PCC"


@pytest.mark.parametrize("raw", ["twelve", "0", "-3", "1.5"])
def test_a_bad_validity_setting_is_refused_naming_it(raw):
    with pytest.raises(ValueError, match="SKILLPASS_CERTIFICATE_VALIDITY_MONTHS_RSC"):
        CertificateSettings.from_extra({"SKILLPASS_CERTIFICATE_VALIDITY_MONTHS_RSC": raw})


def test_the_expiry_sweep_interval_comes_from_the_settings_given_and_a_bad_one_is_refused():
    from services.certificate.service import SERVICE
    from shared.config import Settings

    [sweep] = SERVICE.periodic_jobs
    every = Settings.from_env("certificate", {"SKILLPASS_EXPIRY_SWEEP_SECONDS": "2.5"})
    assert sweep.interval(every) == 2.5
    assert sweep.interval(Settings.from_env("certificate", {})) == 60
    for raw in ("soon", "0", "-1"):
        with pytest.raises(ValueError, match="SKILLPASS_EXPIRY_SWEEP_SECONDS"):
            sweep.interval(Settings.from_env("certificate", {"SKILLPASS_EXPIRY_SWEEP_SECONDS": raw}))


def test_the_verify_url_is_under_the_public_base_url():
    certificate_id = uuid.uuid4()
    assert (
        CertificateSettings.from_extra({}).verify_url(certificate_id)
        == f"http://127.0.0.1:5007/certificates/{certificate_id}/verify"
    )
    public = CertificateSettings.from_extra({"SKILLPASS_PUBLIC_BASE_URL": "https://certs.example.nhs.uk/"})
    assert public.verify_url(certificate_id) == f"https://certs.example.nhs.uk/certificates/{certificate_id}/verify"


def test_a_valid_certificate_past_its_expiry_is_expired_before_the_sweep_marks_it():
    expires = T0 + timedelta(days=1)
    assert domain.status_at(domain.VALID, expires, T0) == domain.VALID
    assert domain.status_at(domain.VALID, expires, expires) == domain.EXPIRED
    assert domain.status_at(domain.REVOKED, expires, expires + timedelta(days=1)) == domain.REVOKED
    assert domain.status_at(domain.SUPERSEDED, expires, expires) == domain.SUPERSEDED


@pytest.mark.parametrize("status", [domain.REVOKED, domain.EXPIRED, domain.SUPERSEDED])
def test_only_a_valid_certificate_can_be_revoked(status):
    domain.check_revocable(domain.VALID)
    with pytest.raises(Conflict, match=status):
        domain.check_revocable(status)


def test_a_completion_overtaken_by_a_reopening_is_stale():
    assert not domain.is_stale_completion(T0, None)
    assert not domain.is_stale_completion(T0, T0 - timedelta(minutes=1))
    assert domain.is_stale_completion(T0, T0 + timedelta(minutes=1))


def test_a_newer_completion_supersedes_older_ones_and_an_older_one_arriving_late_is_born_superseded():
    old, older = Held(uuid.uuid4(), T0 - timedelta(days=300)), Held(uuid.uuid4(), T0 - timedelta(days=600))
    renewed = domain.renewal(T0, [old, older])
    assert sorted(renewed.supersedes) == sorted([old.certificate_id, older.certificate_id])
    assert renewed.superseded_by is None
    assert domain.renewal(T0, []) == domain.Renewal(supersedes=[], superseded_by=None)

    newer = Held(uuid.uuid4(), T0 + timedelta(days=1))
    late = domain.renewal(T0, [newer])
    assert late == domain.Renewal(supersedes=[], superseded_by=newer.certificate_id)


def test_staff_read_their_own_readers_their_trusts_and_another_trust_is_not_found():
    holder = caller("staff")
    assert domain.can_read(holder, holder.user_id, TRUST)
    assert not domain.can_read(holder, uuid.uuid4(), TRUST)
    for role in domain.READERS:
        assert domain.can_read(caller(role), uuid.uuid4(), TRUST)
        assert not domain.can_read(caller(role, trust=uuid.uuid4()), uuid.uuid4(), TRUST)
    with pytest.raises(NotFound):
        domain.check_can_read(caller("lead"), uuid.uuid4(), None, None)
