"""The published language: the words every service, the event catalogue (shared/events/catalogue.py) and the
portal must agree on, defined once. Plain Python, so that pure domain modules may import it.

Events carry these words; a service that owns a rule (who may sign off, what a certificate's standing is)
enforces it, and the sets of roles below are the one statement of who may do what, which the portal also
reads so that it offers only what the service will allow.
"""

from __future__ import annotations

# --- Roles (identity assigns them; every service authorizes by them) ----------------------------------
STAFF, SUPERVISOR, EDUCATOR, LEAD, WORKFORCE = "staff", "supervisor", "educator", "lead", "workforce"
TRUST_ADMIN, PLATFORM_ADMIN = "trust_admin", "platform_admin"
ROLES = (STAFF, SUPERVISOR, EDUCATOR, LEAD, WORKFORCE, TRUST_ADMIN, PLATFORM_ADMIN)

# --- Codes (Trust ODS codes, passport type codes, skill codes) ------------------------------------------


def code_pattern(min_length: int = 1, max_length: int | None = None) -> str:
    """The regular expression of a code: upper-case letters, digits, '-' and '.', led by a letter or digit, so
    that it is safe in a URL; of any length unless bounded."""
    repeat = "*" if max_length is None else f"{{{min_length - 1},{max_length - 1}}}"
    return f"^[A-Z0-9][A-Z0-9.-]{repeat}$"


# --- Passports (passport.*) ---------------------------------------------------------------------------
IN_PROGRESS, COMPLETED, WITHDRAWN = "in_progress", "completed", "withdrawn"
PASSPORT_STATUSES = (IN_PROGRESS, COMPLETED, WITHDRAWN)
# The passport types the platform is installed with (the toolkit's; services/passport/content holds each one's
# domains and skills, and a test keeps the two in step). Trusts may add their own.
BUNDLED_PASSPORT_TYPES = ("ACCN-12P", "ACCN-U12", "NRSS", "RNC-PCC", "RSC", "SOC-U12")
# A self-assessment's levels, lowest first.
LEVELS = ("none", "training_needed", "supervised", "independent")
LEARNING_KINDS = ("elearning", "face_to_face")
LEARNING_STEPS = ("planned", "attended", "completed")

# --- Sign-off decisions (signoff.*) -------------------------------------------------------------------
PROFICIENT, NOT_YET = "proficient", "not_yet"
OUTCOMES = (PROFICIENT, NOT_YET)

# --- Certificates (certificate.*) ----------------------------------------------------------------------
VALID, REVOKED, EXPIRED, SUPERSEDED = "valid", "revoked", "expired", "superseded"
CERTIFICATE_STATUSES = (VALID, REVOKED, EXPIRED, SUPERSEDED)

# --- The roster (roster.updated) ----------------------------------------------------------------------
ELIGIBLE, INELIGIBLE = "eligible", "ineligible"
ROSTER_STATUSES = (ELIGIBLE, INELIGIBLE)
# Why an entry stands as it does: a certificate, or its end, or the person's leaving.
CERTIFIED, LEFT = "certified", "left"
ROSTER_REASONS = (CERTIFIED, REVOKED, EXPIRED, LEFT)

# --- Plans' measures (measure.defined) ----------------------------------------------------------------
MEASURE_KINDS = ("outcome", "process")
MAX_MEASURES = 6
# The metrics that are a ratio of two counts (shown as percentages).
COMPLETION_RATE, ATTENDED_VS_PLANNED = "completion_rate", "learning_attended_vs_planned"
RATIOS = (COMPLETION_RATE, ATTENDED_VS_PLANNED)
# What a series' values are: what happened in each period, the running total at each period's end, a ratio at
# each period's end, or values people entered (metrics' series and measures).
PERIOD, CUMULATIVE, RATIO, ENTERED = "period", "cumulative", "ratio", "entered"
# The platform's own figures a measure can be bound to: planning offers them, metrics computes them.
METRICS = ("started", "completed", "certified", COMPLETION_RATE, "self_assessed", "signed_off", ATTENDED_VS_PLANNED)

# --- Who may do what, by service --------------------------------------------------------------------------
PASSPORT_READERS = (SUPERVISOR, EDUCATOR, LEAD, WORKFORCE, TRUST_ADMIN)
PASSPORT_ASSIGNERS = (LEAD, EDUCATOR, TRUST_ADMIN)
SIGNOFF_SIGNERS = (SUPERVISOR, EDUCATOR)
SIGNOFF_REVOKERS = (SUPERVISOR, LEAD, TRUST_ADMIN)
SIGNOFF_READERS = (SUPERVISOR, EDUCATOR, LEAD, WORKFORCE, TRUST_ADMIN)
CERTIFICATE_READERS = (LEAD, WORKFORCE, TRUST_ADMIN, SUPERVISOR, EDUCATOR)
CERTIFICATE_REVOKERS = (TRUST_ADMIN, LEAD)
PLAN_WRITERS = (LEAD, TRUST_ADMIN)
PLAN_READERS = (*PLAN_WRITERS, WORKFORCE, EDUCATOR)
ROSTER_READERS = (LEAD, WORKFORCE, TRUST_ADMIN)
DASHBOARD_READERS = (LEAD, WORKFORCE, TRUST_ADMIN)
USAGE_EXPORTERS = (TRUST_ADMIN,)
VALUE_ENTERERS = (LEAD, WORKFORCE)
