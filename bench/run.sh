#!/usr/bin/env bash
# Load benchmark: UserService (Release) against a raw-Npgsql baseline on one seeded PostgreSQL, driven by wrk
# over loopback. Records each run's figures in bench/out/runs/ and has bench/report.py write bench/results.md from
# them. What it measures, the knobs and the figures: bench/README.md.
#
#   bench/run.sh
#
# Knobs (environment; defaults in brackets):
#   BENCH_POOL_SIZE [16]          Maximum Pool Size of the service and of the baseline
#   BENCH_CONNECTIONS ["32 256"]  wrk connection counts (always 2 threads)
#   BENCH_SCENARIOS ["get list search patch post storm"]  (post and storm: the service only; storm: GET by id at
#                                 BENCH_STORM_GET_CONNECTIONS while a second wrk drives sign-ups, see README.md)
#   BENCH_DURATION [10]  BENCH_POST_DURATION [20]  BENCH_WARMUP [3]  BENCH_ROUNDS [3]
#                                 seconds per run, per sign-up run, of warm-up; runs per figure (their median)
#   BENCH_USERS [100000]          seeded users (seeded once, reused while the cluster keeps them)
#   BENCH_TOKEN                   bearer token sent on every request (default: the bench admin's, signed in at start)
#   BENCH_SERVICE_ENV             extra env for the service only, e.g. "DOTNET_gcServer=0"
#   BENCH_SERVICE_CS_EXTRA        appended to the service's connection string, e.g. "Max Auto Prepare=0"
#   BENCH_SERVICE_REF             build the service from this git ref (git archive) instead of the working tree
#   BENCH_RESULTS [bench/results.md]  BENCH_BUILD [1]  BENCH_STARTUP_RUNS [5]  BENCH_QUIET_BUDGET [120]
#   BENCH_STORM_GET_CONNECTIONS [32]  BENCH_STORM_CONNECTIONS [64]  BENCH_STORM_LEAD [2]
#                                 the storm's GET connections, sign-up connections, seconds the sign-ups start earlier
#   BENCH_SIGNUP_RETRY_MS [1000]  a refused sign-up's client waits min(Retry-After, this) ms; 0: retries at once
#   BENCH_SIGNUP_SLOW_MS [3000]   a sign-up answered later than this (or unanswered this long) counts as timed out
#   BENCH_PEER [1]                0: leave out the FastAPI peer (bench/Peer, GET only)
#   BENCH_PROFILE [1]             0: no stage profile (bench/profile.sh on get/list/patch, after the load runs)
#   BENCH_PG_PORT [55433]  BENCH_SERVICE_PORT [5301]  BENCH_BASELINE_PORT [5302]  BENCH_PEER_PORT [5303]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenarios=${BENCH_SCENARIOS:-get list search patch post storm}
storm_get_conns=${BENCH_STORM_GET_CONNECTIONS:-32}
results=${BENCH_RESULTS:-$bench/results.md}
startup_runs=${BENCH_STARTUP_RUNS:-5}
service_port=${BENCH_SERVICE_PORT:-5301}
baseline_port=${BENCH_BASELINE_PORT:-5302}
peer_port=${BENCH_PEER_PORT:-5303}
with_peer=${BENCH_PEER:-1}
python=/usr/bin/python3 # Debian's, which the python3-* packages below go into (not a pyenv or venv python3 on PATH)
peer_packages=(python3-fastapi python3-asyncpg python3-uvicorn python3-uvloop python3-httptools python3-jwt)
peer_pool=$((pool / 2 > 0 ? pool / 2 : 1))
read -r -a service_env <<<"${BENCH_SERVICE_ENV:-}"
service_cs="$cs_base${BENCH_SERVICE_CS_EXTRA:+;$BENCH_SERVICE_CS_EXTRA}"
service_pid=''
baseline_pid=''
peer_pid=''

start_service() {
    start_app "$out/service" UserService.dll "$service_port" "$service_cs" "${identity_env[@]}" "${service_env[@]}"
    service_pid=$started_pid
}

service() { measure service "$service_port" "$service_pid" UserService "$@"; }
baseline() { measure baseline "$baseline_port" "$baseline_pid" Baseline "$@"; }
# The FastAPI peer, with the bench's token (verified, then the caller's row loaded) and, as a reference, without.
peer() { measure peer "$peer_port" "$peer_pid" Peer "$@"; }
peer-anon() {
    local path_prefix=/anon send_token=false
    measure peer-anon "$peer_port" "$peer_pid" Peer "$@"
}

# Debian's FastAPI, asyncpg, uvicorn (uvloop, httptools) and PyJWT for the system python, installed when missing.
setup_peer() {
    if [[ -x $python ]] && "$python" -c 'import fastapi, asyncpg, uvicorn, uvloop, httptools, jwt' 2>/dev/null; then return; fi
    [[ $(id -u) -eq 0 ]] || die "the peer needs: sudo apt-get install -y ${peer_packages[*]} (or BENCH_PEER=0)"
    log "installing ${peer_packages[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 || log "warning: apt-get update failed; trying the install anyway"
    apt-get install -y "${peer_packages[@]}" >&2
    "$python" -c 'import fastapi, asyncpg, uvicorn, uvloop, httptools, jwt' || die "the peer's packages do not import in $python"
}

# uvicorn with 2 worker processes (uvloop, httptools, no access log), each with half the service's pool, on the same
# database and the service's signing key, issuer and audience.
start_peer() {
    (cd "$bench/Peer" && exec env PEER_DSN="postgresql://postgres@127.0.0.1:$pg_port/users" PEER_POOL_SIZE="$peer_pool" \
        PEER_JWT_KEY="$jwt_key" "$python" -m uvicorn app:app --host 127.0.0.1 --port "$peer_port" --workers 2 \
        --loop uvloop --http httptools --no-access-log --log-level warning) >>"$out/peer.log" 2>&1 &
    peer_pid=$!
    started_pids+=("$peer_pid")
}

peer_versions() {
    "$python" -c 'import sys, fastapi, asyncpg, uvicorn, jwt
print("Python %s, FastAPI %s, uvicorn %s, asyncpg %s, PyJWT %s" % (sys.version.split()[0], fastapi.__version__, uvicorn.__version__, asyncpg.__version__, jwt.__version__))'
}

# The service is built from the working tree, or with BENCH_SERVICE_REF from that git ref (exported with git archive
# into bench/out/service-src; another branch's work measured without checking it out). Prints the folder.
service_source() {
    if [[ -z ${BENCH_SERVICE_REF:-} ]]; then echo "$repo"; return; fi
    rm -rf "$out/service-src"
    mkdir -p "$out/service-src"
    git -C "$repo" archive "$BENCH_SERVICE_REF" | tar -x -C "$out/service-src"
    echo "$out/service-src"
}

service_revision() {
    if [[ -n ${BENCH_SERVICE_REF:-} ]]; then
        echo "$(git -C "$repo" rev-parse --short "$BENCH_SERVICE_REF") ($BENCH_SERVICE_REF)"
    else
        echo "$(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')"
    fi
}

# Process start to /health/ready = 200, against the ready (migrated, seeded) database.
measure_startup() {
    local i t0 t1
    : >"$runs/$run_id-startup.txt"
    for ((i = 1; i <= startup_runs; i++)); do
        wait_for_quiet
        t0=$(date +%s%N)
        start_service
        wait_ready "$service_pid" "$service_port" /health/ready
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000)) >>"$runs/$run_id-startup.txt"
        log "start-up #$i: $(((t1 - t0) / 1000000)) ms"
        stop_pid "$service_pid"
    done
}

# CPU per request by stage: bench/profile.sh on the scenarios of this run that it knows (GET, list, PATCH), on the
# service just published. Sets profile_md; a failed profile is reported, not fatal.
profile_md=''
stage_profile() {
    local s list=()
    for s in get list patch; do [[ " $scenarios " == *" $s "* ]] && list+=("$s"); done
    ((${#list[@]})) || return 0
    log "stage profile: bench/profile.sh (${list[*]})"
    if PROFILE_SCENARIOS="${list[*]}" PROFILE_OUT="$runs/$run_id-profile.md" PROFILE_DETAIL=0 BENCH_BUILD=0 \
        "$bench/profile.sh" >/dev/null; then
        profile_md=$runs/$run_id-profile.md
    else
        log "warning: the stage profile failed; results.md goes without it"
    fi
}

# ---------------------------------------------------------------------------------------------- report

has_peer() { [[ $with_peer == 1 && " $scenarios " == *" get "* ]]; }

# What the report states besides the measurements, one "key<TAB>value" line each, into $runs/$run_id-settings.tsv;
# bench/report.py reads it with the runs' TSV files and writes the Markdown.
write_settings() {
    local gc
    gc=$(sed -n 's/^ *"\(System\.GC\.[A-Za-z]*\|System\.Runtime\.TieredPGO\|System\.Runtime\.TieredCompilation[A-Za-z.]*\)": *\([^,]*\),*$/\1=\2/p' \
        "$out/service/UserService.runtimeconfig.json" | paste -sd ' ')
    printf '%s\t%s\n' \
        date "$(date -u '+%Y-%m-%d %H:%M UTC')" run_id "$run_id" \
        cores "$(nproc)" cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
        memory "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)" kernel "$(uname -sr)" \
        dotnet "$(dotnet --list-runtimes | awk '/NETCore.App/ { v = $2 } END { print v }')" \
        postgres "$("${psql_[@]}" -c "SHOW server_version" | awk '{ print "PostgreSQL " $1 }')" \
        wrk "$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')" \
        service "$(service_revision)" runtimeconfig "$gc" service_env "${BENCH_SERVICE_ENV:-}" \
        peer "$(if has_peer; then peer_versions; fi)" peer_pool "$peer_pool" with_peer "$with_peer" \
        pg_port "$pg_port" users "$("${psql_[@]}" -c "SELECT count(*) FROM users")" connection_string "$service_cs" \
        scenarios "$scenarios" connections "$connections" pool "$pool" rounds "$rounds" duration "$duration" \
        post_duration "$post_duration" warmup "$warmup" startup_runs "$startup_runs" \
        storm_get_connections "$storm_get_conns" storm_connections "$storm_conns" storm_lead "$storm_lead" \
        signup_retry_ms "$signup_retry_ms" signup_slow_ms "$signup_slow_ms" service_hwm_kb "$service_hwm" \
        profile "$profile_md" >"$runs/$run_id-settings.tsv"
}


# ---------------------------------------------------------------------------------------------- main

main() {
    local conns scenario target round n targets_
    setup_tools
    has_peer && setup_peer
    tsv=$runs/$run_id.tsv
    : >"$tsv"
    : >"$signup_tsv"
    : >"$out/service.log"
    : >"$out/baseline.log"
    : >"$out/peer.log"

    start_postgres
    if [[ ${BENCH_BUILD:-1} == 1 ]]; then
        publish "$(service_source)/src/UserService.csproj" "$out/service"
        publish "$bench/Baseline/Baseline.csproj" "$out/baseline"
    fi

    start_service
    wait_ready "$service_pid" "$service_port" /health/ready
    sign_in "$service_port"
    seed "$service_port"
    make_inputs "$service_port"
    start_app "$out/baseline" Baseline.dll "$baseline_port" "$cs_base"
    baseline_pid=$started_pid
    wait_ready "$baseline_pid" "$baseline_port" /health/ready
    if has_peer; then
        start_peer
        wait_ready "$peer_pid" "$peer_port" /health/ready
    fi

    log "warm-up"
    for scenario in $scenarios; do
        [[ $scenario == storm ]] && continue # warmed up just before its runs
        service "$scenario" 32 warmup
        [[ $scenario == post ]] || baseline "$scenario" 32 warmup
        if [[ $scenario == get ]] && has_peer; then
            peer get 32 warmup
            peer-anon get 32 warmup
        fi
    done

    for conns in $connections; do
        for scenario in $scenarios; do
            [[ $scenario == storm ]] && continue # below, at its own connection counts
            targets_=(service)
            [[ $scenario == post ]] || targets_+=(baseline)
            [[ $scenario == get ]] && has_peer && targets_+=(peer peer-anon)
            n=$rounds
            [[ $scenario == post ]] && n=1
            for target in "${targets_[@]}"; do "$target" "$scenario" "$conns" warmup; done
            for ((round = 1; round <= n; round++)); do
                for target in "${targets_[@]}"; do "$target" "$scenario" "$conns" "$round"; done
            done
        done
    done

    # The storm (the service only: the baseline has no sign-up): per round, GET alone, then GET during the storm.
    if [[ " $scenarios " == *" storm "* ]]; then
        service storm-ref "$storm_get_conns" warmup
        service storm "$storm_get_conns" warmup
        for ((round = 1; round <= rounds; round++)); do
            service storm-ref "$storm_get_conns" "$round"
            service storm "$storm_get_conns" "$round"
        done
    fi

    service_hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$service_pid/status")
    stop_pid "$service_pid"
    stop_pid "$baseline_pid"
    stop_pid "$peer_pid"
    measure_startup
    if [[ ${BENCH_PROFILE:-1} == 1 ]]; then stage_profile; fi

    write_settings
    python3 "$bench/report.py" "$runs/$run_id" >"$results"
    log "results written to $results"
    cat "$results"
}

main "$@"
