"""The plumbing every Skills Passports service stands on."""
