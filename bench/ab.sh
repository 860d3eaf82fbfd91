#!/usr/bin/env bash
# Measures one lever: two variants of the service, A and B, in interleaved runs (A, B, A, B, ...) on the seeded
# database, so that the drifting load of a shared machine hits both alike. Prints medians and B/A.
#
#   B_ENV="DOTNET_gcServer=0" bench/ab.sh
#   B_CS_EXTRA="Max Auto Prepare=0" BENCH_SCENARIOS=get bench/ab.sh
#   A_REF=HEAD~1 B_REF=HEAD bench/ab.sh              (a code change: each side built from a git ref)
#
#   A_ENV, B_ENV               extra environment of each variant (NAME=value words)
#   A_CS_EXTRA, B_CS_EXTRA     appended to each variant's connection string
#   A_REF, B_REF               git ref to build each variant from [the working tree]
#   A_BUILD, B_BUILD           extra `dotnet publish` arguments, e.g. "-p:TieredPGO=false"
#   BENCH_SCENARIOS [get list]  BENCH_CONNECTIONS [32 256]  BENCH_ROUNDS [5]  BENCH_DURATION [10]
#   BENCH_STARTUP_RUNS [0]     also time start-up (process start to /health/ready) this many times each
#   BENCH_BUILD [1]            0: reuse bench/out/ab-a and bench/out/ab-b as they are
#   A_PORT [5311], B_PORT [5312]  where each variant listens
# plus BENCH_POOL_SIZE, BENCH_WARMUP, BENCH_TOKEN, BENCH_PG_PORT as in bench/run.sh.
set -euo pipefail
export BENCH_ROUNDS=${BENCH_ROUNDS:-5}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenarios=${BENCH_SCENARIOS:-get list}
startup_runs=${BENCH_STARTUP_RUNS:-0}
declare -A port=([a]=${A_PORT:-5311} [b]=${B_PORT:-5312}) pid=()

build_variant() { # a|b ref build-args
    local side=$1 ref=$2 src=$repo
    local -a args
    read -r -a args <<<"$3"
    if [[ -n $ref ]]; then
        src=$out/ab-src-$side
        rm -rf "$src"
        mkdir -p "$src"
        git -C "$repo" archive "$ref" | tar -x -C "$src"
    fi
    publish "$src/src/UserService.csproj" "$out/ab-$side" "${args[@]}"
}

start_variant() { # a|b
    local side=$1 upper cs_var env_var
    upper=${side^^}
    cs_var=${upper}_CS_EXTRA env_var=${upper}_ENV
    local -a env_
    read -r -a env_ <<<"${!env_var:-}"
    start_app "$out/ab-$side" UserService.dll "${port[$side]}" \
        "$cs_base;Application Name=UserService-$upper${!cs_var:+;${!cs_var}}" "${identity_env[@]}" "${env_[@]}"
    pid[$side]=$started_pid
}

variant() { measure "$1" "${port[$1]}" "${pid[$1]}" "UserService-${1^^}" "${@:2}"; }

main() {
    local side scenario conns round t0 t1
    setup_tools
    tsv=$runs/$run_id-ab.tsv
    : >"$tsv"
    start_postgres
    if [[ ${BENCH_BUILD:-1} == 1 ]]; then
        build_variant a "${A_REF:-}" "${A_BUILD:-}"
        build_variant b "${B_REF:-}" "${B_BUILD:-}"
    fi
    : >"$out/ab-a.log"
    : >"$out/ab-b.log"

    for side in a b; do
        start_variant "$side"
        wait_ready "${pid[$side]}" "${port[$side]}" /health/ready
    done
    sign_in "${port[a]}"
    seed "${port[a]}"
    [[ -s $data/ids.txt && -s $data/cursors.txt ]] || make_inputs "${port[a]}"

    for conns in $connections; do
        for scenario in $scenarios; do
            for side in a b; do variant "$side" "$scenario" "$conns" warmup; done
            for ((round = 1; round <= rounds; round++)); do
                for side in a b; do variant "$side" "$scenario" "$conns" "$round"; done
            done
        done
    done

    for side in a b; do
        awk '/VmHWM/ { printf "bench: %s VmHWM %.0f MB\n", side, $2 / 1024 }' side="${side^^}" "/proc/${pid[$side]}/status" >&2
        stop_pid "${pid[$side]}"
    done
    for ((round = 1; round <= startup_runs; round++)); do
        for side in a b; do
            wait_for_quiet
            t0=$(date +%s%N)
            start_variant "$side"
            wait_ready "${pid[$side]}" "${port[$side]}" /health/ready
            t1=$(date +%s%N)
            stop_pid "${pid[$side]}"
            printf '%s\tstartup\t-\t%s\t%s\n' "$side" "$round" $(((t1 - t0) / 1000000)) >>"$tsv"
        done
    done

    echo
    echo "A: ${A_REF:-worktree} ${A_BUILD:-} ${A_ENV:-} ${A_CS_EXTRA:-}"
    echo "B: ${B_REF:-worktree} ${B_BUILD:-} ${B_ENV:-} ${B_CS_EXTRA:-}"
    echo "(medians of $rounds runs of $duration s; B/A > 1 means B is higher)"
    printf '%s\t%s\n' scenarios "$scenarios" connections "$connections" startup_runs "$startup_runs" \
        >"$runs/$run_id-ab-settings.tsv"
    python3 "$bench/report.py" --ab "$runs/$run_id"
}

main "$@"
