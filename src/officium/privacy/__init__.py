"""The privacy engine: policy as code, registry, purpose-bound access, vault, audit, rights.

It imports nothing from the apps above it (accounts, attendance, portal, ...).
"""
