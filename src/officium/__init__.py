"""Officium: a privacy-first workplace platform whose privacy notice is executable."""
