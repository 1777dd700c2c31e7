"""What Python declares for the static figures equals what the JS module holds (run under node).

``d2l_opt/static/adaptive_steps.js`` exposes ``version`` and ``RULE_DEFAULTS`` on its module
object (``module.exports`` under node, ``window.AdaptiveSteps`` in a browser). The rules'
defaults are those of the rule classes themselves (:mod:`d2l_opt.rules`), so a default changed
on one side only fails here; the version is :data:`d2l_opt.widgets.VERSION`.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from d2l_opt import __version__, rules, widgets

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

DUMP = r"""
const AS = require(process.argv[1]);
process.stdout.write(JSON.stringify({version: AS.version, ruleDefaults: AS.RULE_DEFAULTS}));
"""


@pytest.fixture(scope="module")
def js():
    script = str(widgets.STATIC_DIR / "adaptive_steps.js")
    result = subprocess.run(
        [NODE, "-e", DUMP, script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_js_module_reports_the_python_version(js):
    assert widgets.VERSION == __version__
    assert js["version"] == widgets.VERSION


def test_every_rule_default_is_the_same_on_both_sides(js):
    assert set(js["ruleDefaults"]) == set(rules.RULES)
    for name, cls in rules.RULES.items():
        want = widgets.rule_spec(cls())
        assert want.pop("type") == name
        assert js["ruleDefaults"][name] == want, name


def test_the_js_builds_the_explorer_rules_from_the_settings_python_declares():
    # optimizerSpec(name, settings) may read only lr and RULE_SETTINGS, and reads all of them
    settings = {"lr": 0.1, **widgets.RULE_SETTINGS}
    code = (
        "const AS = require(process.argv[1]); const read = new Set();"
        f"const s = new Proxy({json.dumps(settings)}, "
        "{get(t, k) { read.add(k); return t[k]; }});"
        f"for (const n of {json.dumps(list(widgets.OPTIMIZERS))}) AS.optimizerSpec(n, s);"
        "process.stdout.write(JSON.stringify([...read]));"
    )
    script = str(widgets.STATIC_DIR / "adaptive_steps.js")
    result = subprocess.run(
        [NODE, "-e", code, script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == set(settings)
