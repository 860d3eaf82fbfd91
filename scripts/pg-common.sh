# Shared by the scripts that run PostgreSQL programs (postgres.sh, replication.sh); sourced, not run.
# PostgreSQL refuses to run as root: as root (CI, fresh machines) its programs run as the postgres user.

is_root=false
if [[ $(id -u) -eq 0 ]]; then is_root=true; fi

# Run a PostgreSQL program as the postgres user when we are root.
# cd / because the postgres user usually cannot read root's working folder.
as_pg() {
    if $is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# The folder of initdb, pg_ctl, pg_basebackup: from PATH, else Debian's /usr/lib/postgresql/*/bin (newest first).
find_bindir() {
    local initdb dir
    if initdb=$(command -v initdb) && command -v pg_ctl >/dev/null; then
        dirname "$(readlink -f "$initdb")"
        return
    fi
    for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return
        fi
    done
    return 1
}
