from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _convert(sender: AppConfig, using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    # Only around a migrate run (flush sends post_migrate too, without a plan), once per run.
    if plan is None or sender.name != ShardConfig.name:
        return
    from officium.shard.convert import make_shard_ready

    make_shard_ready(connections[using])


class ShardConfig(AppConfig):
    name = "officium.shard"
    label = "shard"
    verbose_name = "Shard-ready schema"

    def ready(self) -> None:
        from officium.shard.checks import check_shard_ready

        checks.register(check_shard_ready, "shard", checks.Tags.database, deploy=True)
        pre_migrate.connect(_convert, dispatch_uid="officium.shard.pre_migrate")
        post_migrate.connect(_convert, dispatch_uid="officium.shard.post_migrate")
