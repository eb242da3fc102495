"""Bulk deletion by primary keys, following foreign keys in set-based statements.

Django's ``QuerySet.delete()`` loads every row as a model instance to collect cascades; for
10,000 location rows that costs seconds. Here each relation costs one statement per chunk:
``SET_NULL`` is one UPDATE, ``CASCADE`` recurses by key, then one DELETE. Models that need
Django's collector (delete signals, multi-table inheritance, generic relations, PROTECT,
RESTRICT, SET_DEFAULT, SET()) are deleted through it, so behaviour stays Django's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, pre_delete


def reverse_relations(model: type[models.Model]) -> list[Any]:
    """Foreign keys pointing at ``model``, hidden ones (``related_name="+"``) included."""
    return [f for f in model._meta.get_fields(include_hidden=True)
            if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)]


_SIMPLE = (models.CASCADE, models.SET_NULL, models.DO_NOTHING)


def needs_collector(model: type[models.Model]) -> bool:
    return bool(
        pre_delete.has_listeners(model) or post_delete.has_listeners(model)
        or model._meta.parents or model._meta.private_fields
        or any(rel.on_delete not in _SIMPLE for rel in reverse_relations(model)))


def delete_rows(model: type[models.Model], rows: Any, _depth: int = 0) -> Counter[str]:
    """Delete ``rows`` of ``model`` (a queryset, or a list of primary keys) and what cascades;
    returns counts per model label. Call inside a transaction: the statements belong together.

    The rows are named by a subquery in every statement, never by a long list of parameters;
    a sliced queryset (``qs.order_by("pk")[:n]``) makes a chunk.
    """
    counts: Counter[str] = Counter()
    manager = model._base_manager
    keys = manager.filter(pk__in=rows) if isinstance(rows, list) else rows
    keys = keys.values("pk")
    if needs_collector(model) or _depth > 8:
        _, per_model = manager.filter(pk__in=list(keys.values_list("pk", flat=True))).delete()
        counts.update({label: n for label, n in per_model.items() if n})
        return counts
    for rel in reverse_relations(model):
        child, fk = rel.related_model, rel.field
        if rel.on_delete is models.SET_NULL:
            child._base_manager.filter(**{f"{fk.attname}__in": keys}).update(**{fk.attname: None})
        elif rel.on_delete is models.CASCADE:
            # Materialized: nesting subqueries level after level overflows SQLite's parser.
            # Cascades are small here (registered children are purged first, directly).
            dependants = list(child._base_manager.filter(**{f"{fk.attname}__in": keys})
                              .values_list("pk", flat=True))
            if dependants:
                counts.update(delete_rows(child, dependants, _depth + 1))
    deleted = manager.filter(pk__in=keys)._raw_delete(manager.db)
    if deleted:
        counts[model._meta.label] += deleted
    return counts
