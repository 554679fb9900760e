"""The portal's pages, one blueprint per kind of user task."""
from services.portal.pages import account, certificates, passports, supervision

BLUEPRINTS = [account.blueprint, passports.blueprint, supervision.blueprint, certificates.blueprint]
