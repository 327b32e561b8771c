#!/usr/bin/env python3
"""Checks module boundaries: CMake dependencies and internal headers.

A module is a folder src/<name>/ declared in CMakeLists.txt as
`cxrvqa_module(<name> cxrvqa_<dep> ... <external targets>)`. Its sources use another module
when they #include "<dep>/...". Exits 1 and names every difference: a module used but not
declared (it links only by luck, through another module) or declared but not used (a
boundary that exists only on paper).

A header whose opening comment says it is internal to its module ("Internal to the review
module: ...", "(internal to the report module)") may be included only by that module's own
sources and by tests: another module, app/, bench/ or fuzz/ including it is an error.
Usage: check-module-deps.py [REPO_ROOT]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
cmake = (root / "CMakeLists.txt").read_text()

declared = {}
for match in re.finditer(r"^cxrvqa_module\((\w+)([^)]*)\)", cmake, re.M):
    name, args = match.group(1), match.group(2)
    declared[name] = set(re.findall(r"\bcxrvqa_(\w+)", args))
# Private links added after the module call: target_link_libraries(cxrvqa_x PRIVATE cxrvqa_y)
for match in re.finditer(r"^target_link_libraries\(cxrvqa_(\w+)([^)]*)\)", cmake, re.M):
    if match.group(1) in declared:
        declared[match.group(1)] |= set(re.findall(r"\bcxrvqa_(\w+)", match.group(2)))

include = re.compile(r'^\s*#\s*include\s+"(\w+)/', re.M)
problems = []
for name in sorted(declared):
    folder = root / "src" / name
    used = set()
    for source in sorted(folder.glob("*")):
        if source.suffix not in (".h", ".cpp"):
            continue
        used |= {m for m in include.findall(source.read_text(errors="replace")) if m in declared}
    used.discard(name)
    for dep in sorted(used - declared[name]):
        problems.append(f"src/{name} includes {dep}/ but CMakeLists.txt does not declare cxrvqa_{dep}")
    for dep in sorted(declared[name] - used):
        problems.append(f"CMakeLists.txt declares cxrvqa_{dep} for {name}, which includes nothing from {dep}/")

internal_marker = re.compile(r"\A//[^\n]*?\b[Ii]nternal to (?:the )?(\w+)")
internal = {}  # "module/header.h" -> module
for header in sorted((root / "src").glob("*/*.h")):
    match = internal_marker.search(header.read_text(errors="replace"))
    if match:
        module = header.parent.name
        if match.group(1) != module:
            problems.append(f"src/{module}/{header.name} says it is internal to {match.group(1)}, not {module}")
        internal[f"{module}/{header.name}"] = module
any_include = re.compile(r'^\s*#\s*include\s+"([\w/]+\.h)"', re.M)
for folder in ("src", "app", "bench", "fuzz"):
    for source in sorted((root / folder).rglob("*")):
        if source.suffix not in (".h", ".cpp", ".cc"):
            continue
        relative = source.relative_to(root)
        for header in any_include.findall(source.read_text(errors="replace")):
            owner = internal.get(header)
            if owner and relative.parts[:2] != ("src", owner):
                problems.append(f"{relative} includes {header}, which is internal to the {owner} module")

missing = sorted(p.name for p in (root / "src").iterdir() if p.is_dir() and p.name not in declared)
for name in missing:
    problems.append(f"src/{name} is not declared with cxrvqa_module in CMakeLists.txt")

for problem in problems:
    print(problem)
print(f"module boundaries: {len(declared)} modules, {len(internal)} internal headers, {len(problems)} difference(s)")
sys.exit(1 if problems else 0)
