"""Run the PWA's own modules under node, to hold them to the server's Python.

A test hands ``run`` a script body (an ES module that may ``import`` from ``PWA_SRC``) and a
JSON payload; the script reads the payload from ``input`` and ``print``s one JSON answer.
The modules are the ones the browser runs, unbundled: no copy to drift from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

PWA_SRC = (Path(__file__).resolve().parents[2] / "pwa" / "src").as_uri()

_PRELUDE = """
import { readFileSync } from 'node:fs';
const input = JSON.parse(readFileSync(0, 'utf8'));
const print = (value) => process.stdout.write(JSON.stringify(value));
"""


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not installed (the PWA's tooling needs it)")
    return found


def run(tmp_path: Path, script: str, payload: Any, timeout: float = 120) -> Any:
    source = tmp_path / "check.mjs"
    source.write_text(_PRELUDE + script.replace("PWA_SRC", PWA_SRC), encoding="utf-8")
    done = subprocess.run(
        [node(), str(source)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout,
        # The device's own zone must not matter: run it far from the calendars' zones.
        env={**os.environ, "TZ": "Pacific/Honolulu"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
