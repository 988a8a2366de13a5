#!/usr/bin/env bash
# Start-up of a dry run, side by side in one run: our bootstrap (./build.sh), the host alone (dotnet <dll>), and
# Cake's own script runner (dotnet cake) on build.cake, which has the same graph. Prints medians and ratios.
#   bench/Host/bench.sh [chain] [runs] [extra arguments...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
chain="${1:-RollingUpgrade}"
runs="${2:-10}"
shift $(( $# > 2 ? 2 : $# ))
extra=("$@")
[ "$chain" = RollingUpgrade ] && [ ${#extra[@]} -eq 0 ] && extra=(--image-tag=v2.0)
tools="$root/.twisterlab/tools"
[ -x "$tools/dotnet-cake" ] || dotnet tool install Cake.Tool --version 7.0.0 --tool-path "$tools" >/dev/null

median_ms() {
  local samples=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    samples+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

cd "$root"
./build.sh --dryrun --target="$chain" "${extra[@]}" >/dev/null   # warm: the host is built, nothing changed since
"$tools/dotnet-cake" bench/Host/build.cake --dryrun >/dev/null

bootstrap=$(median_ms ./build.sh --dryrun --target="$chain" "${extra[@]}")
host=$(median_ms dotnet .twisterlab/host/twisterlab-build.dll --dryrun --target="$chain" "${extra[@]}")
cake=$(median_ms "$tools/dotnet-cake" bench/Host/build.cake --dryrun)

echo "dry run of $chain, median of $runs warm runs:"
echo "  ./build.sh --dryrun              ${bootstrap} ms"
echo "  host alone (dotnet dll)          ${host} ms"
echo "  dotnet cake build.cake --dryrun  ${cake} ms"
awk -v b="$bootstrap" -v h="$host" -v c="$cake" 'BEGIN { printf "  ratio build.sh / cake = %.2f, host / cake = %.2f\n", b / c, h / c }'
