#!/usr/bin/env bash
# What a run needs from the machine, before the host starts: build.sh, build.ps1 (on Linux) and .ci/run call this
# with the run's own arguments. Only runs that start real servers (Rehearse, Test, SandboxUp, --cluster=embedded)
# need them, so every other call returns after parsing the arguments, without looking anything up.
#
# Missing and root with apt: installs it, saying what. Missing otherwise: prints the one command that installs it
# and exits 2 (bad input: nothing started). Optional tools (prometheus, k6) only get a line.
# TWISTERLAB_PREREQUISITES=skip turns the check off (a machine set up by other means).
set -euo pipefail

needs_servers=false
target=Default
dryrun=false
for argument in "$@"; do
  case "$argument" in
    --target=*|-t=*) target="${argument#*=}" ;;
    --cluster=embedded) needs_servers=true ;;
    --dryrun|--noop|--whatif|--dryrun=true) dryrun=true ;;
  esac
done
# `-t X` / `--target X` (a separate value) as Cake accepts it.
previous=""
for argument in "$@"; do
  case "$previous" in --target|-t) target="$argument" ;; esac
  previous="$argument"
done

case "$target" in
  Rehearse|Test|SandboxUp) needs_servers=true ;;
esac
# A plan starts no server (Test is the exception: --dryrun is not a Test argument anyone uses).
if [ "$dryrun" = true ] && [ "$target" != Test ]; then needs_servers=false; fi
if [ "$needs_servers" = false ] || [ "${TWISTERLAB_PREREQUISITES:-}" = skip ]; then exit 0; fi

missing=()   # Debian/Ubuntu package names
has_postgres_server() {
  local bindir
  if [ -n "${TWISTERLAB_PG_BINDIR:-}" ] && [ -x "$TWISTERLAB_PG_BINDIR/initdb" ]; then return 0; fi
  if bindir="$(pg_config --bindir 2>/dev/null)" && [ -x "$bindir/initdb" ]; then return 0; fi
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}
has_postgres_server || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v python3 >/dev/null 2>&1 || missing+=(python3)   # the rehearsal's stand-in scripts
if [ "$target" = Test ]; then
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)   # tests drop privileges for initdb
  # The simulator's parity suite drives the real Python client (Debian's package, under the system python) and the
  # JavaScript one (installed with npm by the suite itself).
  /usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || missing+=(python3-kubernetes)
  # The tenant migration's Alembic revision is run by Alembic itself, on PostgreSQL through psycopg2.
  /usr/bin/python3 -c 'import alembic' >/dev/null 2>&1 || missing+=(python3-alembic)
  /usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || missing+=(python3-psycopg2)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

optional=()
command -v prometheus >/dev/null 2>&1 || optional+=(prometheus)

if ! command -v kubectl >/dev/null 2>&1; then
  # Debian's kubernetes-client is years old: kubectl comes from the Kubernetes project.
  echo "kubectl not found on PATH: install it from https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (curl -LO https://dl.k8s.io/release/v1.32.0/bin/linux/amd64/kubectl && sudo install kubectl /usr/local/bin/)." >&2
  exit 2
fi

if ! command -v k6 >/dev/null 2>&1; then
  echo "Optional: k6 not installed; StagingRehearsal's load test says it is skipped (https://grafana.com/docs/k6/latest/set-up/install-k6/)." >&2
fi

# CI (Test as root) installs the optional ones too, since the tests that use them are skipped otherwise.
if [ "$target" = Test ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ ${#optional[@]} -gt 0 ]; then
  missing+=("${optional[@]}"); optional=()
fi
if [ ${#missing[@]} -eq 0 ]; then
  if [ ${#optional[@]} -gt 0 ]; then
    echo "Optional: ${optional[*]} not installed; Monitor reads the API's /metrics instead (apt-get install -y ${optional[*]})." >&2
  fi
  exit 0
fi

want=("${missing[@]}" "${optional[@]}")
as_root=false
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then as_root=true; fi
if [ "$as_root" = false ]; then
  echo "Missing for --target=$target: ${missing[*]}. Install with: sudo apt-get install -y ${want[*]}" >&2
  exit 2
fi

echo "Installing what --target=$target needs: ${want[*]} (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2; then
  echo "Could not install ${missing[*]} with apt-get: install them (apt-get install -y ${missing[*]}) and run again." >&2
  exit 2
fi
if [ ${#optional[@]} -gt 0 ] && ! apt-get install -y -qq --no-install-recommends "${optional[@]}" >&2; then
  echo "Optional: ${optional[*]} could not be installed; skipped." >&2
fi
