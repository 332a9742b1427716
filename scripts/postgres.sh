#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the tests and prints
# the export line for PARLEY_TEST_POSTGRES. Installs PostgreSQL from Debian's
# packages when it is missing (needs root). Stop it with: scripts/postgres.sh stop DIR
#
#   eval "$(bash scripts/postgres.sh start)"
set -euo pipefail

if [ "${1:-}" = "stop" ]; then
	dir="$2"
	runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	exit 0
fi

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	echo "installing postgresql from Debian's packages…" >&2
	export DEBIAN_FRONTEND=noninteractive
	(apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null; }) >&2
	bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres

dir="$(mktemp -d /tmp/parley-pg.XXXXXX)"
chown postgres "$dir"
port="${PARLEY_PG_PORT:-$((20000 + RANDOM % 20000))}"
runuser -u postgres -- "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
	-o "-h 127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null
echo "export PARLEY_TEST_POSTGRES='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable' PARLEY_PG_DIR='$dir'"
