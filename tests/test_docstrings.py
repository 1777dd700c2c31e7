"""Every public name documents itself with a runnable example, and the examples run."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

MODULES = [
    "d2l_opt",
    "d2l_opt.rules",
    "d2l_opt.optim",
    "d2l_opt.ewma",
    "d2l_opt.problems",
    "d2l_opt.trajectory",
    "d2l_opt.conventions",
    "d2l_opt.i18n",
    "d2l_opt.plotting",
]
RULE_CLASSES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests_pass(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def public_objects():
    for name in MODULES[1:]:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{name}.{attr}", obj


@pytest.mark.parametrize("qualname,obj", list(public_objects()), ids=lambda x: str(x)[:50])
def test_public_functions_and_classes_have_examples(qualname, obj):
    doc = inspect.getdoc(obj) or ""
    if issubclass(obj, Exception) if inspect.isclass(obj) else False:
        assert doc, qualname
        return
    assert ">>>" in doc, f"{qualname} has no runnable example"


@pytest.mark.parametrize("module", ["d2l_opt.rules", "d2l_opt.optim"])
@pytest.mark.parametrize("cls", RULE_CLASSES)
def test_update_rules_state_their_math(module, cls):
    doc = inspect.getdoc(getattr(importlib.import_module(module), cls))
    assert ".. math::" in doc or ":math:" in doc
    assert ">>>" in doc


@pytest.mark.parametrize("cls", RULE_CLASSES)
def test_rule_methods_have_examples(cls):
    rule_cls = getattr(importlib.import_module("d2l_opt.rules"), cls)
    for method in ("init", "update", "replace", "hyperparameters"):
        assert ">>>" in (inspect.getdoc(getattr(rule_cls, method)) or ""), (cls, method)
