"""Fails on a dependency a workspace crate declares but never names in its code: what
cargo-machete does, in a second instead of the minutes its build costs on every fresh CI machine.

    python3 tools/scripts/unused_deps.py            # every workspace member; exit 1 on findings
    python3 tools/scripts/unused_deps.py --self-test

A dependency counts as used when its crate name (the key with `-` as `_`, or the `package`
it renames) appears as a whole word in the crate's Rust sources (every .rs file in its folder
but those of crates nested in it). A dependency declared only for its features, or used only by a macro's
expansion, is listed in the crate's Cargo.toml with its reason:

    [package.metadata.unused-deps]
    ignored = ["aws-lc-rs"]  # why, in a comment
"""

import re
import sys
import tempfile
import tomllib
from pathlib import Path

SECTIONS = ("dependencies", "dev-dependencies", "build-dependencies")


def workspace_members(root: Path) -> list[Path]:
    manifest = tomllib.loads((root / "Cargo.toml").read_text())
    members = []
    for pattern in manifest.get("workspace", {}).get("members", []):
        members += [p for p in sorted(root.glob(pattern)) if (p / "Cargo.toml").is_file()]
    return members


def crate_name(key: str, spec) -> str:
    package = spec.get("package") if isinstance(spec, dict) else None
    return (package or key).replace("-", "_")


def sources(crate: Path) -> str:
    """Every .rs file of the crate's folder (targets may live anywhere in it, e.g. a tests
    crate's `api/main.rs`), but none of a crate nested inside it."""
    nested = {p.parent for p in crate.rglob("Cargo.toml") if p.parent != crate}
    files = [f for f in sorted(crate.rglob("*.rs"))
             if not any(n in f.parents for n in nested)
             and not {"target", "node_modules"} & set(f.relative_to(crate).parts)]
    return "\n".join(f.read_text(errors="replace") for f in files)


def unused(crate: Path) -> list[str]:
    manifest = tomllib.loads((crate / "Cargo.toml").read_text())
    ignored = set(manifest.get("package", {}).get("metadata", {})
                  .get("unused-deps", {}).get("ignored", []))
    code = sources(crate)
    found = []
    for section in SECTIONS:
        for key, spec in manifest.get(section, {}).items():
            if key in ignored:
                continue
            if not re.search(rf"\b{re.escape(crate_name(key, spec))}\b", code):
                found.append(f"{crate.name}: [{section}] {key}")
    return found


def self_test() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "Cargo.toml").write_text('[workspace]\nmembers = ["a"]\n')
        (root / "a" / "src").mkdir(parents=True)
        (root / "a" / "Cargo.toml").write_text(
            '[package]\nname = "a"\n[package.metadata.unused-deps]\nignored = ["features-only"]\n'
            '[dependencies]\nserde-json = "1"\nunused-one = "1"\nfeatures-only = "1"\n'
            'renamed = { package = "real-name", version = "1" }\n'
            '[dev-dependencies]\ntokio = "1"\n')
        (root / "a" / "src" / "lib.rs").write_text("use serde_json::Value;\nuse real_name as _;\n")
        (root / "a" / "tests").mkdir()
        (root / "a" / "tests" / "t.rs").write_text("#[tokio::test]\nasync fn t() {}\n")
        found = [f for m in workspace_members(root) for f in unused(m)]
        assert found == ["a: [dependencies] unused-one"], found
    print("unused_deps self-test passed")


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    root = Path(__file__).resolve().parents[2]
    found = [f for member in workspace_members(root) for f in unused(member)]
    for finding in found:
        print(f"unused dependency: {finding}")
    if found:
        print("remove them, or list one under [package.metadata.unused-deps] ignored, with why")
        return 1
    print(f"no unused dependencies in {len(workspace_members(root))} crates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
