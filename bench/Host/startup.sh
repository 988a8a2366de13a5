#!/usr/bin/env bash
# Start-up settings side by side: the host as ./build.sh publishes it (ReadyToRun), the same host built without it (JIT
# only, as ./build.sh built it before), and runtime knobs on each, interleaved round by round.
# Prints per variant the median wall and CPU (user + sys) seconds of a warm `--target=BackupDatabase --dryrun` and of
# `--version`, with the load average, and what building the JIT host cost once.
#   bench/Host/startup.sh [runs]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-5}"
r2r="$root/.twisterlab/host"
jit="${TWL_JIT_DIR:-/tmp/twl-jit-host}"
cd "$root"
./build.sh --version >/dev/null   # the ReadyToRun host, published if a source changed

if [ ! -f "$jit/twisterlab-build.dll" ]; then
  start=$(date +%s.%N)
  dotnet build build/Build.csproj -c Release -o "$jit" --nologo -v q >/dev/null
  echo "building the JIT host took $(echo "$(date +%s.%N) - $start" | bc) s (load $(cut -d' ' -f1 /proc/loadavg))"
fi
jit="$jit/twisterlab-build.dll"
r2r="$r2r/twisterlab-build.dll"

variants=("jit|$jit|" "r2r|$r2r|" "r2r TieredPGO=0|$r2r|DOTNET_TieredPGO=0" "r2r invariant globalization|$r2r|DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1"
          "r2r TieredCompilation=0|$r2r|DOTNET_TieredCompilation=0")
declare -A wall cpu
timing=$(mktemp)
for round in $(seq "$runs"); do
  for variant in "${variants[@]}"; do
    IFS='|' read -r name dll env <<<"$variant"
    for what in dryrun version; do
      args=(--target=BackupDatabase --dryrun); [ "$what" = version ] && args=(--version)
      env $env TWISTERLAB_CALLER_DIR="$PWD" /usr/bin/time -o "$timing" -f "%e %U %S" dotnet "$dll" "${args[@]}" >/dev/null 2>&1
      read -r w u s < <(tail -1 "$timing")
      wall["$name/$what"]+="$w "
      cpu["$name/$what"]+="$(echo "$u + $s" | bc) "
    done
  done
  echo "round $round done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "| variant | dry run wall s | dry run CPU s | --version wall s | --version CPU s |"
echo "| --- | --- | --- | --- | --- |"
for variant in "${variants[@]}"; do
  IFS='|' read -r name _ _ <<<"$variant"
  echo "| $name | $(echo "${wall[$name/dryrun]}" | median) | $(echo "${cpu[$name/dryrun]}" | median) | $(echo "${wall[$name/version]}" | median) | $(echo "${cpu[$name/version]}" | median) |"
done
echo "load average: $(cat /proc/loadavg)"
