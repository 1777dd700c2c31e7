"""What an answer may use: a question's ``allow`` list, checked statically and enforced by the
sandbox.

A question declares the libraries its answers may import, for example ``allow=["numpy"]`` for
"implement Adagrad" or ``allow=["numpy", "torch", "d2l_opt.optim"]`` for the Fashion-MNIST
question. Two mechanisms hold answers to it:

* **Under bubblewrap** (:mod:`d2l_opt.grading.sandbox`), what is not allowed is absent from the
  child's file system: the folder of every restricted library (:data:`RESTRICTED_LIBRARIES`)
  that is not allowed holds only an ``__init__.py`` that raises ``ModuleNotFoundError``, and the
  ``d2l_opt`` folder holds only the modules of :func:`visible_modules` (the grading machinery,
  the test problems, the data loader, and what the question allows), not the rules, the torch
  optimizers, the trajectories, the conventions, the mistake catalogue or the public checks.
* **Everywhere** (the only guard without bubblewrap), :func:`scan` reads the code the grader
  runs for a question and flags imports of what is not allowed, dynamic imports and code
  execution (``__import__``, ``importlib.import_module``, ``exec``, ``eval``, ``compile``),
  reflection that reaches library files (``__file__``, ``sys.modules``, ``inspect``) and file
  reads whose arguments name library sources. A flagged question scores 0 with the reason in
  the report ("q1 uses torch.optim, which this question does not allow"). The public checks
  print the same warning in the student's notebook.

What remains possible: the static check reads code, it does not run it, so without bubblewrap a
determined student can still reach a library through means it does not recognise (names built
from pieces and looked up through objects the code already holds). Under bubblewrap the files
are not there to reach; an answer can still be computed by hand-copied code, which is what the
similarity report (:mod:`d2l_opt.grading.similarity`) is for.
"""

from __future__ import annotations

import ast
import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ALWAYS_VISIBLE",
    "RESTRICTED_LIBRARIES",
    "Finding",
    "PARSE_LOCK",
    "parse",
    "scan",
    "uses",
    "visible_modules",
]

#: Third-party libraries that can compute a reference answer; a question lists the ones it allows.
RESTRICTED_LIBRARIES = ("torch", "jax", "tensorflow", "optax", "d2l", "mxnet", "keras")

#: ``d2l_opt`` modules every child may import: the grading machinery a notebook's setup cell and
#: the grader's calls need, the test problems, the data loader and the language setting. None of
#: them computes an optimizer's step.
ALWAYS_VISIBLE = (
    "d2l_opt",
    "d2l_opt.i18n",
    "d2l_opt.problems",
    "d2l_opt.data",
    "d2l_opt.grading",
    "d2l_opt.grading.child",
    "d2l_opt.grading.wire",
    "d2l_opt.grading.spec",
    "d2l_opt.grading.helpers",
    "d2l_opt.grading.notebook",
    "d2l_opt.grading.submission",
    "d2l_opt.grading.messages",
    "d2l_opt.grading.public",
)

_PACKAGE = "d2l_opt"
_ALWAYS_LIBRARIES = ("numpy",)
_DYNAMIC_CALLS = {"__import__", "exec", "eval", "compile", "breakpoint"}
_REFLECTION_NAMES = {"__builtins__", "__loader__", "__spec__"}
_REFLECTION_ATTRS = {
    "__file__",
    "__loader__",
    "__spec__",
    "__path__",
    "import_module",
    "reload",
    "spec_from_file_location",
    "module_from_spec",
    "exec_module",
    "load_module",
    "SourceFileLoader",
    "getsource",
    "getsourcefile",
    "getfile",
}
_REFLECTION_MODULES = {"inspect", "runpy", "linecache", "sysconfig", "site", "builtins", "pkgutil"}
_READ_CALLS = {"open", "read_text", "read_bytes", "load", "loadtxt", "genfromtxt", "fromfile"}
_LIBRARY_PATH = re.compile(r"d2l_opt|torch|site-packages|dist-packages|\.py\b|sys\.path|\.git\b")


@dataclass(frozen=True)
class Finding:
    """One use of something a question does not allow; ``reason`` completes "q1 uses …"."""

    cell: int  # index into the scanned cells
    line: int
    reason: str

    def sentence(self, question: str) -> str:
        return f"{question} uses {self.reason}"


def _allowed(module: str, allow: Iterable[str]) -> bool:
    """Whether importing or using ``module`` (a dotted name) is allowed."""
    allow = set(allow) | set(_ALWAYS_LIBRARIES)
    top = module.split(".")[0]
    if top == _PACKAGE:
        resolved = _resolve(module)
        return resolved in ALWAYS_VISIBLE or _in_allow(resolved, allow)
    if top in RESTRICTED_LIBRARIES:
        return top in allow
    return top not in _REFLECTION_MODULES or top in allow


@functools.lru_cache(maxsize=1)
def _package_modules() -> tuple[frozenset[str], dict[str, str]]:
    """The package's module names, and the names ``d2l_opt`` re-exports lazily by module."""
    import d2l_opt

    root = Path(d2l_opt.__file__).resolve().parent
    names = frozenset(module_files(root))
    exports = {k: f"{_PACKAGE}.{v}" for k, v in d2l_opt._where().items()}
    return names, exports


def _resolve(name: str) -> str:
    """The module a ``d2l_opt`` dotted name lives in: ``d2l_opt.Adam`` → ``d2l_opt.rules``,
    ``d2l_opt.grading.checker`` → ``d2l_opt.grading``."""
    modules, exports = _package_modules()
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in exports:
        return exports[parts[1]]
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in modules:
            return prefix
    return _PACKAGE


def _what(module: str, allow: Iterable[str]) -> str:
    return f"{module}, which this question does not allow (it allows {', '.join(sorted(allow))})"


def scan(sources: list[str], allow: Iterable[str] | None) -> list[Finding]:
    """Flag what ``sources`` (code cells, IPython magics already removed) use beyond ``allow``.

    ``allow=None`` means the question has no restriction: nothing is flagged. Cells that do
    not parse are skipped (the child reports their syntax error)."""
    if allow is None:
        return []
    allow = list(allow)
    findings: list[Finding] = []
    for index, source in enumerate(sources):
        tree = _parse(source)
        if tree is None:
            continue
        findings += [Finding(index, line, reason) for line, reason in _scan_tree(tree, allow)]
    return findings


# CPython 3.11 before 3.11.8 keeps one AST recursion counter per interpreter, so two threads
# building syntax trees at once (the grader's --jobs workers, or a traceback's caret
# positions in the main thread) can fail with "AST constructor recursion depth mismatch".
# Every syntax tree the grader builds is built under this lock.
PARSE_LOCK = threading.RLock()


def parse(source: str) -> ast.Module:
    """``ast.parse(source)``, one thread at a time (see :data:`PARSE_LOCK`)."""
    with PARSE_LOCK:
        return ast.parse(source)


def _parse(source: str) -> ast.AST | None:
    """The syntax tree of ``source``, or None where it does not parse (too deep included)."""
    try:
        return parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, SystemError):
        return None


def _scan_tree(tree: ast.AST, allow: list[str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    modules: dict[str, str] = {}  # local name -> module it is bound to
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _allowed(alias.name, allow):
                    out.append((line, _what(alias.name, allow)))
                local = alias.asname or alias.name.split(".")[0]
                modules[local] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                out.append((line, "a relative import, which a notebook cell cannot need"))
                continue
            if not _allowed(base, allow):
                out.append((line, _what(base, allow)))
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                # `from d2l_opt import rules` imports a module; `from d2l_opt import Adam` a rule
                if not _allowed(full, allow):
                    out.append((line, _what(_short(full), allow)))
                modules[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node, modules)
            if dotted and _is_module_path(dotted) and not _allowed(dotted, allow):
                out.append((line, _what(_short(dotted), allow)))
            if node.attr in _REFLECTION_ATTRS:
                out.append((line, f"`{node.attr}`, which reaches library code by reflection"))
            if node.attr == "modules" and _dotted(node.value, modules) == "sys":
                out.append((line, "`sys.modules`, which reaches library code by reflection"))
        elif isinstance(node, ast.Name):
            if node.id in _DYNAMIC_CALLS:
                out.append((line, f"`{node.id}`, which runs code the grader cannot read"))
            elif node.id in _REFLECTION_NAMES:
                out.append((line, f"`{node.id}`, which reaches library code by reflection"))
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in _READ_CALLS:
                text = " ".join(ast.unparse(a) for a in [*node.args, *node.keywords])
                if isinstance(func, ast.Attribute):
                    text += " " + ast.unparse(func.value)
                if _LIBRARY_PATH.search(text):
                    out.append((line, "a read of library files, which this question does not "
                                      "allow"))  # fmt: skip
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value.strip()
            if re.fullmatch(r"[A-Za-z_][\w.]*", name) and _is_module_path(name):
                if not _allowed(name, allow):
                    out.append((line, _what(_short(name), allow)))
    unique: dict[tuple[int, str], None] = dict.fromkeys(out)
    return sorted(unique)


def _short(name: str) -> str:
    """The module a finding names: ``d2l_opt.rules`` for ``d2l_opt.Adam``, ``torch.optim`` for
    ``torch.optim.Adagrad``."""
    if name.split(".")[0] == _PACKAGE:
        return _resolve(name)
    return ".".join(name.split(".")[:2])


def _is_module_path(name: str) -> bool:
    top = name.split(".")[0]
    return top == _PACKAGE or top in RESTRICTED_LIBRARIES


def _dotted(node: ast.AST, modules: dict[str, str]) -> str | None:
    """``d.rules.Adagrad`` with ``import d2l_opt as d`` → ``d2l_opt.rules.Adagrad``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in modules:
        return None
    return ".".join([modules[node.id], *reversed(parts)])


def uses(value: object, namespace: dict, allow: Iterable[str]) -> list[str]:
    """What a student's function ``value`` uses beyond ``allow``, seen in the student's own
    kernel: its source (when IPython or a file keeps it) and the global names its code reads
    (``Adagrad`` bound by ``from d2l_opt.rules import Adagrad``, a ``torch`` module)."""
    import inspect
    import types

    if not isinstance(value, types.FunctionType):
        return []
    allow = list(allow)
    reasons: list[str] = []
    try:
        reasons += [f.reason for f in scan([inspect.getsource(value)], allow)]
    except (OSError, TypeError):
        pass
    codes, names = [value.__code__], set()
    while codes:
        code = codes.pop()
        names |= set(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    for name in sorted(names):
        bound = namespace.get(name)
        where = bound.__name__ if inspect.ismodule(bound) else getattr(bound, "__module__", None)
        if isinstance(where, str) and _is_module_path(where) and not _allowed(where, allow):
            reasons.append(_what(_short(where), allow))
    return list(dict.fromkeys(reasons))


# ---------------------------------------------------------------- the child's view of d2l_opt


def _imports_of(path: Path, package_root: Path) -> set[str]:
    """``d2l_opt`` modules that ``path`` imports at module level (lazy imports left out)."""
    tree = parse(path.read_text(encoding="utf-8"))
    module = _module_name(path, package_root)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == _PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != _PACKAGE:
                continue
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def _module_name(path: Path, package_root: Path) -> str:
    rel = path.relative_to(package_root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def module_files(package_root: Path) -> dict[str, Path]:
    """Every module of the package at ``package_root``, by dotted name."""
    return {_module_name(p, package_root): p for p in sorted(package_root.rglob("*.py"))}


def visible_modules(package_root: Path, allow: Iterable[str] | None) -> dict[str, Path]:
    """The modules of ``d2l_opt`` a child may see: :data:`ALWAYS_VISIBLE`, the allowed ones,
    their parent packages and everything they import at module level."""
    files = module_files(package_root)
    if allow is None:
        return files
    wanted = [m for m in files if m in ALWAYS_VISIBLE or _in_allow(m, allow)]
    seen: set[str] = set()
    while wanted:
        module = wanted.pop()
        if module in seen or module not in files:
            continue
        seen.add(module)
        parts = module.split(".")
        wanted += [".".join(parts[:i]) for i in range(1, len(parts))]
        wanted += [m for m in _imports_of(files[module], package_root) if m in files]
    return {m: files[m] for m in sorted(seen)}


def _in_allow(module: str, allow: Iterable[str]) -> bool:
    return any(module == a or module.startswith(a + ".") for a in allow)
