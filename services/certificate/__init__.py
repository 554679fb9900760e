"""Certificate: verifiable certificates for completed passports, their PDFs, revocation and expiry."""
