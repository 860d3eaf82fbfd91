#!/usr/bin/env bash
# Load benchmark: UserService (Release) against a raw-Npgsql baseline on one seeded PostgreSQL, driven by wrk
# over loopback. Writes bench/results.md. What it measures, the knobs and the figures: bench/README.md.
#
#   bench/run.sh
#
# Knobs (environment; defaults in brackets):
#   BENCH_POOL_SIZE [16]          Maximum Pool Size of the service and of the baseline
#   BENCH_CONNECTIONS ["32 256"]  wrk connection counts (always 2 threads)
#   BENCH_SCENARIOS ["get list search patch post"]
#   BENCH_DURATION [10]  BENCH_POST_DURATION [20]  BENCH_WARMUP [3]  BENCH_ROUNDS [3]
#                                 seconds per run, per sign-up run, of warm-up; runs per figure (their median)
#   BENCH_USERS [100000]          seeded users (seeded once, reused while the cluster keeps them)
#   BENCH_TOKEN                   bearer token sent on every request (default: the bench admin's, signed in at start)
#   BENCH_SERVICE_ENV             extra env for the service only, e.g. "DOTNET_gcServer=0"
#   BENCH_SERVICE_CS_EXTRA        appended to the service's connection string, e.g. "Max Auto Prepare=0"
#   BENCH_RESULTS [bench/results.md]  BENCH_BUILD [1]  BENCH_STARTUP_RUNS [5]  BENCH_QUIET_BUDGET [120]
#   BENCH_PG_PORT [55433]  BENCH_SERVICE_PORT [5301]  BENCH_BASELINE_PORT [5302]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenarios=${BENCH_SCENARIOS:-get list search patch post}
results=${BENCH_RESULTS:-$bench/results.md}
startup_runs=${BENCH_STARTUP_RUNS:-5}
service_port=${BENCH_SERVICE_PORT:-5301}
baseline_port=${BENCH_BASELINE_PORT:-5302}
read -r -a service_env <<<"${BENCH_SERVICE_ENV:-}"
service_cs="$cs_base${BENCH_SERVICE_CS_EXTRA:+;$BENCH_SERVICE_CS_EXTRA}"
service_pid=''
baseline_pid=''

start_service() {
    start_app "$out/service" UserService.dll "$service_port" "$service_cs" "${identity_env[@]}" "${service_env[@]}"
    service_pid=$started_pid
}

service() { measure service "$service_port" "$service_pid" UserService "$@"; }
baseline() { measure baseline "$baseline_port" "$baseline_pid" Baseline "$@"; }

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

# ---------------------------------------------------------------------------------------------- report






scenario_name() {
    case $1 in
        get) echo 'GET /api/users/{id}' ;;
        list) echo 'GET /api/users (page of 50)' ;;
        search) echo 'GET /api/users?q= (page of 50)' ;;
        patch) echo 'PATCH /api/users/{id}' ;;
        post) echo 'POST /api/users (sign-up)' ;;
    esac
}

table() { # target with_ratios scenario...
    local target=$1 with_ratio=$2 s c w v b r cell row
    shift 2
    echo "| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | socket errors | peak RSS MB | peak backends | CPU µs/req (process + PostgreSQL) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for s in "$@"; do
        [[ " $scenarios " == *" $s "* ]] || continue
        for c in $connections; do
            [[ -n $(col "$target" "$s" "$c" 5) ]] || continue
            row="| $(scenario_name "$s") | $c"
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
    ok=true detail=
    for s in get list search patch; do
        [[ " $scenarios " == *" $s "* && " $connections " == *" 32 "* ]] || continue
        v=$(figure service "$s" 32 p99)
        detail+="$s $(fmt p99 "$v") ms; "
        awk -v v="${v:-999999}" 'BEGIN { exit !(v < 25000) }' || ok=false
    done
    check "p99 < 25 ms at 32 connections (reads and PATCH)" "$ok" "$detail"
    worst=$(awk -F'\t' '$1 == "service" { print $11 }' "$tsv" | sort -n | tail -n 1)
    ok=false
    ((${worst:-0} <= pool)) && ok=true
    check "PostgreSQL backends ≤ Maximum Pool Size ($pool) in every run, 256 connections included" "$ok" "peak $worst"
    worst=$(awk -F'\t' '$1 == "service" { print $10 }' "$tsv" | sort -n | tail -n 1)
    ok=false
    ((${worst:-0} < 200 * 1024)) && ok=true
    check "peak RSS under load < 200 MB" "$ok" "peak $(fmt rss "$worst") MB (VmRSS sampled every 100 ms; VmHWM at the end $(fmt rss "$service_hwm") MB)"
}

post_section() {
    [[ " $scenarios " == *" post "* ]] || return 0
    cat <<MD
## Sign-up (POST, reported apart: dominated by PBKDF2 with 210,000 iterations)

$(table service false post)

Each sign-up costs ~$(figure service post "${connections%% *}" cpu | awk '{ printf "%.0f", $1 / 1000 }') ms of CPU, so $(nproc) cores complete about $(figure service post "${connections%% *}" rps | awk '{ printf "%.0f", $1 }') per second. The hash runs on the request's thread with no admission limit: with many sign-ups in flight they all share the cores and finish together, late (at 256 connections, ~256 × that CPU / $(nproc) cores each), and every other request waits for CPU meanwhile. See README.md.
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
| service | \`$(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')\`, Release, \`dotnet UserService.dll\`; runtimeconfig: ${gc:-defaults}${BENCH_SERVICE_ENV:+; env \`$BENCH_SERVICE_ENV\`} |
| database | PostgreSQL on 127.0.0.1:$pg_port (scripts/postgres.sh), $(figure_users) users; connection string \`$service_cs\` (the baseline: the same, Application Name=Baseline) |
| load | wrk, 2 threads, ${connections// / and } connections, $duration s per run (POST: $post_duration s, 1 run) after a $warmup s warm-up, median of $rounds runs, service and baseline runs interleaved; each run first waits for the machine to be quiet |

## UserService (in brackets: ratio to the baseline)

$(table service true get list search patch)

## Baseline (bench/Baseline: minimal ASP.NET Core, raw Npgsql, no validation)

$(table baseline false get list search patch)

$(post_section)

## Start-up

Process start to \`/health/ready\` = 200, against a ready database: median **${startup_median} ms** of $startup_runs runs ($(paste -sd ' ' "$runs/$run_id-startup.txt" | sed 's/ / ms, /g') ms).

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
    tsv=$runs/$run_id.tsv
    : >"$tsv"
    : >"$out/service.log"
    : >"$out/baseline.log"

    start_postgres
    if [[ ${BENCH_BUILD:-1} == 1 ]]; then
        publish "$repo/src/UserService.csproj" "$out/service"
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

    log "warm-up"
    for scenario in $scenarios; do
        service "$scenario" 32 warmup
        [[ $scenario == post ]] || baseline "$scenario" 32 warmup
    done

    for conns in $connections; do
        for scenario in $scenarios; do
            targets_=(service)
            [[ $scenario == post ]] || targets_+=(baseline)
            n=$rounds
            [[ $scenario == post ]] && n=1
            for target in "${targets_[@]}"; do "$target" "$scenario" "$conns" warmup; done
            for ((round = 1; round <= n; round++)); do
                for target in "${targets_[@]}"; do "$target" "$scenario" "$conns" "$round"; done
            done
        done
    done

    service_hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$service_pid/status")
    stop_pid "$service_pid"
    stop_pid "$baseline_pid"
    measure_startup

    report >"$results"
    log "results written to $results"
    cat "$results"
}

main "$@"
