"""The registry's system checks fail the build when personal data escapes it: an unclassified
field (E001), a classified name that is no field (E002), a model related to a user that is
neither registered nor exempt (E003), a category the active policy does not declare (E004)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

from officium.privacy import checks, registry
from officium.privacy.registry import NOT_PERSONAL, Registration


def ids(messages) -> list[str]:
    return [m.id for m in messages]


@isolate_apps("officium.privacy")
def test_unclassified_field_is_an_error():
    class Visit(models.Model):  # noqa: DJ008
        user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        note = models.CharField(max_length=50)

        class Meta:
            app_label = "privacy"

    reg = Registration(model=Visit, subject="user", fields={"user": NOT_PERSONAL})
    errors = checks._unclassified_fields(reg)
    assert ids(errors) == ["privacy.E001"] and "Visit.note" in errors[0].msg

    complete = Registration(model=Visit, subject="user",
                            fields={"user": NOT_PERSONAL, "note": "pd:Communication"})
    assert checks._unclassified_fields(complete) == []

    stale = Registration(model=Visit, subject="user",
                         fields={"user": NOT_PERSONAL, "note": "pd:Communication", "gone": "pd:Name"})
    assert ids(checks._unclassified_fields(stale)) == ["privacy.E002"]


@isolate_apps("officium.privacy")
def test_unregistered_model_related_to_a_user_is_an_error(monkeypatch):
    from officium.accounts.models import User

    class Diary(models.Model):  # noqa: DJ008
        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "privacy"

    class Weather(models.Model):  # noqa: DJ008
        city = models.CharField(max_length=50)

        class Meta:
            app_label = "privacy"

    for model in (Diary, Weather):  # the check looks at the project's own modules only
        model.__module__ = "officium.diaries.models"
    from django.apps import apps as real_apps

    models_now = real_apps.get_models()
    monkeypatch.setattr(checks.apps, "get_models", lambda: [*models_now, Diary, Weather])
    errors = checks._unregistered_person_models()
    assert ids(errors) == ["privacy.E003"] and "Diary" in errors[0].msg

    monkeypatch.setitem(registry._registry.exemptions, Diary,
                        registry.Exemption(model=Diary, reason="ids only"))
    assert checks._unregistered_person_models() == []


def test_exemption_needs_a_reason():
    with pytest.raises(ValueError, match="needs a reason"):
        registry.exempt("  ")(type("Anything", (), {}))


@isolate_apps("officium.privacy")
def test_category_the_policy_does_not_declare_is_an_error(monkeypatch):
    class Prayer(models.Model):  # noqa: DJ008
        user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        belief = models.CharField(max_length=50)

        class Meta:
            app_label = "privacy"

    monkeypatch.setitem(registry._registry.registrations, Prayer, Registration(
        model=Prayer, subject="user", fields={"user": NOT_PERSONAL, "belief": "pd:Religion"}))
    errors = [e for e in checks.check_policy_covers_registry() if e.obj is Prayer]
    assert ids(errors) == ["privacy.E004"]
    assert "pd:Religion" in errors[0].msg and "officeportal" in errors[0].msg


def test_shipped_models_pass_every_check():
    """What `officium manage check` runs: the project's own models are all accounted for."""
    assert checks.check_registry() == []
    assert checks.check_policy_covers_registry() == []
