"""The GDPR parts registry: every domain's part is there once the app is built, in a fixed order."""

from __future__ import annotations

from typing import Any

import pytest

from accounts import gdpr


def test_the_app_registers_every_domains_part_in_priority_order(app: Any) -> None:
    names = [p.name for p in gdpr.parts()]
    assert names == ["memberships", "orders", "api_tokens", "contribution_choices", "followed_hubs"]
    erasers = [p.name for p in gdpr.parts() if p.erase is not None]
    assert erasers == ["memberships", "orders", "followed_hubs"]


def test_order_is_by_priority_then_name_whatever_the_registration_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gdpr, "_PARTS", {})
    calls: list[str] = []

    def part(name: str) -> Any:
        def erase(user: Any) -> dict[str, Any]:
            calls.append(name)
            return {name: True}

        return erase

    gdpr.register("late", priority=50, export=lambda u: "L", erase=part("late"))
    gdpr.register("b", priority=10, export=lambda u: "B", erase=part("b"), key="bee")
    gdpr.register("a", priority=10, erase=part("a"))
    gdpr.register("late", priority=5, export=lambda u: "L2", erase=part("late"))  # replaces

    assert list(gdpr.export_parts(object())) == ["late", "bee"]
    assert gdpr.export_parts(object())["late"] == "L2"
    assert gdpr.erase_parts(object()) == {"late": True, "a": True, "b": True}
    assert calls == ["late", "a", "b"]
