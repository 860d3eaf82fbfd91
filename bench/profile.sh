#!/usr/bin/env bash
# Stage profile: where UserService's CPU goes per request, by stage (pipeline, authentication, authorization,
# binding and validation, SQL, serialization, GC, ...), from a real CPU sample profile. Prints a Markdown table
# (µs of service CPU per request and share per stage) that bench/results.md can include, with the git revision.
#
#   bench/profile.sh                                   GET /api/users/{id} with the bench admin's bearer token
#   PROFILE_SCENARIOS="get list patch" bench/profile.sh
#   PROFILE_OUT=bench/profile-before.md bench/profile.sh   also write the table there
#
# How: the published service (bench/out/service, started from its folder as bench/run.sh does) runs with
# DOTNET_PerfMapEnabled=1 (JIT code named in /tmp/perf-PID.map), DOTNET_EnableWriteXorExecute=0 (JIT code in
# anonymous memory, which perf names through that map) and LD_PRELOAD=bench/profile/fpsyscalls.c built into a .so
# (keeps frame-pointer call chains whole through glibc's socket calls; see that file). After a warm-up (tiered JIT
# settles), `perf record -e cpu-clock -g` samples the process while wrk drives the scenario; its user + system time
# (/proc) over the requests answered gives CPU per request, and bench/profile/stages.py splits it by stage from the
# frames on each sample's stack (rules in that file's header). Installs wrk, curl, linux-perf and gcc when missing.
#
# Knobs (environment; defaults in brackets):
#   PROFILE_SCENARIOS [get]  get | list | search | patch (as in bench/run.sh)
#   PROFILE_DURATION [15]    seconds of profile per scenario    PROFILE_WARMUP [15]  seconds of warm-up (all scenarios)
#   PROFILE_CONNECTIONS [32] wrk connections (2 threads)        PROFILE_FREQUENCY [499]  samples per second per CPU
#   PROFILE_OUT              also write the Markdown there      PROFILE_DETAIL [1]  list the largest items of "other"
#   BENCH_BUILD [1]  0: reuse bench/out/service as it is;  BENCH_POOL_SIZE, BENCH_TOKEN, BENCH_PG_PORT as in run.sh
#   BENCH_PROFILE_PORT [5304]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenarios=${PROFILE_SCENARIOS:-get}
profile_duration=${PROFILE_DURATION:-15}
profile_warmup=${PROFILE_WARMUP:-15}
profile_conns=${PROFILE_CONNECTIONS:-32}
frequency=${PROFILE_FREQUENCY:-499}
port=${BENCH_PROFILE_PORT:-5304}
python=/usr/bin/python3 # the system python: stages.py needs nothing beyond its standard library
prof=$out/profile
service_pid=''
max_busy=0

setup_profiler() {
    local missing=()
    command -v perf >/dev/null || missing+=(linux-perf)
    command -v gcc >/dev/null || missing+=(gcc libc6-dev)
    [[ -x $python ]] || missing+=(python3)
    if ((${#missing[@]})); then
        [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}"
        log "installing ${missing[*]} with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update >&2 || log "warning: apt-get update failed; trying the install anyway"
        apt-get install -y "${missing[@]}" >&2
    fi
    perf version >/dev/null 2>&1 || die "perf does not run (on Ubuntu: apt-get install linux-tools-\$(uname -r))"
    mkdir -p "$prof"
    gcc -O2 -fno-omit-frame-pointer -shared -fPIC -o "$prof/fpsyscalls.so" "$bench/profile/fpsyscalls.c"
}

scenario_name() {
    case $1 in
        get) echo 'GET /api/users/{id}' ;;
        list) echo 'GET /api/users (page of 50)' ;;
        search) echo 'GET /api/users?q= (page of 50)' ;;
        patch) echo 'PATCH /api/users/{id}' ;;
        *) die "unknown scenario $1 (get, list, search, patch)" ;;
    esac
}

# wrk against the service for $2 seconds on scenario $1; prints wrk's RESULT line.
drive() { # scenario seconds
    local script args=()
    case $1 in
        get) script=get.lua args=("$data/ids.txt") ;;
        list) script=list.lua args=("$data/cursors.txt") ;;
        search) script=search.lua args=("$bench/lua/terms.txt") ;;
        patch) script=patch.lua args=("$data/ids.txt" "$bench/lua/terms.txt") ;;
    esac
    BENCH_TOKEN=$token BENCH_RUN_ID="$run_id-profile-$1" wrk -t2 "-c$profile_conns" "-d$2s" --timeout 10s \
        -s "$bench/lua/$script" "http://127.0.0.1:$port" -- "${args[@]}" | grep '^RESULT'
}

# Profiles one scenario; appends "name=perf-script-file:requests:cpu_us:pg_cpu_us" to specs.
specs=()
profile_scenario() { # scenario
    local s=$1 data_file=$prof/$run_id-$1.data text=$prof/$run_id-$1.txt perf_pid ticks result kv requests=0 cpu_us pg_us
    drive "$s" 3 >/dev/null
    wait_for_quiet
    ((busy > max_busy)) && max_busy=$busy
    pg_ticks UserService >"$prof/$run_id-$s.pg0"
    perf record -q -e cpu-clock -F "$frequency" -g -p "$service_pid" -o "$data_file" 2>>"$prof/perf.log" &
    perf_pid=$!
    sleep 0.3
    ticks=$(cpu_ticks "$service_pid")
    result=$(drive "$s" "$profile_duration") || die "wrk printed no result for $s"
    ticks=$(($(cpu_ticks "$service_pid") - ticks))
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
    pg_ticks UserService >"$prof/$run_id-$s.pg1"
    for kv in ${result#RESULT }; do
        [[ ${kv%%=*} == requests ]] && requests=${kv#*=}
    done
    ((requests > 0)) || die "no request answered in the $s run"
    cpu_us=$((ticks * 1000000 / $(getconf CLK_TCK)))
    pg_us=$(pg_ticks_used "$prof/$run_id-$s.pg0" "$prof/$run_id-$s.pg1")
    [[ -z $pg_us ]] || pg_us=$((pg_us * 1000000 / $(getconf CLK_TCK)))
    perf script -i "$data_file" 2>>"$prof/perf.log" >"$text"
    log "$(printf '%-7s %6d requests in %s s (%.0f req/s), CPU %d µs/req (PostgreSQL %s), %s samples' "$s" "$requests" \
        "$profile_duration" "$(awk -v n="$requests" -v d="$profile_duration" 'BEGIN { print n / d }')" \
        $((cpu_us / requests)) "${pg_us:+$((pg_us / requests)) µs/req}" "$(grep -c 'cpu-clock:' "$text")")"
    specs+=("--scenario" "$(scenario_name "$s")=$text:$requests:$cpu_us:$pg_us")
}

main() {
    local s rev md
    setup_tools
    setup_profiler
    start_postgres
    if [[ ${BENCH_BUILD:-1} == 1 ]]; then publish "$repo/src/UserService.csproj" "$out/service"; fi
    # The service's code: the last commit that changed src/ (+dirty when the working tree differs).
    rev="$(git -C "$repo" log -1 --format=%h HEAD -- src)$(git -C "$repo" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')"

    start_app "$out/service" UserService.dll "$port" "$cs_base" "${identity_env[@]}" \
        DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "LD_PRELOAD=$prof/fpsyscalls.so"
    service_pid=$started_pid
    wait_ready "$service_pid" "$port" /health/ready
    sign_in "$port"
    seed "$port"
    [[ -s $data/ids.txt && -s $data/cursors.txt ]] || make_inputs "$port"

    log "warm-up: $profile_warmup s (tiered JIT settles)"
    for s in $scenarios; do
        scenario_name "$s" >/dev/null
        drive "$s" $(((profile_warmup + 1) / $(wc -w <<<"$scenarios"))) >/dev/null
    done
    for s in $scenarios; do profile_scenario "$s"; done

    md=$prof/$run_id.md
    {
        "$python" "$bench/profile/stages.py" --rev "$rev" "${specs[@]}" $([[ ${PROFILE_DETAIL:-1} == 1 ]] && echo --detail)
        echo
        echo "Settings: $(date -u '+%Y-%m-%d %H:%M UTC'), src/ as of \`$rev\` (checkout \`$(git -C "$repo" rev-parse --short HEAD)\`), $(nproc) cores, wrk -t2 -c$profile_conns with the bench admin's bearer token," \
            "$profile_duration s per scenario after $profile_warmup s of warm-up, perf cpu-clock at $frequency Hz with frame-pointer" \
            "call chains; Maximum Pool Size $pool; the service with DOTNET_PerfMapEnabled=1, DOTNET_EnableWriteXorExecute=0 and" \
            "bench/profile/fpsyscalls.c preloaded. Busy CPU just before the runs (other work on the machine): up to $max_busy%."
    } >"$md"
    # Keep the symbolized stacks (stages.py reads them gzipped, to try other rules); perf.data is of no use
    # without the perf map, removed below.
    gzip -f "$prof/$run_id"-*.txt
    rm -f "$prof/$run_id"-*.data "$prof/$run_id"-*.pg[01]
    stop_pid "$service_pid"
    rm -f "/tmp/perf-$service_pid.map" "/tmp/perfinfo-$service_pid.map"
    if [[ -n ${PROFILE_OUT:-} ]]; then cp "$md" "$PROFILE_OUT"; fi
    log "profile written to ${md#"$repo"/}${PROFILE_OUT:+ and $PROFILE_OUT}"
    cat "$md"
}

main "$@"
