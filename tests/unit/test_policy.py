"""The policy file validates at load, and a broken one names the bad key."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from shared.policy import DEFAULT_POLICY_PATH, PolicyError, load_policy


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_policy_loads_with_the_spec_defaults():
    policy = load_policy()
    assert policy.trial.length_days == 30
    assert policy.retention.deleted_after_days == 180
    assert policy.cancellation.notice_working_days == 10
    assert (policy.cancellation.holiday_country, policy.cancellation.holiday_subdivision) == ("DE", "BW")
    assert "catholic" in policy.support.holiday_categories
    assert policy.support.first_response_hours == {"urgent": 4, "high": 8, "normal": 16, "low": 40}
    assert len(policy.languages) == 12 and policy.fallback_language == "en"
    assert all(isinstance(e.monthly_price_per_user, Decimal) for e in policy.billing.editions.values())


@pytest.mark.parametrize(
    ("change", "bad_key"),
    [
        (("trial", "length_days", -1), "trial.length_days"),
        (("billing", "currency", "euro"), "billing.currency"),
        (
            ("support", "regions", {"DACH": {"time_zone": "Mars/Base", "opens": "10:00", "closes": "18:00"}}),
            "support.regions.DACH.time_zone",
        ),
        (("trial", "lenght_days", 30), "trial.lenght_days"),
    ],
)
def test_a_broken_policy_fails_naming_the_key(tmp_path, change, bad_key):
    import tomli_w

    raw = tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    section, key, value = change
    raw[section][key] = value
    path = _write(tmp_path, tomli_w.dumps(raw))
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert bad_key in str(error.value)


def test_a_policy_that_is_not_toml_fails_with_the_file_name(tmp_path):
    path = _write(tmp_path, "trial = [")
    with pytest.raises(PolicyError, match=r"policy\.toml"):
        load_policy(path)
