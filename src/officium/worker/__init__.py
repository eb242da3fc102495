"""`officium worker`: queued tasks and the periodic scheduler in one process."""
