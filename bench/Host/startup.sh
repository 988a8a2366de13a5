#!/usr/bin/env bash
# Start-up settings side by side: the host as ./build.sh publishes it (self-contained, .NET and the packages in one
# composite ReadyToRun image for this machine's instruction sets), the same image for the baseline x64, the ReadyToRun
# host on the machine's shared .NET (as ./build.sh published it before), the same host without ReadyToRun (JIT only),
# and runtime knobs, interleaved round by round.
# Prints per variant the median wall and CPU (user + sys) seconds and the peak RSS of a warm
# `--target=BackupDatabase --dryrun` and of `--version`, with the load average, and what building each other host cost once.
#   bench/Host/startup.sh [runs]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-5}"
composite="$root/.twisterlab/host"
shared="${TWL_SHARED_R2R_DIR:-/tmp/twl-shared-r2r-host}"
jit="${TWL_JIT_DIR:-/tmp/twl-jit-host}"
baseline="${TWL_BASELINE_ISA_DIR:-/tmp/twl-composite-baseline-host}"
cd "$root"
./build.sh --version >/dev/null   # the composite host, published if a source changed

built() {
  local folder="$1"; shift
  if [ ! -f "$folder/twisterlab-build.dll" ]; then
    start=$(date +%s.%N)
    "$@" -o "$folder" --nologo -v q >/dev/null
    echo "building $folder took $(echo "$(date +%s.%N) - $start" | bc) s (load $(cut -d' ' -f1 /proc/loadavg))"
  fi
}
built "$jit" dotnet build build/Build.csproj -c Release
# Its own configuration, so that its intermediate files never replace those of the composite host (a rebuild of minutes).
built "$shared" dotnet publish build/Build.csproj -c SharedR2R -p:Optimize=true --use-current-runtime --self-contained false -p:PublishReadyToRun=true -p:TwisterLabBuildHost=true
built "$baseline" dotnet publish build/Build.csproj -c BaselineIsa -p:Optimize=true --use-current-runtime --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -p:TwisterLabBuildHost=true
jit="$jit/twisterlab-build.dll"
baseline="$baseline/twisterlab-build.dll"
shared="$shared/twisterlab-build.dll"
composite="$composite/twisterlab-build.dll"

variants=("jit|$jit|" "r2r, shared .NET|$shared|" "r2r, shared .NET, invariant globalization|$shared|DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1"
          "r2r composite, baseline x64|$baseline|" "r2r composite (./build.sh)|$composite|" "r2r composite, TieredPGO=0|$composite|DOTNET_TieredPGO=0"
          "r2r composite, TieredCompilation=0|$composite|DOTNET_TieredCompilation=0")
declare -A wall cpu rss
timing=$(mktemp)
for round in $(seq "$runs"); do
  for variant in "${variants[@]}"; do
    IFS='|' read -r name dll env <<<"$variant"
    for what in dryrun version; do
      args=(--target=BackupDatabase --dryrun); [ "$what" = version ] && args=(--version)
      env $env TWISTERLAB_CALLER_DIR="$PWD" /usr/bin/time -o "$timing" -f "%e %U %S %M" dotnet "$dll" "${args[@]}" >/dev/null 2>&1
      read -r w u s m < <(tail -1 "$timing")
      wall["$name/$what"]+="$w "
      cpu["$name/$what"]+="$(echo "$u + $s" | bc) "
      rss["$name/$what"]+="$((m / 1024)) "
    done
  done
  echo "round $round done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "| variant | dry run wall s | dry run CPU s | dry run peak RSS MB | --version wall s | --version CPU s |"
echo "| --- | --- | --- | --- | --- | --- |"
for variant in "${variants[@]}"; do
  IFS='|' read -r name _ _ <<<"$variant"
  echo "| $name | $(echo "${wall[$name/dryrun]}" | median) | $(echo "${cpu[$name/dryrun]}" | median) | $(echo "${rss[$name/dryrun]}" | median) | $(echo "${wall[$name/version]}" | median) | $(echo "${cpu[$name/version]}" | median) |"
done
echo "load average: $(cat /proc/loadavg)"
