"""Trusts, users and roles; issues the bearer tokens every other service verifies."""
