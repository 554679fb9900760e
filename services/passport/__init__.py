"""Passport: passport types and their content, passports, self-assessment, learning, completion."""
