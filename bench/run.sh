#!/usr/bin/env bash
# Load benchmark: UserService (Release) against a raw-Npgsql baseline on one seeded PostgreSQL, driven by wrk
# over loopback. Writes bench/results.md. What it measures, the knobs and the figures: bench/README.md.
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

peer_setting() {
    has_peer || return 0
    printf '\n| peer | `bench/Peer/app.py`: %s; `uvicorn --workers 2 --loop uvloop --http httptools --no-access-log`; asyncpg pool of %s per worker (application_name Peer) |' \
        "$(peer_versions)" "$peer_pool"
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

profile_section() {
    [[ -n $profile_md ]] || return 0
    cat <<MD
## CPU per request by stage (bench/profile.sh)

$(cat "$profile_md")

The same profile before the performance work (src/ at \`0ac09e1\`): [profile-before.md](profile-before.md). How stages are told apart: README.md, "Stage profile".
MD
}

# ---------------------------------------------------------------------------------------------- report






scenario_name() {
    case $1 in
        get) echo 'GET /api/users/{id}' ;;
        list) echo 'GET /api/users (page of 50)' ;;
        search) echo 'GET /api/users?q= (page of 50)' ;;
        patch) echo 'PATCH /api/users/{id}' ;;
        post) echo 'POST /api/users (sign-up)' ;;
        storm) echo 'GET /api/users/{id} during a sign-up storm' ;;
    esac
}

table_header() {
    echo "| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | socket errors | peak RSS MB | peak backends | CPU µs/req (process + PostgreSQL) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
}

table_rows() { # target with_ratios name-suffix scenario...
    local target=$1 with_ratio=$2 suffix=$3 s c w v b r cell row
    shift 3
    for s in "$@"; do
        [[ " $scenarios " == *" $s "* ]] || continue
        for c in $connections; do
            [[ -n $(col "$target" "$s" "$c" 5) ]] || continue
            row="| $(scenario_name "$s")$suffix | $c"
            for w in rps p50 p99 errors sockerr rss backends; do
                v=$(figure "$target" "$s" "$c" "$w")
                cell=$(fmt "$w" "$v")
                # No request completed within the run: wrk has no latency to report.
                if [[ $w == p50 || $w == p99 ]] && [[ $(figure "$target" "$s" "$c" rps) == 0* ]]; then cell="none completed"; fi
                if $with_ratio && [[ $w == @(rps|p50|p99|rss|backends) ]]; then
                    b=$(figure baseline "$s" "$c" "$w")
                    r=$(ratio "$v" "$b")
                    [[ -z $r ]] || cell="$cell ($r×)"
                fi
                row="$row | $cell"
            done
            if [[ $(figure "$target" "$s" "$c" rps) == 0* ]]; then
                echo "$row | – |"
            else
                echo "$row | $(figure "$target" "$s" "$c" cpu) + $(figure "$target" "$s" "$c" pgcpu) |"
            fi
        done
    done
}

table() { # target with_ratios scenario...
    table_header
    table_rows "$1" "$2" '' "${@:3}"
}

has_peer() { [[ $with_peer == 1 && " $scenarios " == *" get "* ]]; }

# The issue's comparison for GET by id: every system's req/s, and UserService's (with its token) over each.
peer_section() {
    has_peer || return 0
    local c label name v svc
    cat <<MD
## FastAPI peer (bench/Peer: FastAPI + asyncpg, 2 uvicorn workers with uvloop and httptools)

With the token, the peer does the service's per-request work: verifies the HS256 token (PyJWT), loads the caller's security stamp and role (one statement), then the row; without it (\`/anon/api/users/{id}\`), one statement. CPU is the uvicorn process tree's (supervisor and both workers), RSS their sum.

$(table_header)
$(table_rows peer false ', bearer token' get)
$(table_rows peer-anon false ', no token' get)

## GET /api/users/{id} side by side

| system | conns | req/s | UserService (bearer token) ÷ this | CPU µs/req (process + PostgreSQL) |
|---|---:|---:|---:|---:|
MD
    for c in $connections; do
        svc=$(figure service get "$c" rps)
        for label in service baseline peer peer-anon; do
            case $label in
                service) name='UserService, bearer token' ;;
                baseline) name='Baseline (ASP.NET Core, raw Npgsql), no token' ;;
                peer) name='FastAPI + asyncpg, bearer token (PyJWT, caller'"'"'s row)' ;;
                peer-anon) name='FastAPI + asyncpg, no token' ;;
            esac
            v=$(figure "$label" get "$c" rps)
            [[ -n $v ]] || continue
            echo "| $name | $c | $(fmt rps "$v") | $(ratio "$svc" "$v")× | $(figure "$label" get "$c" cpu) + $(figure "$label" get "$c" pgcpu) |"
        done
    done
}

check() { # description ok(true/false) detail
    if $2; then echo "- [x] $1: $3"; else echo "- [ ] **missed** $1: $3"; fi
}

targets() {
    local c s v b r ok detail worst
    for s in get list; do
        [[ " $scenarios " == *" $s "* ]] || continue
        local min=0.9
        [[ $s == list ]] && min=0.85
        ok=true detail=
        for c in $connections; do
            r=$(ratio "$(figure service "$s" "$c" rps)" "$(figure baseline "$s" "$c" rps)")
            detail+="c$c ${r:-?}× "
            awk -v r="${r:-0}" -v m="$min" 'BEGIN { exit !(r >= m) }' || ok=false
        done
        check "$(scenario_name "$s") throughput ≥ $min× the baseline's" "$ok" "$detail"
    done
    if has_peer; then
        ok=true detail=
        for c in $connections; do
            r=$(ratio "$(figure service get "$c" rps)" "$(figure peer get "$c" rps)")
            detail+="c$c ${r:-?}× "
            awk -v r="${r:-0}" 'BEGIN { exit !(r >= 4) }' || ok=false
        done
        check "GET /api/users/{id} with a bearer token ≥ 4× the FastAPI peer doing the same token work" "$ok" "$detail"
    fi
    ok=true detail=
    for s in get list search patch; do
        [[ " $scenarios " == *" $s "* && " $connections " == *" 32 "* ]] || continue
        v=$(figure service "$s" 32 p99)
        detail+="$s $(fmt p99 "$v") ms; "
        awk -v v="${v:-999999}" 'BEGIN { exit !(v < 25000) }' || ok=false
    done
    [[ -z $detail ]] || check "p99 < 25 ms at 32 connections (reads and PATCH)" "$ok" "$detail"
    worst=$(awk -F'\t' '$1 == "service" { print $11 }' "$tsv" | sort -n | tail -n 1)
    ok=false
    ((${worst:-0} <= pool)) && ok=true
    check "PostgreSQL backends ≤ Maximum Pool Size ($pool) in every run, 256 connections included" "$ok" "peak $worst"
    worst=$(awk -F'\t' '$1 == "service" { print $10 }' "$tsv" | sort -n | tail -n 1)
    ok=false
    ((${worst:-0} < 200 * 1024)) && ok=true
    check "peak RSS under load < 200 MB" "$ok" "peak $(fmt rss "$worst") MB (VmRSS sampled every 100 ms; VmHWM at the end $(fmt rss "$service_hwm") MB)"
    signup_targets
}

# The issue's target 4: sign-up throughput alone, GET during the storm, and how refused sign-ups are answered.
signup_targets() {
    local c v ok detail r p99 line bad
    if [[ " $scenarios " == *" post "* ]]; then
        ok=true detail=
        for c in $connections; do
            v=$(signup_figure service post "$c" r201)
            [[ -n $v ]] || continue
            detail+="c$c $(rate "$v")/s (and $(rate "$(signup_figure service post "$c" r503)") refused/s); "
            awk -v v="$v" 'BEGIN { exit !(v >= 100) }' || ok=false
        done
        check "sign-up alone ≥ 100 per second (201s only)" "$ok" "$detail"
    fi
    if [[ " $scenarios " == *" storm "* ]]; then
        r=$(storm_ratio) p99=$(figure service storm "$storm_get_conns" p99)
        # No GET completed during the storm: wrk reports a p99 of 0, which must not pass.
        awk -v v="$(figure service storm "$storm_get_conns" rps)" 'BEGIN { exit !(v > 0) }' || p99=
        ok=true
        awk -v r="${r:-0}" 'BEGIN { exit !(r >= 0.5) }' || ok=false
        check "during a $storm_conns-client sign-up storm, GET by id keeps ≥ 0.5× its throughput alone" "$ok" \
            "$(fmt rps "$(figure service storm "$storm_get_conns" rps)") against $(fmt rps "$(figure service storm-ref "$storm_get_conns" rps)") req/s, $(small_ratio "$r")× (median of the rounds' ratios)"
        ok=true
        awk -v v="${p99:-999999999}" 'BEGIN { exit !(v < 50000) }' || ok=false
        check "during the storm, GET by id p99 < 50 ms" "$ok" "$(if [[ -n $p99 ]]; then echo "$(fmt p99 "$p99") ms"; else echo 'none completed'; fi) (alone: $(fmt p99 "$(figure service storm-ref "$storm_get_conns" p99)") ms); GET non-2xx $(figure service storm "$storm_get_conns" errors), socket errors $(figure service storm "$storm_get_conns" sockerr)"
    fi
    # Every sign-up run: answers are 201 or 503 + Retry-After, none slower than $signup_slow_ms ms, no socket errors.
    ok=true detail=
    while IFS=$'\t' read -r -a line; do
        bad=$((line[7] + line[8] + line[9] + line[16]))
        ((bad == 0)) || ok=false
        detail+="${line[1]} c${line[2]} #${line[3]}: $(printf %s "${line[17]}" | tr , ' '), 503 p99 $(lat "${line[14]}") ms"
        ((bad == 0)) || detail+=" (other statuses ${line[7]}, 503 without Retry-After ${line[8]}, slower than ${signup_slow_ms} ms or unanswered ${line[9]}, socket errors ${line[16]})"
        detail+="; "
    done <"$signup_tsv"
    [[ -z $detail ]] || check "sign-ups are answered 201, or 503 with Retry-After, within ${signup_slow_ms} ms (no time-outs, no other statuses, no socket errors)" "$ok" "$detail"
}

# Sign-up figures ($signup_tsv, see record_signups in lib.sh) of label/scenario/conns: per-round rates are medians,
# counts sums, latencies medians (max_503: the maximum).
signup_figure() { # label scenario conns what
    case $4 in
        r201 | r503 | share503 | p50_201 | p99_201 | p50_503 | p99_503) signup_values "$@" | median ;;
        *) signup_values "$@" ;;
    esac
}

signup_values() { # label scenario conns what: one value per round (rates, latencies), or the total
    awk -F'\t' -v t="$1" -v s="$2" -v c="$3" -v w="$4" '
        $1 == t && $2 == s && $3 == c {
            d = $5 / 1e6; if (d <= 0) d = 1
            if (w == "r201") print $6 / d
            else if (w == "r503") print $7 / d
            else if (w == "share503") print ($6 + $7 + $8 > 0) ? 100 * $7 / ($6 + $7 + $8) : 0
            else if (w == "p50_201") print $12
            else if (w == "p99_201") print $13
            else if (w == "p50_503") print $14
            else if (w == "p99_503") print $15
            else if (w == "max_503") { if ($16 > m) m = $16 }
            else if (w == "other") sum += $8
            else if (w == "no_retry_after") sum += $9
            else if (w == "slow") sum += $10
            else if (w == "unanswered") sum += $11
            else if (w == "sockerr") sum += $17
            else if (w == "statuses") { st = st (st == "" ? "" : " ") $18 }
            rows++
        }
        END {
            if (!rows) exit
            if (w == "statuses") { print st; exit }
            if (w ~ /^(other|no_retry_after|slow|unanswered|sockerr)$/) { print sum + 0; exit }
            if (w == "max_503") print m + 0
        }' "$signup_tsv"
}

rate() { [[ -n $1 ]] && awk -v v="$1" 'BEGIN { printf "%.1f", v }' || echo "–"; }
# A latency from post.lua's per-status histogram (0: no such answer).
lat() { if [[ -z $1 || $1 == 0 ]]; then echo "–"; else ms "$1"; fi; }

post_section() {
    [[ " $scenarios " == *" post "* ]] || return 0
    local c cpu rps r201
    cat <<MD
## Sign-up alone (POST /api/users, anonymous; the issue's target 4: ≥ 100 per second)

wrk with one thread per connection, each connection signing up never-used emails back to back; a client refused
with 503 (or 429) waits min(Retry-After, ${signup_retry_ms} ms) before its next try. **Sign-ups per second count 201s only**:
a sign-up refused by admission control (503) is not throughput. Latencies are post.lua's, per status.

| conns | sign-ups/s (201) | refused/s (503) | other answers (all statuses seen) | socket errors | 503 without Retry-After | slower than ${signup_slow_ms} ms or unanswered | unanswered at the end | 201 p50 / p99 ms | 503 p50 / p99 ms | peak RSS MB | CPU ms per 201 (process) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
MD
    for c in $connections; do
        [[ -n $(signup_figure service post "$c" statuses) ]] || continue
        rps=$(figure service post "$c" rps) r201=$(signup_figure service post "$c" r201)
        cpu=$(awk -v c="$(figure service post "$c" cpu)" -v a="$rps" -v r="$r201" 'BEGIN { if (r > 0) printf "%.1f", c * a / r / 1000; else print "–" }')
        echo "| $c | **$(rate "$r201")** | $(rate "$(signup_figure service post "$c" r503)") | $(signup_figure service post "$c" other) ($(signup_figure service post "$c" statuses)) | $(signup_figure service post "$c" sockerr) | $(signup_figure service post "$c" no_retry_after) | $(signup_figure service post "$c" slow) | $(signup_figure service post "$c" unanswered) | $(lat "$(signup_figure service post "$c" p50_201)") / $(lat "$(signup_figure service post "$c" p99_201)") | $(lat "$(signup_figure service post "$c" p50_503)") / $(lat "$(signup_figure service post "$c" p99_503)") | $(fmt rss "$(figure service post "$c" rss)") | $cpu |"
    done
    echo
    echo "Other answers list every status seen as status:count. CPU per 201 is the service's user + system time over the sign-ups it created (refusals included in the cost)."
}

# The storm: GET by id alone, then GET by id while $storm_conns connections sign up, per round.
storm_section() {
    [[ " $scenarios " == *" storm "* ]] || return 0
    local c=$storm_get_conns round a b r
    cat <<MD
## Sign-up storm (the issue's target 4): GET by id during $storm_conns clients signing up

Per round, wrk drives \`GET /api/users/{id}\` with the bench admin's token (2 threads, $c connections, $duration s)
alone, then again while a second wrk drives anonymous sign-ups (never-used emails) from $storm_conns connections, one
thread each, started ${storm_lead} s before and stopped 1 s after the GET run; a refused client waits
min(Retry-After, ${signup_retry_ms} ms) before it tries again. Ratio: GET req/s during the storm over GET req/s alone
in the same round.

| round | GET alone req/s | GET during storm req/s | ratio | p50 ms alone / storm | p99 ms alone / storm | GET non-2xx + socket errors (storm) | peak RSS MB | peak backends |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
MD
    for ((round = 1; round <= rounds; round++)); do
        a=$(storm_col storm-ref "$round" 5) b=$(storm_col storm "$round" 5)
        [[ -n $b ]] || continue
        echo "| $round | $(fmt rps "$a") | $(fmt rps "$b") | $(small_ratio "$(ratio3 "$b" "$a")")× | $(get_lat "$a" "$(storm_col storm-ref "$round" 6)") / $(get_lat "$b" "$(storm_col storm "$round" 6)") | $(get_lat "$a" "$(storm_col storm-ref "$round" 7)") / **$(get_lat "$b" "$(storm_col storm "$round" 7)")** | $(storm_col storm "$round" 8) + $(storm_col storm "$round" 9) | $(fmt rss "$(storm_col storm "$round" 10)") | $(storm_col storm "$round" 11) |"
    done
    echo "| **median** | $(fmt rps "$(figure service storm-ref "$c" rps)") | $(fmt rps "$(figure service storm "$c" rps)") | **$(small_ratio "$(storm_ratio)")×** | $(get_lat "$(figure service storm-ref "$c" rps)" "$(figure service storm-ref "$c" p50)") / $(get_lat "$(figure service storm "$c" rps)" "$(figure service storm "$c" p50)") | $(get_lat "$(figure service storm-ref "$c" rps)" "$(figure service storm-ref "$c" p99)") / **$(get_lat "$(figure service storm "$c" rps)" "$(figure service storm "$c" p99)")** | $(figure service storm "$c" errors) + $(figure service storm "$c" sockerr) | $(fmt rss "$(figure service storm "$c" rss)") | $(figure service storm "$c" backends) |"
    cat <<MD

Sign-ups during the storm ($storm_conns connections):

| round | sign-ups/s (201) | refused/s (503) | 503 share | other answers (all statuses seen) | socket errors | 503 without Retry-After | slower than ${signup_slow_ms} ms or unanswered | unanswered at the end | 201 p50 / p99 ms | 503 p50 / p99 / max ms |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
MD
    for ((round = 1; round <= rounds; round++)); do
        [[ -n $(awk -F'\t' -v r="$round" -v c="$storm_conns" '$1 == "service" && $2 == "storm" && $3 == c && $4 == r' "$signup_tsv") ]] || continue
        echo "| $round | $(storm_signup "$round" r201) | $(storm_signup "$round" r503) | $(storm_signup "$round" share) | $(storm_signup "$round" other) | $(storm_signup "$round" sockerr) | $(storm_signup "$round" no_retry_after) | $(storm_signup "$round" slow) | $(storm_signup "$round" unanswered) | $(storm_signup "$round" lat201) | $(storm_signup "$round" lat503) |"
    done
    echo "| **median / sum** | $(rate "$(signup_figure service storm "$storm_conns" r201)") | $(rate "$(signup_figure service storm "$storm_conns" r503)") | $(rate "$(signup_figure service storm "$storm_conns" share503)")% | $(signup_figure service storm "$storm_conns" other) | $(signup_figure service storm "$storm_conns" sockerr) | $(signup_figure service storm "$storm_conns" no_retry_after) | $(signup_figure service storm "$storm_conns" slow) | $(signup_figure service storm "$storm_conns" unanswered) | $(lat "$(signup_figure service storm "$storm_conns" p50_201)") / $(lat "$(signup_figure service storm "$storm_conns" p99_201)") | $(lat "$(signup_figure service storm "$storm_conns" p50_503)") / $(lat "$(signup_figure service storm "$storm_conns" p99_503)") / $(lat "$(signup_figure service storm "$storm_conns" max_503)") |"
    echo
    echo "Other answers: every status seen, as status:count per round: $(signup_figure service storm "$storm_conns" statuses)."
}

# A GET latency (µs) in ms, or "none completed" when the run answered nothing (wrk then reports 0). get_lat rps µs
get_lat() { if [[ -z $1 || $1 == 0* ]] && ! awk -v v="${1:-0}" 'BEGIN { exit !(v > 0) }'; then echo "none completed"; else fmt p99 "$2"; fi; }

# Column k of the storm's (or its reference's) row of one round in $tsv.
storm_col() { awk -F'\t' -v s="$1" -v r="$2" -v c="$storm_get_conns" -v k="$3" '$1 == "service" && $2 == s && $3 == c && $4 == r { print $k }' "$tsv"; }

# Ratios with 3 decimals, printed with 2 unless under 0.1 (a collapse shows as 0.004×, not 0.00×).
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.3f\n", a / b }'; }
small_ratio() { awk -v r="$1" 'BEGIN { if (r == "") print "?"; else if (r < 0.1) printf "%.3f", r; else printf "%.2f", r }'; }

# Median over rounds of GET req/s during the storm ÷ GET req/s alone in the same round.
storm_ratio() {
    local round a b
    for ((round = 1; round <= rounds; round++)); do
        a=$(storm_col storm-ref "$round" 5) b=$(storm_col storm "$round" 5)
        [[ -n $a && -n $b ]] && ratio3 "$b" "$a"
    done | median
}

# One round's sign-up figure of the storm, formatted.
storm_signup() { # round what
    awk -F'\t' -v r="$1" -v c="$storm_conns" -v w="$2" '
        function ms(us) { return us > 0 ? sprintf("%.2f", us / 1000) : "–" }
        $1 == "service" && $2 == "storm" && $3 == c && $4 == r {
            d = $5 / 1e6; if (d <= 0) d = 1
            if (w == "r201") printf "%.1f", $6 / d
            else if (w == "r503") printf "%.1f", $7 / d
            else if (w == "share") printf "%.1f%%", ($6 + $7 + $8 > 0) ? 100 * $7 / ($6 + $7 + $8) : 0
            else if (w == "other") printf "%s (%s)", $8, $18
            else if (w == "no_retry_after") print $9
            else if (w == "slow") print $10
            else if (w == "unanswered") print $11
            else if (w == "sockerr") print $17
            else if (w == "lat201") printf "%s / %s", ms($12), ms($13)
            else if (w == "lat503") printf "%s / %s / %s", ms($14), ms($15), ms($16)
        }' "$signup_tsv"
}

# The scenarios the service and the baseline both answer (none when only post and storm were asked for).
side_by_side() {
    [[ " $scenarios " == *" "@(get|list|search|patch)" "* ]] || return 0
    cat <<MD
## UserService (in brackets: ratio to the baseline)

$(table service true get list search patch)

## Baseline (bench/Baseline: minimal ASP.NET Core, raw Npgsql, no validation)

$(table baseline false get list search patch)
MD
}

startup_section() {
    ((startup_runs > 0)) || return 0
    cat <<MD
## Start-up

Process start to \`/health/ready\` = 200, against a ready database: median **$1 ms** of $startup_runs runs ($(paste -sd ' ' "$runs/$run_id-startup.txt" | sed 's/ / ms, /g') ms).
MD
}

report() {
    local startup_median gc cpu
    startup_median=$(median <"$runs/$run_id-startup.txt")
    gc=$(sed -n 's/^ *"\(System\.GC\.[A-Za-z]*\|System\.Runtime\.TieredPGO\|System\.Runtime\.TieredCompilation[A-Za-z.]*\)": *\([^,]*\),*$/\1=\2/p' \
        "$out/service/UserService.runtimeconfig.json" | paste -sd ' ')
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    cat <<MD
# Benchmark results

Written by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); what the figures mean: [README.md](README.md).

## Settings

| | |
|---|---|
| machine | $(nproc) cores ($cpu), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr) |
| software | .NET $(dotnet --list-runtimes | awk '/NETCore.App/ { v = $2 } END { print v }'), $(postgres_version), wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }') |
| service | \`$(service_revision)\`, Release, \`dotnet UserService.dll\`; runtimeconfig: ${gc:-defaults}${BENCH_SERVICE_ENV:+; env \`$BENCH_SERVICE_ENV\`} |$(peer_setting)
| database | PostgreSQL on 127.0.0.1:$pg_port (scripts/postgres.sh), $(figure_users) users; connection string \`$service_cs\` (the baseline: the same, Application Name=Baseline) |
| load | wrk, 2 threads, ${connections// / and } connections, $duration s per run (POST: $post_duration s, 1 run) after a $warmup s warm-up, median of $rounds runs, service and baseline$(has_peer && echo " (and, for GET, the peer with and without token)") runs interleaved; each run first waits for the machine to be quiet |

$(side_by_side)

$(peer_section)

$(post_section)

$(storm_section)

$(startup_section "$startup_median")

$(profile_section)

## Targets

$(targets)

Busy CPU seen just before the runs (other work on this shared machine; the script waits up to 15 s for ≤ 15%): at most $(awk -F'\t' '{ print $12 }' "$tsv" | sort -n | tail -n 1)%. Raw figures: \`bench/out/runs/$run_id.tsv\`.
MD
}

postgres_version() { "${psql_[@]}" -c "SHOW server_version" | awk '{ print "PostgreSQL " $1 }'; }
figure_users() { "${psql_[@]}" -c "SELECT count(*) FROM users"; }

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

    report >"$results"
    log "results written to $results"
    cat "$results"
}

main "$@"
