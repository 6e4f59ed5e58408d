"""Build the seed corpus from the fixture files: each seed is one byte naming
the parser (see fuzz_targets/parsers.rs) followed by a real file."""
import os, sys
root = os.path.join(os.path.dirname(__file__), "..", "fixtures")
out = os.path.join(os.path.dirname(__file__), "corpus", "parsers")
os.makedirs(out, exist_ok=True)
def selector(name, path):
    rules = [
        (lambda: name == "package.json", 0), (lambda: name == "composer.json", 1),
        (lambda: name.endswith((".yml", ".yaml")), 2), (lambda: "dockerfile" in name.lower() and not name.endswith(".rs"), 3),
        (lambda: name.startswith("requirements") or name.endswith(".in"), 4), (lambda: name == "pyproject.toml", 5),
        (lambda: name == "Cargo.toml", 6), (lambda: name == "go.mod", 7), (lambda: name == "go.work", 8),
        (lambda: name == "pom.xml", 9), (lambda: name.startswith("build.gradle"), 10),
        (lambda: name.endswith(".versions.toml"), 11), (lambda: name == "Gemfile", 12), (lambda: name == "mix.exs", 13),
        (lambda: name.endswith(("proj", ".props")), 14), (lambda: name.endswith(".tf"), 15),
        (lambda: name.startswith(".env"), 16), (lambda: name == "Procfile", 17), (lambda: name == "setup.cfg", 18),
        (lambda: name == "setup.py", 19), (lambda: name == "Pipfile", 20), (lambda: name.startswith("settings.gradle"), 21),
        (lambda: name == "fly.toml", 22),
    ]
    for test, sel in rules:
        if test():
            return sel
    return None
n = 0
for dirpath, _, files in os.walk(root):
    for f in files:
        sel = selector(f, dirpath)
        if sel is None:
            continue
        data = open(os.path.join(dirpath, f), "rb").read()
        if len(data) > 64 * 1024:
            continue
        open(os.path.join(out, f"seed-{n:04d}"), "wb").write(bytes([sel]) + data)
        n += 1
print(f"{n} seeds in {out}")
