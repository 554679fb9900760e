from shared.events.catalogue import CATALOGUE, EventSpec, load_payload, serialise_payload, spec_for
from shared.events.envelope import CONTENT_TYPE, Event, MalformedEnvelope, make_envelope, parse_envelope

__all__ = [
    "CATALOGUE",
    "CONTENT_TYPE",
    "Event",
    "EventSpec",
    "MalformedEnvelope",
    "load_payload",
    "make_envelope",
    "parse_envelope",
    "serialise_payload",
    "spec_for",
]
