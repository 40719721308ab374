from __future__ import annotations
import pytest
from tests.scenarios.scaffolding import TEMPLATE_DIRS, open_form, state
from tests.scenarios.workspace import ALICE

@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_smoke(serve_greenroom, acme, tmp_path):
    ws = serve_greenroom(config={"scaffolder": {"template_dirs": TEMPLATE_DIRS}})
    view_id = open_form(ws, "python-library")
    view = ws.slack.view(view_id)
    print(ws.view_text(view))
    answer = ws.submit(view_id, state(view, name="ledger", description="Keeps the books."))
    print(answer)
    done = ws.wait_view(view_id, "is ready")
    print(ws.view_text(done))
    dm = ws.slack.wait_for("chat.postMessage")[0]
    print(ws.text(dm.args))
    print(ws.text(ws.ask("owner ledger")))
