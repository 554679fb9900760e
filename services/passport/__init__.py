"""Passport types (domains, skills, learning resources; versioned), passports, self-assessment, learning
records and completion. The bundled content is illustrative sample content."""
