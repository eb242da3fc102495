"""No models: the app holds the shard-ready check and the conversion migrate runs (apps.py)."""
