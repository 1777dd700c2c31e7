"""Copy the book's front-end assets from node_modules into _extra/vendor/.

Jupyter Book v1 pages load MathJax, RequireJS and the Jupyter widgets HTML manager from
CDNs by default, so a reader without network sees raw TeX and no widgets. We install
them from the npm registry (package.json + package-lock.json) and publish them with the
book through Sphinx's ``html_extra_path`` (``_extra/``). ``_static/`` is not used because
Jupyter Book v1 adds every script found there to every page.

Our own small loader scripts and stylesheets in tools/assets/ are published next to them.

Usage: python tools/vendor_assets.py [--root REPO_ROOT]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

# (source inside node_modules, destination inside _extra/vendor, file patterns to skip)
ASSETS = [
    ("mathjax/es5", "mathjax", ("*.map",)),
    ("requirejs/require.js", "requirejs/require.js", ()),
    ("@jupyter-widgets/html-manager/dist", "html-manager", ("*.map", "embed.js*", "libembed*")),
]


def vendor(root: Path) -> Path:
    modules = root / "node_modules"
    target = root / "_extra" / "vendor"
    missing = [src for src, _, _ in ASSETS if not (modules / src).exists()]
    if missing:
        sys.exit(
            "vendor_assets: missing npm packages in node_modules: "
            + ", ".join(missing)
            + "\nRun `npm ci` in the repository root (or `make book`, which does it)."
        )
    # Build next to the target and swap it in, so an interrupted copy never leaves a
    # half-populated vendor folder that the book build would publish.
    staging = target.with_name("vendor.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for src, dst, skip in ASSETS:
        source, destination = modules / src, staging / dst
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*skip))
        else:
            shutil.copy2(source, destination)
    for own in sorted((root / "tools" / "assets").glob("*.[jc]s*")):  # .js loaders, .css
        shutil.copy2(own, staging / own.name)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    print(f"vendored front-end assets into {vendor(args.root)}")


if __name__ == "__main__":
    main()
