"""The engine stays a library: importing it (and running a decision) loads neither Flask nor click."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VALID = Path(__file__).parent / "policies" / "valid"


def test_engine_imports_no_flask_or_click() -> None:
    code = (
        "import sys, engine\n"
        f"p = engine.load_policy({str(VALID)!r})\n"
        "engine.decide(p, engine.Comment(text='you idiot'))\n"
        "print(sorted(m for m in ('flask', 'click', 'webhook', 'werkzeug') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
