#!/usr/bin/env bash
# Bootstrap: rebuild the host only when a source or the way it is built changed since the last build, then run it.
# Warm runs pay for no MSBuild at all. The host carries its own .NET, compiled ahead of time for this machine together
# with the packages into one composite image (ReadyToRun) for this processor, so that generic code shared across their
# assemblies and code specialised per instruction set are compiled ahead too: a warm plan leaves 508 methods to the JIT
# instead of 1,092, and starts in about 0.34 s against 0.39 s for a ReadyToRun host on the machine's shared .NET and
# 0.59 s JIT-only (bench/Host/startup.sh measures them side by side).
# That image takes a few minutes to build, once per machine; our own assemblies stay outside it, so a change to the
# code rebuilds in seconds.
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

# The instruction sets the image is compiled for: this machine's (x86-64-v4 where AVX-512 is, v3 where AVX2 is), so
# that the code .NET specialises per instruction set (vectorised searches, Vector512 paths) is compiled ahead too:
# compiled for the baseline x64, the runtime turns it down on an AVX-512 machine and the JIT compiles it at every
# start (95 of a dry run's 603 methods; about 10 ms of a 0.38 s dry run, 30 interleaved pairs). Elsewhere (ARM, macOS)
# crossgen2's default. Builtins only: this runs every time.
instruction_set() {
  local line="" flags
  [ -r /proc/cpuinfo ] || return 0
  while IFS= read -r line && [[ "$line" != flags* ]]; do :; done </proc/cpuinfo
  flags=" ${line#*:} "
  has() { local flag; for flag in "$@"; do [[ "$flags" == *" $flag "* ]] || return 1; done; }
  if has avx512f avx512bw avx512cd avx512dq avx512vl avx2 bmi1 bmi2 fma movbe; then echo x86-64-v4
  elif has avx2 bmi1 bmi2 fma movbe; then echo x86-64-v3
  fi
}
isa="$(instruction_set)"

# How the host is published; a host built another way (or for another processor) is rebuilt. build.ps1 says the same
# words, so they share it.
recipe="self-contained composite ReadyToRun for ${isa:-the default instruction sets}"

# The host there was built this way (a first build, or one after the recipe changed, says it takes minutes).
built_this_way() { [ -f "$stamp" ] && [ "$(<"$stamp")" = "$recipe" ]; }

stale() {
  built_this_way || return 0
  [ -n "$(find "$root/build" "$root/tasks" "$root/embedded" "$root/sim" "$root/Directory.Build.props" "$root/Cake.References.props" "$root/global.json" \
      \( -name bin -o -name obj \) -prune -o \
      -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' \) -print -quit 2>/dev/null)" ]
}

# Servers a rehearsal, the tests or the embedded world start (a no-op for every other target).
"$root/scripts/prerequisites.sh" "$@"

if stale; then
  if built_this_way; then
    echo "Building the build host..." >&2
  else
    echo "Building the build host (the first build compiles .NET and the packages for this machine: a few minutes, once)..." >&2
  fi
  dotnet publish "$root/build/Build.csproj" --configuration Release --use-current-runtime --self-contained true \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -p:TwisterLabBuildHost=true -p:TwisterLabInstructionSet="$isa" \
    --output "$host" --nologo --verbosity quiet >&2
  echo "$recipe" >"$stamp"
fi

exec dotnet "$host/twisterlab-build.dll" "$@"
