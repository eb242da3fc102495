"""System checks that keep the registry honest: `manage.py check` (and so the tests) fail when
a model holding personal data escapes it."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models

from officium.privacy import registry


@checks.register("privacy")
def check_registry(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for reg in registry.registrations():
        errors.extend(_unclassified_fields(reg))
    errors.extend(_unregistered_person_models())
    return errors


def _unclassified_fields(reg: registry.Registration) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for field in reg.model._meta.concrete_fields:
        if field.primary_key or field.name in reg.fields:
            continue
        errors.append(
            checks.Error(
                f"{reg.label}.{field.name} is not classified in the privacy registry.",
                hint="Give it a DPV pd: category, or NOT_PERSONAL.",
                obj=reg.model,
                id="privacy.E001",
            )
        )
    known = {f.name for f in reg.model._meta.concrete_fields}
    for name in reg.fields:
        if name not in known:
            errors.append(
                checks.Error(
                    f"{reg.label} classifies {name!r}, which is not a field of the model.",
                    obj=reg.model,
                    id="privacy.E002",
                )
            )
    return errors


def _unregistered_person_models() -> list[checks.CheckMessage]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if not model.__module__.startswith("officium."):
            continue
        if registry.registration_for(model) or registry.exemption_for(model):
            continue
        if model is user_model or _points_at(model, user_model):
            errors.append(
                checks.Error(
                    f"{model._meta.label} relates to a person but is neither registered with "
                    "the privacy registry nor exempt.",
                    hint="Decorate it with @personal_data(...) or @exempt(reason).",
                    obj=model,
                    id="privacy.E003",
                )
            )
    return errors


def _points_at(model: type[models.Model], target: type[models.Model]) -> bool:
    return any(
        field.is_relation and field.related_model is target
        for field in model._meta.concrete_fields
    )


@checks.register("privacy")
def check_policy_covers_registry(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every category a registered model holds must be declared by the active policy."""
    from officium.privacy.policy.loader import PolicyError, active_policy
    from officium.privacy.policy_runtime import term_covered

    try:
        policy = active_policy()
    except PolicyError as error:
        return [checks.Error(f"The active policy is invalid: {error}", id="privacy.E010")]
    declared = frozenset(c.term for c in policy.categories)
    collected = policy.collected_keys
    errors: list[checks.CheckMessage] = []
    for reg in registry.registrations():
        for field, term in reg.personal_fields(collected).items():
            if not term_covered(term, declared):
                errors.append(checks.Error(
                    f"{reg.label}.{field} holds {term}, a category the policy "
                    f"'{policy.profile}' does not declare.",
                    hint="Declare the category in the policy, or stop storing the field.",
                    obj=reg.model, id="privacy.E004"))
    return errors


@checks.register("privacy")
def check_policy_backed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """PV7: every purpose, category and recipient the active policy declares is backed by
    installed code (a registered model field, a declared processing, a recipient adapter)."""
    from officium.privacy import backing
    from officium.privacy.policy.loader import PolicyError, active_policy

    try:
        policy = active_policy()
    except PolicyError:
        return []  # check_policy_covers_registry reports it
    return [checks.Error(
        f"The policy '{policy.profile}' states something no installed code does: "
        f"{found.message}.",
        hint="Remove the statement from the policy, or install the code that implements it "
             "(an app declares it with privacy.backing.backs(...)).",
        id="privacy.E011") for found in backing.unbacked(policy)]
