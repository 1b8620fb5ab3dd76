#!/usr/bin/env bash
# A dated pg_dump of the portal's database, then the removal of dumps older than a set number of days.
# Run daily by reformtracker-backup.timer (deploy/systemd); by hand:
#   set -a; . /etc/reformtracker/reformtracker.env; set +a; deploy/backup.sh
#
# Environment:
#   DATABASE_URL                  postgres://user:password@host:5432/name (required)
#   REFORMTRACKER_BACKUP_DIR      where the dumps go (default /var/backups/reformtracker; must exist)
#   REFORMTRACKER_BACKUP_DAYS     dumps older than this many days are removed (default 14)
#   PG_DUMP                       the pg_dump program (default: pg_dump on PATH)
#
# The dump (pg_dump --format=custom, restored with pg_restore; docs/operations.md) is written under
# a temporary name in the same directory and renamed only once pg_dump has succeeded, so a file
# named reformtracker-*.dump is always complete. Old dumps are removed only after a new one exists:
# a backup that keeps failing never deletes the last good ones. The password goes to pg_dump in
# PGPASSWORD, not on its command line where any local user could read it. Exits non-zero on failure.
set -euo pipefail

log() { printf 'backup: %s\n' "$*"; }
fail() { printf 'backup: error: %s\n' "$*" >&2; exit 1; }

url=${DATABASE_URL:-}
dir=${REFORMTRACKER_BACKUP_DIR:-/var/backups/reformtracker}
days=${REFORMTRACKER_BACKUP_DAYS:-14}
pg_dump=${PG_DUMP:-pg_dump}

[[ -n $url ]] || fail "DATABASE_URL is not set (the environment file: /etc/reformtracker/reformtracker.env)"
[[ $days =~ ^[0-9]+$ && $days -ge 1 ]] || fail "REFORMTRACKER_BACKUP_DAYS must be a whole number of days, 1 or more (got '$days')"
[[ -d $dir ]] || fail "the backup directory $dir does not exist"
[[ -w $dir ]] || fail "the backup directory $dir is not writable by $(id -un)"
command -v "$pg_dump" >/dev/null || fail "$pg_dump not found (Debian: apt-get install postgresql-client)"

# django-environ's PostgreSQL schemes; libpq reads postgres:// and postgresql:// URLs.
case $url in
    postgres://* | postgresql://*) ;;
    pgsql://* | postgis://*) url="postgresql://${url#*://}" ;;
    *) fail "DATABASE_URL is not a PostgreSQL URL (${url%%://*}://…); for SQLite see docs/operations.md" ;;
esac

# postgres://user:password@host/… → postgres://user@host/… with the (percent-decoded) password in PGPASSWORD
scheme=${url%%://*}
rest=${url#*://}
authority=${rest%%[/?]*}
path=${rest#"$authority"}
if [[ $authority == *@* ]]; then
    userinfo=${authority%@*}
    if [[ $userinfo == *:* ]]; then
        password=${userinfo#*:}
        password=${password//\\/\\\\}             # a literal backslash stays one
        printf -v PGPASSWORD '%b' "${password//%/\\x}"  # %40 → @
        export PGPASSWORD
        url="$scheme://${userinfo%%:*}@${authority##*@}$path"
    fi
fi

umask 077  # a dump holds every account's password hash and the staff's names and addresses
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
final="$dir/reformtracker-$stamp.dump"
partial="$dir/.reformtracker-$stamp.dump.partial"
trap 'rm -f -- "$partial"' EXIT
trap 'fail "stopped by a signal; no dump was written"' TERM INT HUP

log "dumping the database into $final"
"$pg_dump" --format=custom --file="$partial" --dbname="$url" || fail "pg_dump failed (exit $?); no dump was written and no old dump removed"
[[ -s $partial ]] || fail "pg_dump wrote an empty file; no old dump removed"
sync -- "$partial"
mv -- "$partial" "$final"
trap - EXIT TERM INT HUP
log "wrote $final ($(stat -c %s -- "$final") bytes)"

# Dumps (and pieces left by a run that was killed) older than $days days, never the one just written.
while IFS= read -r -d '' old; do
    rm -f -- "$old"
    log "removed $old (older than $days days)"
done < <(find "$dir" -maxdepth 1 -type f \( -name 'reformtracker-*.dump' -o -name '.reformtracker-*.dump.partial' \) \
    ! -path "$final" -mmin +$((days * 24 * 60)) -print0)
