#!/usr/bin/env bash
# Bootstrap: rebuild the host only when a source changed since the last build, then run it.
# Warm runs pay for no MSBuild at all, and the host is compiled ahead of time (ReadyToRun, for this machine's runtime):
# a warm plan starts in about two thirds of the time a JIT-only host takes (bench/Host/startup.sh measures both).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
host="$root/.twisterlab/host"
stamp="$host/.built"

stale() {
  [ ! -f "$stamp" ] && return 0
  [ -n "$(find "$root/build" "$root/tasks" "$root/embedded" "$root/sim" "$root/Directory.Build.props" "$root/Cake.References.props" "$root/global.json" \
      -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]
}

# Servers a rehearsal, the tests or the embedded world start (a no-op for every other target).
"$root/scripts/prerequisites.sh" "$@"

if stale; then
  echo "Building the build host..." >&2
  dotnet publish "$root/build/Build.csproj" --configuration Release --use-current-runtime --self-contained false \
    -p:PublishReadyToRun=true -p:TwisterLabBuildHost=true --output "$host" --nologo --verbosity quiet >&2
  touch "$stamp"
fi

# The user's directory, where a relative --kubeconfig is read (the host itself runs in the repository).
export TWISTERLAB_CALLER_DIR="$PWD"
cd "$root"
exec dotnet "$host/twisterlab-build.dll" "$@"
