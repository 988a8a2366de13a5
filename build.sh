#!/usr/bin/env bash
# Bootstrap: rebuild the host only when a source changed since the last build, then run it.
# Warm runs pay for no MSBuild at all, and the host is compiled ahead of time (ReadyToRun, for this machine's runtime):
# a warm plan starts in about two thirds of the time a JIT-only host takes (bench/Host/startup.sh measures both).
# A warm run's own cost is a few milliseconds: builtins only, one find that skips bin/ and obj/, the prerequisites check.
set -euo pipefail

# The user's directory, where a relative --kubeconfig is read (the host itself runs in the repository).
export TWISTERLAB_CALLER_DIR="$PWD"
script_dir="${BASH_SOURCE[0]%/*}"
[ "$script_dir" = "${BASH_SOURCE[0]}" ] && script_dir=.
cd "$script_dir"
root="$PWD"
host="$root/.twisterlab/host"
stamp="$host/.built"

stale() {
  [ ! -f "$stamp" ] && return 0
  [ -n "$(find "$root/build" "$root/tasks" "$root/embedded" "$root/sim" "$root/Directory.Build.props" "$root/Cake.References.props" "$root/global.json" \
      \( -name bin -o -name obj \) -prune -o \
      -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' \) -print -quit 2>/dev/null)" ]
}

# Servers a rehearsal, the tests or the embedded world start (a no-op for every other target).
"$root/scripts/prerequisites.sh" "$@"

if stale; then
  echo "Building the build host..." >&2
  dotnet publish "$root/build/Build.csproj" --configuration Release --use-current-runtime --self-contained false \
    -p:PublishReadyToRun=true -p:TwisterLabBuildHost=true --output "$host" --nologo --verbosity quiet >&2
  touch "$stamp"
fi

exec dotnet "$host/twisterlab-build.dll" "$@"
