"""Compile the key-value store's hot modules with mypyc (``services.kv.native``).

Run by ``make setup``: it does nothing when the build is current, and when there is no C
compiler (or the compile fails) it says so and exits 0, leaving the pure-Python modules to
serve. ``--force`` rebuilds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from services.kv import native


def build(force: bool = False) -> bool:
    """Compile ``native.MODULES`` into ``native.BUILD_DIR``; True if a current build exists."""
    if native.built() and not force:
        return True
    try:
        from mypyc.build import mypycify
        from setuptools import setup
    except ImportError as exc:
        print(f"kv native build skipped: {exc}")
        return False
    root = native.HERE.parents[1]
    out = native.BUILD_DIR
    digest = native.source_digest()
    shutil.rmtree(out, ignore_errors=True)
    staging = out.with_name(out.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    warnings.filterwarnings("ignore")  # setuptools' notes on the project's own pyproject
    cwd = Path.cwd()
    os.chdir(root)  # module names follow the paths: services/kv/x.py is services.kv.x
    try:
        with tempfile.TemporaryDirectory() as tmp:
            paths = [f"services/kv/{name}.py" for name in native.MODULES]
            setup(
                name="kv-native",
                ext_modules=mypycify(
                    ["--ignore-missing-imports", "--follow-imports=silent", *paths],
                    target_dir=f"{tmp}/c",
                ),
                script_args=[
                    "--quiet",
                    "build_ext",
                    "--build-lib",
                    str(staging),
                    "--build-temp",
                    f"{tmp}/obj",
                ],
            )
    except (SystemExit, Exception) as exc:  # a missing compiler or headers: run from source
        print(f"kv native build failed, the sources serve: {exc}")
        shutil.rmtree(staging, ignore_errors=True)
        return False
    finally:
        os.chdir(cwd)
    (staging / native.DIGEST_FILE).write_text(digest + "\n", encoding="ascii")
    staging.rename(out)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when current")
    args = parser.parse_args()
    ok = build(force=args.force)
    print(f"kv native modules: {'compiled' if ok else 'from source'} ({native.BUILD_DIR})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
