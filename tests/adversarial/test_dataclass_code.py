"""The kept code of dataclasses (shared/dataclass_code.py): a compile cache that must never change a class.

Each test is an attempt to make a process run code that is not what `dataclasses` would have compiled for
the class at hand (a file of another Python, a damaged file, one text's code for another text, the
`__future__` flags of the module that compiles) and the expected refusal: it is not used, or the class
behaves exactly as without the cache. One fresh interpreter checks the cut: a second cold start of the app
compiles no dataclass method at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import marshal
import secrets
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared import dataclass_code
from shared.dataclass_code import HEADER, read_kept, write_kept
from tests.functional.helpers import fresh_interpreter

ROOT = Path(__file__).resolve().parents[2]


def fresh(code: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(fresh_interpreter(code))
    return result


@pytest.fixture
def hooked() -> object:
    """The hook as app.py installs it (shared/cold_start.py); nothing is read or saved by this one."""
    dataclass_code.install(files=())
    return dataclasses.__dict__["exec"]


def test_a_second_cold_start_of_the_app_compiles_no_dataclass_method() -> None:
    # Before: every cold start compiled each dataclass's methods afresh (~0.5 ms per frozen class).
    code = (
        "import json, dataclasses\n"
        "import app\n"
        "from shared import dataclass_code\n"
        "print(json.dumps({'compiled': dataclass_code.compiled_here(),"
        " 'hooked': dataclasses.exec is dataclass_code._cached_exec}))\n"
    )
    fresh(code)  # may compile and keep what is new (.local/)
    assert fresh(code) == {"compiled": 0, "hooked": True}


def test_a_second_cold_start_compiles_no_forward_reference_and_each_is_the_one_typing_makes() -> None:
    # Before: typing compiled the text of each of pydantic's ~970 string annotations on every cold start.
    code = (
        "import json, typing\n"
        "import app\n"
        "from shared import dataclass_code\n"
        "import pydantic.main\n"
        "from shared.contracts import TicketRequest\n"
        "import shared.policy\n"
        "served = {key: code for key, code in dataclass_code._kept.items() if key.startswith(b'eval\\0')}\n"
        "same = all(code == compile(key[5:].decode(), '<string>', 'eval', dont_inherit=True)"
        " for key, code in served.items())\n"
        "print(json.dumps({'compiled': dataclass_code.compiled_here(), 'served': len(served), 'same': same,"
        " 'hooked': typing.compile is dataclass_code._cached_compile}))\n"
    )
    fresh(code)
    result = fresh(code)
    assert result["compiled"] == 0 and result["hooked"] and result["same"]
    assert result["served"] > 150  # unique texts: many fields share one


def test_a_forward_reference_made_through_the_kept_code_means_what_its_text_says(hooked: object) -> None:
    refs = [typing.ForwardRef(text) for text in ("int | None", "list[str]", "dict[str, Decimal]", "int | None")]
    namespace = {"Decimal": Decimal}
    assert [typing._eval_type(ref, namespace, None) for ref in refs] == [  # type: ignore[attr-defined]
        int | None, list[str], dict[str, Decimal], int | None]
    # Another call of compile (not the one typing makes) is passed on, compiled as from typing's own frame.
    assert dataclass_code._cached_compile("x = 1", "<string>", "exec") == compile(
        "x = 1", "<string>", "exec", dont_inherit=True)
    with pytest.raises(SyntaxError):
        typing.ForwardRef("int |")


def _classes() -> list[type]:
    """Dataclasses of every kind the generator writes differently: defaults, factories, order, slots, kw_only."""

    @dataclasses.dataclass(frozen=True)
    class Plain:
        number: str
        amount: int = 0
        tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    @dataclasses.dataclass(frozen=True, order=True, slots=True)
    class Ordered:
        day: int
        label: str = "x"

    @dataclasses.dataclass(kw_only=True)
    class Mutable:
        name: str
        seen: list[int] = dataclasses.field(default_factory=list)

    return [Plain, Ordered, Mutable]


def _behaviour(classes: list[type]) -> dict[str, Any]:
    plain, ordered, mutable = classes
    first, second = plain("2026-000001", 5), plain("2026-000001", 5)
    frozen_refused = False
    try:
        first.amount = 6  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        frozen_refused = True
    made = mutable(name="a")
    made.seen.append(1)
    return {
        "repr": [repr(first), repr(ordered(3)), repr(made)],
        "equal": first == second and hash(first) == hash(second),
        "order": sorted([ordered(2, "b"), ordered(1, "c")]) == [ordered(1, "c"), ordered(2, "b")],
        "frozen": frozen_refused,
        "fresh_factory": mutable(name="b").seen == [],
        "signatures": [str(inspect.signature(cls)) for cls in classes],
        "init_annotations": [repr(cls.__init__.__annotations__.get("return")) for cls in classes],  # type: ignore[misc]
    }


def test_a_class_made_through_the_kept_code_behaves_as_one_compiled_afresh(hooked: object) -> None:
    assert hooked is dataclass_code._cached_exec
    cached = _behaviour(_classes())
    again = _behaviour(_classes())  # every text is now kept: the second set runs only kept code
    del vars(dataclasses)["exec"]
    try:
        compiled = _behaviour(_classes())
    finally:
        vars(dataclasses)["exec"] = hooked
    assert cached == again == compiled
    # Compiled as exec compiles a text: the return annotation is None, not the string a module's
    # `from __future__ import annotations` would have made of it.
    assert compiled["init_annotations"] == ["None", "None", "None"]


def test_one_texts_code_is_never_run_for_another_text(hooked: object) -> None:
    @dataclasses.dataclass(frozen=True)
    class Left:
        left: int

    @dataclasses.dataclass(frozen=True)
    class Right:
        right: int

    assert repr(Left(1)) == "test_one_texts_code_is_never_run_for_another_text.<locals>.Left(left=1)"
    assert repr(Right(2)) == "test_one_texts_code_is_never_run_for_another_text.<locals>.Right(right=2)"
    left: object = Left(1)
    assert left != Right(1)
    assert inspect.signature(Left).parameters.keys() == {"left"} and inspect.signature(Right).parameters.keys() == {
        "right"}


def test_a_file_of_another_python_is_not_used(tmp_path: Path) -> None:
    code = compile("x = 1", "<string>", "exec")
    other = tmp_path / "other.marshal"
    another_python = HEADER.split(b":")[0] + b":0d0d0a0d\n"
    other.write_bytes(another_python + marshal.dumps({b"k" * 32: marshal.dumps(code)}))
    assert read_kept(other) == {}
    assert write_kept(tmp_path / "ours.marshal", {b"k" * 32: marshal.dumps(code)})
    assert list(read_kept(tmp_path / "ours.marshal")) == [b"k" * 32]


@pytest.mark.parametrize("payload", [b"", b"\x00garbage", marshal.dumps([1, 2]), marshal.dumps({"text": 1}),
                                     marshal.dumps({b"k" * 32: compile("x = 1", "<string>", "exec")})])
def test_a_damaged_or_foreign_file_is_not_used(tmp_path: Path, payload: bytes) -> None:
    damaged = tmp_path / "damaged.marshal"
    damaged.write_bytes(HEADER + payload)
    assert read_kept(damaged) == {}


def _isolated_cache(monkeypatch: pytest.MonkeyPatch, stored: dict[bytes, bytes]) -> None:
    monkeypatch.setattr(dataclass_code, "_stored", stored)
    monkeypatch.setattr(dataclass_code, "_kept", {})
    monkeypatch.setattr(dataclass_code, "_compiled", [])


def test_the_files_code_is_loaded_only_when_a_class_runs_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # Loading all of a file's code at start-up cost every cold start ~9 ms for the few classes it makes.
    text = "def __create_fn__():\n    return 'compiled here'\n"
    key = hashlib.sha256(text.encode("utf-8")).digest()
    # A marker code for the text (not what it compiles to), to see which of the two runs.
    marker = compile("def __create_fn__():\n    return 'from the file'\n", "<string>", "exec", dont_inherit=True)
    other_text = hashlib.sha256(b"another class").digest()
    _isolated_cache(monkeypatch, {key: marshal.dumps(marker), other_text: b"\x00never loaded"})
    assert dataclass_code._kept == {}
    namespace: dict[str, Any] = {}
    dataclass_code._cached_exec(text, {}, namespace)
    assert namespace["__create_fn__"]() == "from the file"
    assert list(dataclass_code._kept) == [key] and dataclass_code.compiled_here() == 0


def test_an_entry_of_the_file_that_does_not_load_is_compiled_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "def __create_fn__():\n    return 'compiled here'\n"
    key = hashlib.sha256(text.encode("utf-8")).digest()
    for damaged in (b"\x00garbage", marshal.dumps(("not", "code"))):
        _isolated_cache(monkeypatch, {key: damaged})
        namespace: dict[str, Any] = {}
        dataclass_code._cached_exec(text, {"__name__": "shared.example"}, namespace)
        assert namespace["__create_fn__"]() == "compiled here"
        assert dataclass_code.compiled_here() == 1  # and saved again, mended, on exit


def test_a_folder_it_cannot_write_keeps_nothing_and_fails_no_one(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert not write_kept(blocked / "kept.marshal", {})


def test_a_test_modules_dataclass_is_compiled_but_never_kept_for_the_apps_cold_starts(hooked: object) -> None:
    # Else every test run would add its own classes to .local/'s file, which every cold start then loads.
    before = dataclass_code.compiled_here()

    @dataclasses.dataclass(frozen=True)
    class OnlyInThisTest:
        a_field_no_app_class_has: int

    assert OnlyInThisTest(1).a_field_no_app_class_has == 1
    assert dataclass_code.compiled_here() == before


# A dev tool's dataclass (its module is no test module), made in a process that imported app.py.
DEV_TOOL_CLASS = """
{first}
import json, dataclasses
import app
from shared import dataclass_code
before = set(dataclass_code._compiled)
namespace = {{"__name__": "devtool.rules", "dataclasses": dataclasses}}
exec("@dataclasses.dataclass(frozen=True)\\nclass Rule:\\n    a_field_of_{tag}: int\\n", namespace)
print(json.dumps([key.hex() for key in set(dataclass_code._compiled) - before]))
"""


def test_a_test_runners_dev_tools_classes_never_reach_the_cold_starts_file() -> None:
    # Before: the test runner's process kept the classes of every dev tool it loaded (cfn-lint, moto...), and
    # every local cold start read the 1.5 MB this grew to. A process of the app alone still keeps its own.
    tag = secrets.token_hex(6)  # a class no earlier run has kept
    runner = json.loads(fresh_interpreter(DEV_TOOL_CLASS.format(first="import pytest", tag=f"runner_{tag}")))
    alone = json.loads(fresh_interpreter(DEV_TOOL_CLASS.format(first="", tag=f"alone_{tag}")))
    assert runner and alone
    kept = read_kept(dataclass_code.LOCAL_FILE)
    assert not any(bytes.fromhex(key) in kept for key in runner)
    assert all(bytes.fromhex(key) in kept for key in alone)
