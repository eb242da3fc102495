"""Field work: tasks, task entries, forms, bids, location requests."""
