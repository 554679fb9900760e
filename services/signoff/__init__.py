"""Sign-off: supervisors' decisions on each skill of a passport, requests for them, and the audit trail."""
