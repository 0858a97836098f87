# shellcheck shell=bash
# The mutations of the negative tests (scripts/validate_deploy/test_negative.sh and
# scripts/validate_workflows/test_negative.sh), which break one input of a copy on purpose and
# expect the check that guards it to fail. Sourced; each mutation fails when its input has
# changed, so a case cannot silently stop breaking anything.

# edit FILE OLD NEW: replaces the first OLD (a literal, may span lines) with NEW; OLD must occur.
edit() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
if old not in text:
    sys.exit(f"test_negative: {path} does not contain {old!r}")
open(path, "w").write(text.replace(old, new, 1))
PY
}

# delete_block FILE START: removes the first line START (stripped) and the lines after it indented
# deeper (blank lines among them too).
delete_block() {
  python3 - "$1" "$2" <<'PY'
import sys
path, start = sys.argv[1:3]
lines = open(path).read().split("\n")
i = next((n for n, l in enumerate(lines) if l.strip() == start), None)
if i is None:
    sys.exit(f"test_negative: {path} has no line {start!r}")
indent = len(lines[i]) - len(lines[i].lstrip())
j = i + 1
while j < len(lines) and (len(lines[j]) - len(lines[j].lstrip()) > indent or not lines[j].strip()):
    j += 1
open(path, "w").write("\n".join(lines[:i] + lines[j:]))
PY
}
