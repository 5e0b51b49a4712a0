"""The cold Lambda's boundary: a first request must not pay for what it does not use.

Each test is an attempt to make a fresh interpreter do work its request never needs (one more botocore
client per item type, every country's holiday calendar, the billing rules to queue a mail, a validator
for every contract model) and the expected refusal: it does not happen. Each runs in a fresh
interpreter (the cold start is the thing under test), in the test stage's environment.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.functional.helpers import FIRST_STRANGER_TICKET, fresh_interpreter

ROOT = Path(__file__).resolve().parents[2]


def fresh(code: str) -> str:
    """Run `code` in a fresh interpreter in the project root; its last printed line."""
    return fresh_interpreter(code)


def test_a_web_form_ticket_touching_several_item_types_creates_one_dynamodb_client(db: str) -> None:
    # A stranger's ticket reads a rate counter (a transaction), looks the address up (a query) and answers:
    # before, each item type and the transactions brought their own botocore session and client (~90 ms each).
    printed = fresh(
        "import json, botocore.session\n"
        "made = []\n"
        "original = botocore.session.Session.create_client\n"
        "def counting(self, service, *args, **kwargs):\n"
        "    made.append(service)\n"
        "    return original(self, service, *args, **kwargs)\n"
        "botocore.session.Session.create_client = counting\n"
        + FIRST_STRANGER_TICKET
        + "print(json.dumps({'status': answer.status_code, 'clients': made}))\n"
    )
    result = json.loads(printed)
    assert result["status"] < 500
    assert result["clients"] == ["dynamodb"]


def test_a_support_due_time_loads_no_other_countrys_holidays() -> None:
    # The library's way (a process without a current holiday table, shared/holiday_snapshot.py): with one, a due
    # time imports no `holidays` at all (tests/adversarial/test_holiday_snapshot.py).
    printed = fresh(
        "import sys\n"
        "import shared.derived as derived\n"
        "derived.seed_policy_holidays = lambda: False\n"
        "from datetime import datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "from shared.policy import get_policy\n"
        "from shared.services.support.clock import first_response_due\n"
        "policy = get_policy()\n"
        "for region in policy.support.regions:\n"
        "    first_response_due(datetime(2026, 5, 4, 8, tzinfo=ZoneInfo('UTC')), 'normal', region, policy)\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries.')))\n"
    )
    assert printed == "['holidays.countries.germany']"


def test_a_first_due_time_imports_no_billing_rule() -> None:
    # A ticket's due time takes its calendar from shared/derived.py, which imported the billing terms and the
    # parties for the billing terms it also derives (~1.5 ms of every first ticket).
    printed = fresh(
        "import sys\n"
        "from datetime import datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "from shared.policy import get_policy\n"
        "from shared.services.support.clock import first_response_due\n"
        "policy = get_policy()\n"
        "first_response_due(datetime(2026, 5, 4, 8, tzinfo=ZoneInfo('UTC')), 'normal', 'DACH', policy)\n"
        "print(sorted(m for m in sys.modules if m.startswith('shared.rules.billing')))\n"
    )
    assert printed == "[]"


def test_queueing_a_mail_does_not_import_the_billing_rules() -> None:
    printed = fresh(
        "import sys\n"
        "import shared.storage.outbox, shared.storage.tickets, shared.storage.accounts\n"
        "print(sorted(m for m in sys.modules if m.startswith('shared.rules.billing')))\n"
    )
    assert printed == "[]"


def test_importing_the_contract_builds_no_validator_until_one_is_used_and_it_still_refuses() -> None:
    printed = fresh(
        "import json\n"
        "from pydantic import ValidationError\n"
        "import shared.contracts as contracts\n"
        "built = [name for name, value in vars(contracts).items()\n"
        "         if isinstance(value, type) and issubclass(value, contracts.BaseModel)\n"
        "         and value.__module__ == contracts.__name__ and value.__pydantic_complete__]\n"
        "try:\n"
        "    contracts.TicketRequest.model_validate({'email': 'not an address', 'subject': 's', 'description': 'd'})\n"
        "    refused = []\n"
        "except ValidationError as error:\n"
        "    refused = [str(part['loc'][0]) for part in error.errors()]\n"
        "print(json.dumps({'built_at_import': built, 'refused': refused,\n"
        "                  'ticket_built': contracts.TicketRequest.__pydantic_complete__}))\n"
    )
    result = json.loads(printed)
    assert result["built_at_import"] == []
    assert result["refused"] == ["email"]
    assert result["ticket_built"] is True


def test_importing_the_app_walks_its_own_modules_with_no_garbage_collection_and_collects_afterwards() -> None:
    # Importing the app leaves no garbage, yet the collector walked its objects ~140 times (two full
    # passes) on a first signup: ~100 ms of CPU. The attempt: count collections while app.py's imports run.
    printed = fresh(
        "import gc, json, sys\n"
        "passes = []\n"
        "def counting(phase, info):\n"
        "    if phase == 'start' and 'chalice.app' in sys.modules:  # once app.py runs, not while it compiles\n"
        "        passes.append(info['generation'])\n"
        "gc.callbacks.append(counting)\n"
        "import app\n"
        "during = list(passes)\n"
        "garbage = [[]]\n"
        "garbage[0].append(garbage)\n"
        "del garbage\n"
        "found = gc.collect()\n"
        "print(json.dumps({'during_import': during, 'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count(),\n"
        "                  'collected_after': found}))\n"
    )
    result = json.loads(printed)
    assert result["during_import"] == []
    assert result["enabled"] is True
    assert result["frozen"] > 10_000
    assert result["collected_after"] >= 1


def test_a_first_signup_and_web_form_ticket_import_no_billing_rule_beyond_month_keys_and_terms(db: str) -> None:
    # The attempt: a signup's search key and a ticket mail's lookup key need one month key, the support
    # calendar's terms need two small modules; the billing package's __init__ used to import every rule
    # (drafts, documents, seats, history, VAT: 13-26 ms of a cold signup).
    printed = fresh(
        "import json, sys\n"
        "from chalice.test import Client\n"
        "import app\n"
        "signup = {'company_name': 'Kalt GmbH', 'organization_type': 'company', 'country': 'DE',\n"
        "          'vat_id': 'DE136695976', 'admin_name': 'Erika Mustermann', 'admin_email': 'kalt@beispiel.example',\n"
        "          'language': 'de', 'accept_dpa': True, 'street': 'Hauptstraße 5', 'postcode': '70173',\n"
        "          'city': 'Stuttgart'}\n"
        "ticket = {'email': 'stranger@beispiel.example', 'subject': 'Export', 'description': 'fails'}\n"
        "headers = {'Content-Type': 'application/json', 'X-Cocoon-Now': '2026-05-04T10:00:00+02:00'}\n"
        "with Client(app.app, stage_name='test') as client:\n"
        "    signed = client.http.post('/signup', body=json.dumps(signup), headers=headers).status_code\n"
        "    opened = client.http.post('/tickets', body=json.dumps(ticket), headers=headers).status_code\n"
        "print(json.dumps({'answers': [signed, opened],\n"
        "                  'billing': sorted(m for m in sys.modules if m.startswith('shared.rules.billing.'))}))\n"
    )
    result = json.loads(printed)
    assert result["answers"][0] == 202 and result["answers"][1] < 500
    assert set(result["billing"]) <= {"shared.rules.billing.months", "shared.rules.billing.parties",
                                      "shared.rules.billing.terms"}, result["billing"]


def test_every_public_billing_name_still_imports_from_the_package_and_from_its_own_module() -> None:
    # The lazy package must not lose a name: each one the type checker sees is mapped to the module it
    # comes from, and `from shared.rules.billing import X` still gives exactly that module's X.
    import ast
    import importlib

    import shared.rules.billing as billing

    source = ast.parse((ROOT / "shared/rules/billing/__init__.py").read_text(encoding="utf-8"))
    checked = {
        alias.asname or alias.name: node.module
        for node in ast.walk(source)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("shared.rules.billing.")
        for alias in node.names
    }
    assert checked and set(checked) == set(billing.__all__)
    for name, module in checked.items():
        assert getattr(billing, name) is getattr(importlib.import_module(module), name), name


def test_the_dynamodb_client_reads_no_other_services_data_nor_botocores_full_endpoints_file(db: str) -> None:
    # The attempt: the first DynamoDB request makes botocore walk every service's folder and parse the
    # 1.2 MB endpoints.json of every service (~30 ms of a cold start). The refusal: the client's loader
    # searches only our small folder, never botocore's own data, and the request still answers.
    printed = fresh(
        "import json, botocore.loaders\n"
        "loaded = []\n"
        "original = botocore.loaders.JSONFileLoader.load_file\n"
        "def recording(self, path):\n"
        "    loaded.append(path)\n"
        "    return original(self, path)\n"
        "botocore.loaders.JSONFileLoader.load_file = recording\n"
        "from shared.storage.models import Account\n"
        "found = list(Account.query('ACCOUNT#nobody'))\n"
        "builtin = botocore.loaders.Loader.BUILTIN_DATA_PATH\n"
        "print(json.dumps({'found': len(found), 'builtin': [p for p in loaded if p.startswith(builtin)],\n"
        "                  'loaded': len(loaded)}))\n"
    )
    result = json.loads(printed)
    assert result["found"] == 0
    assert result["loaded"] >= 3
    assert result["builtin"] == []


def test_a_stale_or_foreign_botocore_data_folder_is_not_used_and_the_client_still_answers(
    db: str, tmp_path: Path
) -> None:
    # The attempt: a folder left by another botocore version (here with an endpoints file that would break
    # the client) sits where the packaged one goes. The refusal: its version stamp differs, it is ignored.
    stale = tmp_path / "botocore_dynamodb"
    stale.mkdir()
    (stale / "BOTOCORE_VERSION").write_text("0.0.1", encoding="utf-8")
    (stale / "endpoints.json").write_text("{not json", encoding="utf-8")
    printed = fresh(
        "import json\n"
        "from pathlib import Path\n"
        "import shared.storage.botocore_data as data\n"
        f"data.PACKAGED_FOLDER = Path({str(stale)!r})\n"
        f"data.LOCAL_FOLDER = Path({str(tmp_path / 'local' / 'botocore_dynamodb')!r})\n"
        "from shared.storage.models import Account\n"
        "found = list(Account.query('ACCOUNT#nobody'))\n"
        "loader = Account._get_connection().connection.client._loader\n"
        "print(json.dumps({'found': len(found), 'paths': loader.search_paths}))\n"
    )
    result = json.loads(printed)
    assert result["found"] == 0
    assert result["paths"] == [str(tmp_path / "local" / "botocore_dynamodb")]  # rebuilt, not the stale one


MAIL_CONTEXT = (
    "{'subject': 'Export & Co', 'requester_name': 'Müller & Söhne', 'number': 'T-1', 'tag': '[#T-1]',\n"
    " 'support_hours': 'h', 'first_response_due': '2026-05-04 10:00 CEST', 'support_time_zone': 'Europe/Berlin',\n"
    " 'missing': [], 'vague_subject': False}"
)


def render_in_fresh_interpreter(cache_folder: Path, template_root: Path | None = None) -> dict[str, object]:
    """One ticket acknowledgement rendered by a fresh interpreter; how many texts Jinja compiled for it."""
    override = f"os.environ['COCOON_MAIL_TEMPLATES'] = {str(template_root)!r}\n" if template_root else ""
    return dict(json.loads(fresh(
        "import json, os, jinja2\n"
        f"{override}"
        "from pathlib import Path\n"
        "try:\n"  # the old code had no cache: the attempt then meets its compiler every time
        "    import shared.mail.bytecode as bytecode\n"
        f"    bytecode.PACKAGED_FOLDER = Path({str(cache_folder / 'absent')!r})\n"
        f"    bytecode.LOCAL_FOLDER = Path({str(cache_folder)!r})\n"
        "except ImportError:\n"
        "    pass\n"
        "compiled = []\n"
        "original = jinja2.Environment.compile\n"
        "def counting(self, *args, **kwargs):\n"
        "    compiled.append(1)\n"
        "    return original(self, *args, **kwargs)\n"
        "jinja2.Environment.compile = counting\n"
        "from shared.mail.render import render_mail\n"
        f"mail = render_mail('ticket_acknowledgement', 'de', {MAIL_CONTEXT}, fallback_language='en')\n"
        "print(json.dumps({'compiled': len(compiled), 'subject': mail.subject, 'body': mail.body_text}))\n"
    )))


def test_a_second_cold_start_compiles_no_mail_template_and_renders_the_same_unescaped_text(tmp_path: Path) -> None:
    # The attempt: every cold Lambda parses and compiles the subject and body of its first mail again
    # (~8 ms of a first ticket's CPU). The refusal: a run before left their code; the text is identical.
    first = render_in_fresh_interpreter(tmp_path / "cache")
    second = render_in_fresh_interpreter(tmp_path / "cache")
    assert first["compiled"] == 2
    assert second["compiled"] == 0
    assert second["subject"] == first["subject"] and second["body"] == first["body"]
    assert "Müller & Söhne" in str(second["body"])  # plain-text mail: still not HTML-escaped


def test_an_edited_mail_template_is_compiled_afresh_never_served_from_the_cache(tmp_path: Path) -> None:
    # The attempt: the cache holds yesterday's body; today's template says something else.
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "shared/templates/mail", templates)
    render_in_fresh_interpreter(tmp_path / "cache", templates)
    edited = templates / "de" / "ticket_acknowledgement.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Ihr Cocoon-Support", "Ihr neues Team"),
                      encoding="utf-8")
    again = render_in_fresh_interpreter(tmp_path / "cache", templates)
    assert again["compiled"] == 1  # the subject is unchanged and comes from the cache; the body is new
    assert "Ihr neues Team" in str(again["body"]) and "Ihr Cocoon-Support" not in str(again["body"])


def test_a_first_request_does_not_search_the_installed_packages_for_pydantic_plugins(db: str) -> None:
    # Before: the first validator pydantic built scanned every installed distribution's entry points for
    # plugins (~5-12 ms); Cocoon uses none, and chalice.json's PYDANTIC_DISABLE_PLUGINS says so.
    printed = fresh(
        "import json, importlib.metadata\n"
        "asked = []\n"
        "original = importlib.metadata.entry_points\n"
        "def recording(**params):\n"
        "    asked.append(params.get('group'))\n"
        "    return original(**params)\n"
        "importlib.metadata.entry_points = recording\n"
        "from chalice.test import Client\n"
        "import app\n"
        "body = {'email': 'plugins@beispiel.example', 'subject': 'Export', 'description': 'fails'}\n"
        "with Client(app.app, stage_name='test') as client:\n"
        "    answer = client.http.post('/tickets', body=json.dumps(body), headers={'Content-Type': 'application/json',\n"
        "                              'X-Cocoon-Now': '2026-05-05T10:00:00+02:00'})\n"
        "print(json.dumps({'status': answer.status_code, 'asked': asked}))\n"
    )
    result = json.loads(printed)
    assert result["status"] == 403  # validated (a stranger's address is refused after its body is checked)
    assert "pydantic" not in result["asked"]


def test_a_first_signup_loads_no_babel_locale_to_check_its_country(db: str) -> None:
    # Before: the country check read Babel's English territory names (~25 ms): now a constant of the same codes.
    printed = fresh(
        "import json, babel.localedata\n"
        "loaded = []\n"
        "original = babel.localedata.load\n"
        "def recording(name, *args, **kwargs):\n"
        "    loaded.append(name)\n"
        "    return original(name, *args, **kwargs)\n"
        "babel.localedata.load = recording\n"
        "from shared.contracts import SignupRequest\n"
        "fields = {'company_name': 'Kalt GmbH', 'organization_type': 'company', 'country': 'at',\n"
        "          'admin_name': 'Erika', 'admin_email': 'erika@beispiel.example', 'language': 'de', 'accept_dpa': True}\n"
        "accepted = SignupRequest.model_validate(fields).country\n"
        "try:\n"
        "    SignupRequest.model_validate({**fields, 'country': 'QQ'})\n"
        "    refused = False\n"
        "except ValueError:\n"
        "    refused = True\n"
        "print(json.dumps({'country': accepted, 'refused': refused, 'loaded': loaded}))\n"
    )
    result = json.loads(printed)
    assert result["country"] == "AT" and result["refused"] is True
    assert "en" not in result["loaded"]


def test_a_first_signup_and_web_form_ticket_create_only_their_own_contracts_models(db: str) -> None:
    # Before: the first request to name one contract model created all fifty classes (~15-20 ms).
    printed = fresh(
        "import json, sys\n"
        "from chalice.test import Client\n"
        "import app\n"
        "body = {'email': 'contracts@beispiel.example', 'subject': 'Export', 'description': 'fails'}\n"
        "with Client(app.app, stage_name='test') as client:\n"
        "    answer = client.http.post('/tickets', body=json.dumps(body), headers={'Content-Type': 'application/json',\n"
        "                              'X-Cocoon-Now': '2026-05-06T10:00:00+02:00'})\n"
        "loaded = sorted(name for name in sys.modules if name.startswith('shared.contracts.'))\n"
        "print(json.dumps({'status': answer.status_code, 'loaded': loaded}))\n"
    )
    result = json.loads(printed)
    assert result["status"] == 403  # a stranger's address, refused after its body was validated
    assert set(result["loaded"]) <= {"shared.contracts.base", "shared.contracts.email_address",
                                     "shared.contracts.support", "shared.contracts.errors"}
    assert "shared.contracts.support" in result["loaded"]
