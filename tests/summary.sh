#!/usr/bin/env bash
# Adds up the TRX files of a test run and prints "tests: N passed, N failed[, N skipped]", after the name and the
# first line of the message of every test that failed (so a CI log's tail says which one it was).
set -euo pipefail
dir=${1:?results directory}
passed=0; failed=0; skipped=0
shopt -s nullglob
for f in "$dir"/*.trx "$dir"/**/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  p=$(get passed); fl=$(get failed); e=$(get error); t=$(get timeout); ab=$(get aborted); ne=$(get notExecuted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${fl:-0} + ${e:-0} + ${t:-0} + ${ab:-0}))
  skipped=$((skipped + ${ne:-0}))
done
for f in "$dir"/*.trx "$dir"/**/*.trx; do
  python3 - "$f" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") in ("Failed", "Error", "Timeout", "Aborted"):
        m = r.find("t:Output/t:ErrorInfo/t:Message", ns)
        first = (m.text or "").strip().splitlines()[0][:300] if m is not None and m.text else ""
        print(f"FAILED {r.get('testName')}: {first}")
PY
done
line="tests: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
