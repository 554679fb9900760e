"""The portal's pages, one blueprint per kind of user task."""

from services.portal.pages import (
    account,
    certificates,
    cohort,
    dashboard,
    measure_values,
    passports,
    plan,
    staff_admin,
    supervision,
)

BLUEPRINTS = [
    account.blueprint,
    passports.blueprint,
    supervision.blueprint,
    certificates.blueprint,
    staff_admin.blueprint,
    cohort.blueprint,
    plan.blueprint,
    dashboard.blueprint,
    measure_values.blueprint,
]
