"""Deny by default, for every purpose-bound read: only members of a space see what is in it."""

from __future__ import annotations

from typing import Any

from django.db import models

from officium.privacy.access import AccessContext, add_rule


def _in_members_spaces(path: str) -> Any:
    def rule(context: AccessContext, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        return queryset.filter(**{f"{path}__members__membership": context.actor})

    return rule


def register() -> None:
    from officium.portal.models import File, Folder, Share, Upload

    add_rule(Folder, _in_members_spaces("space"))
    add_rule(File, _in_members_spaces("space"))
    add_rule(Share, _in_members_spaces("file__space"))

    def own_uploads(context: AccessContext, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        # An upload in progress is its uploader's alone, and only while they are in the space.
        return queryset.filter(uploaded_by_id=context.actor.user_id,
                               space__members__membership=context.actor)

    add_rule(Upload, own_uploads)
