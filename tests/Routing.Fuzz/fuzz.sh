#!/usr/bin/env bash
# make fuzz: every parser that reads outside input under afl-fuzz (SharpFuzz), one target after another, then a table of
# what each run did and found. FUZZ_SECONDS (per target, default 60) and FUZZ_TARGETS (default: all) tune it.
# Installs afl++ (Debian package) and the SharpFuzz instrumenter (a .NET tool, under .local/fuzz/tools) when missing.
# Exit status 1 when any target found a crash or a hang; each finding is replayed and printed, and its input kept
# under .local/fuzz/findings/<target>/default/{crashes,hangs} to become a regression case (tests/Routing.Fuzz/regressions).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$root/.local/fuzz
seconds=${FUZZ_SECONDS:-60}
dotnet=${DOTNET:-dotnet}
log() { echo "[fuzz] $*"; }

if ! command -v afl-fuzz >/dev/null 2>&1; then
  log "installing afl++"
  sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
if [ ! -x "$work/tools/sharpfuzz" ]; then
  log "installing the SharpFuzz instrumenter"
  "$dotnet" tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null
fi

"$dotnet" build "$root/tests/Routing.Fuzz" -c Release -nologo -clp:ErrorsOnly
rm -rf "$work/bin" && mkdir -p "$work/bin" && cp -r "$root/tests/Routing.Fuzz/bin/Release/net10.0/." "$work/bin/"
# Coverage is recorded in our assemblies and in MimeKit (the MIME parser every mail goes through); the framework's own
# (System.Text.Json, the form readers) cannot be instrumented, and is exercised through ours.
for dll in "$work"/bin/Routing.Adapters.*.dll "$work"/bin/Routing.AgentGateway.dll "$work"/bin/Routing.MailAuthentication.dll "$work"/bin/MimeKit.dll; do
  "$work/tools/sharpfuzz" "$dll" >/dev/null
done

# the build's own output, not instrumented: instrumented code runs only under afl-fuzz
plain=$root/tests/Routing.Fuzz/bin/Release/net10.0/Routing.Fuzz.dll
targets=${FUZZ_TARGETS:-$("$dotnet" "$plain" --list)}
results=$work/results.md
{
  echo "| target | seconds | executions | executions/s | corpus | crashes | hangs |"
  echo "|---|---|---|---|---|---|---|"
} > "$results"
found=0
for target in $targets; do
  out=$work/findings/$target
  rm -rf "$out" && mkdir -p "$work/findings"
  log "$target: ${seconds} s"
  # -V: stop after so many seconds; the target is `dotnet`, not an instrumented binary, hence the checks skipped
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=30000 \
    timeout $((seconds + 120)) afl-fuzz -V "$seconds" -t 5000 -m none -i "$root/tests/Routing.Fuzz/seeds/$target" -o "$out" \
    -- "$dotnet" "$work/bin/Routing.Fuzz.dll" "$target" > "$work/$target.log" 2>&1 || { log "afl-fuzz failed on $target:"; tail -n 20 "$work/$target.log"; exit 1; }
  stats=$out/default/fuzzer_stats
  stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(stat saved_crashes); hangs=$(stat saved_hangs)
  echo "| $target | $(stat run_time) | $(stat execs_done) | $(stat execs_per_sec) | $(stat corpus_count) | $crashes | $hangs |" >> "$results"
  if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
    found=1
    log "$target found $crashes crash(es) and $hangs hang(s):"
    "$dotnet" "$plain" --replay "$target" "$out/default/crashes" "$out/default/hangs" || true
  fi
done
echo
cat "$results"
echo
if [ "$found" = 1 ]; then
  log "findings above: fix each, then copy its input into tests/Routing.Fuzz/regressions/<target>/ (make test replays them)"
  exit 1
fi
log "no crash and no hang (table in $results)"
