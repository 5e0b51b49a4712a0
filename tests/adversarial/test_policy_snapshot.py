"""The validated policy kept for cold starts (shared/snapshot.py): a cache that never decides anything.

Each test is an attempt to make a process use a policy it did not validate from the file beside it (a snapshot
of another policy file, of other models, a half-written or foreign file, a broken policy.toml hidden behind an
old snapshot) and the expected refusal: the file is validated afresh, with the same answer and the same errors.
One fresh interpreter checks the cut itself: with a current snapshot, no validator of the policy is built.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared.policy import (
    DEFAULT_POLICY_PATH,
    Policy,
    PolicyError,
    cached_policy,
    load_policy,
    policy_fingerprint,
    write_policy_snapshot,
)
from shared.snapshot import FORMAT, fingerprint, read_snapshot, write_snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    copy = tmp_path / "policy.toml"
    shutil.copyfile(DEFAULT_POLICY_PATH, copy)
    return copy


def _forged(policy: Policy) -> Policy:
    """The policy with a trial of one day: what an attacker's or a stale snapshot would hand out."""
    return policy.model_copy(update={"trial": policy.trial.model_copy(update={"length_days": 1})})


def test_a_snapshot_made_from_another_policy_file_is_not_used(policy_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(policy_file.read_text(encoding="utf-8") + "\n# another file\n", encoding="utf-8")
    snapshot = tmp_path / "policy.pickle"
    assert write_snapshot(snapshot, policy_fingerprint(other), _forged(load_policy(other)))

    assert cached_policy(policy_file, (snapshot,), None).trial.length_days == load_policy(policy_file).trial.length_days
    assert read_snapshot(snapshot, policy_fingerprint(policy_file)) is None


def test_a_snapshot_with_a_header_of_its_own_choosing_is_not_used(policy_file: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "policy.pickle"
    for header in ("", "0" * 64, policy_fingerprint(policy_file)[:-1], policy_fingerprint(policy_file).upper()):
        assert write_snapshot(snapshot, header, _forged(load_policy(policy_file)))
        assert cached_policy(policy_file, (snapshot,), None).trial.length_days > 1, header


def test_a_snapshot_of_other_models_or_another_pydantic_has_another_fingerprint(policy_file: Path) -> None:
    from pydantic.version import VERSION

    models = Path(sys.modules[Policy.__module__].__file__ or "").read_bytes()
    source = policy_file.read_bytes()
    assert policy_fingerprint(policy_file) == fingerprint(source, models, VERSION.encode())
    assert fingerprint(source, models + b"\n# changed", VERSION.encode()) != policy_fingerprint(policy_file)
    assert fingerprint(source, models, b"2.0.0") != policy_fingerprint(policy_file)
    # Length-prefixed: moving a byte from one source to the next is another fingerprint.
    assert fingerprint(b"ab", b"c") != fingerprint(b"a", b"bc")


def test_a_broken_policy_beside_an_old_snapshot_still_fails_naming_the_key(policy_file: Path, tmp_path: Path) -> None:
    snapshot = write_policy_snapshot(tmp_path / "policy.pickle", policy_file)
    policy_file.write_text(
        policy_file.read_text(encoding="utf-8").replace("length_days = 30", "length_days = -3"), encoding="utf-8"
    )
    with pytest.raises(PolicyError, match=r"trial\.length_days"):
        cached_policy(policy_file, (snapshot,), tmp_path / "local.pickle")
    assert not (tmp_path / "local.pickle").exists()


@pytest.mark.parametrize("payload", [b"", b"not a pickle", b"\x80\x05K", b"\x80\x05cshared.policy\nNoSuchModel\n."])
def test_a_half_written_or_foreign_snapshot_is_validated_afresh(
    policy_file: Path, tmp_path: Path, payload: bytes
) -> None:
    snapshot = tmp_path / "policy.pickle"
    snapshot.write_bytes(policy_fingerprint(policy_file).encode() + b"\n" + payload)
    assert cached_policy(policy_file, (snapshot,), None) == load_policy(policy_file)


def test_a_snapshot_of_something_else_than_a_policy_is_not_used(policy_file: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "policy.pickle"
    assert write_snapshot(snapshot, policy_fingerprint(policy_file), {"trial": {"length_days": 1}})
    assert cached_policy(policy_file, (snapshot,), None) == load_policy(policy_file)


def test_the_first_validation_is_kept_and_then_used(policy_file: Path, tmp_path: Path) -> None:
    local = tmp_path / "local" / "policy.pickle"
    first = cached_policy(policy_file, (tmp_path / "absent.pickle", local), local)
    assert local.read_bytes().startswith(policy_fingerprint(policy_file).encode() + b"\n")
    assert read_snapshot(local, policy_fingerprint(policy_file)) == first == load_policy(policy_file)


def test_a_folder_it_cannot_write_gets_no_snapshot_and_the_policy_still_loads(policy_file: Path, tmp_path: Path) -> None:
    # Stands for the Lambda's read-only code folder: the folder cannot be made, so nothing is written.
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert not write_snapshot(blocked / "policy.pickle", "x", 1)
    assert cached_policy(policy_file, (), blocked / "policy.pickle") == load_policy(policy_file)


def test_the_snapshot_format_is_named_in_every_fingerprint() -> None:
    assert fingerprint() != fingerprint(b"")
    assert FORMAT.startswith(b"cocoon-snapshot-")


def test_a_cold_start_with_a_current_snapshot_builds_no_policy_validator_and_gets_the_validated_policy() -> None:
    # Before: every cold start validated policy.toml, building the validators of its twenty models (~30-40 ms).
    code = (
        "import json\n"
        "from shared.policy import Policy, SupportRegion, get_policy, load_policy\n"
        "policy = get_policy()\n"
        "built = [Policy.__pydantic_complete__, SupportRegion.__pydantic_complete__]\n"
        "print(json.dumps({'built': built, 'same': policy == load_policy()}))\n"
    )
    env = dict(os.environ)
    for _ in range(2):  # the first run may have to write .local/'s snapshot; the second must use one
        answer = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=120)
        assert answer.returncode == 0, answer.stderr[-3000:]
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    assert result == {"built": [False, False], "same": True}
