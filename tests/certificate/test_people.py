"""Certificates name their holder by name and staff number, as identity's user.* events last told them."""

import uuid
from datetime import timedelta

from tests.certificate.conftest import now


def named(certificate):
    return certificate["staff_name"], certificate["staff_number"]


def test_the_list_and_a_single_certificate_carry_the_holder_s_name_and_staff_number(service):
    nurse, admin = service.person("staff", name=None), service.person("trust_admin")
    certificate = service.certified(nurse)
    assert named(certificate) == (None, None)  # identity's user event not here yet: issued all the same

    service.register(nurse, "Sam Okafor", staff_number="N7")
    [listed] = service.list(admin, staff_id=nurse.id)
    single = service.get(certificate["id"], admin).get_json()
    assert named(listed) == named(single) == ("Sam Okafor", "N7")
    assert listed["holder_name"] == "Sam Okafor" and listed["staff_id"] == str(nurse.id)


def test_the_newest_profile_wins_and_an_older_update_arriving_late_is_ignored(service):
    nurse = service.person("staff", name=None)
    certificate = service.certified(nurse)
    service.register(nurse, "Sam Okafor-Lee", event_type="user.updated", staff_number="N8")
    service.register(nurse, "Sam Okafor", at=now() - timedelta(days=1), staff_number="N7")  # registered, late
    service.register(nurse, "Sam Old", at=now() - timedelta(hours=1), event_type="user.updated", staff_number="N1")
    assert named(service.get(certificate["id"], nurse).get_json()) == ("Sam Okafor-Lee", "N8")


def test_the_same_profile_event_twice_applies_once(service):
    nurse = service.person("staff", name=None)
    certificate = service.certified(nurse)
    event_id = uuid.uuid4()
    assert service.register(nurse, "Sam Okafor", staff_number="N7", event_id=event_id) is True
    assert (
        service.register(nurse, "Someone Else", event_type="user.updated", staff_number="N9", event_id=event_id)
        is False
    )
    assert named(service.get(certificate["id"], nurse).get_json()) == ("Sam Okafor", "N7")
