"""The Skills Passports services, one package each."""
