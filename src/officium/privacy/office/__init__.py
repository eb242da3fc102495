"""The privacy office: the officer's registers and tools (audit log, data map and ROPA, breach
register, published aggregates), on the engine's records."""
