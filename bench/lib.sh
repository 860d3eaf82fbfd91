# Shared by bench/run.sh and bench/ab.sh (sourced, not run). Knobs: see the header of bench/run.sh.
# shellcheck shell=bash disable=SC2034,SC2154  # globals shared with the scripts that source this file

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$bench")
out=$bench/out
data=$out/data
runs=$out/runs

pool=${BENCH_POOL_SIZE:-16}
connections=${BENCH_CONNECTIONS:-32 256}
duration=${BENCH_DURATION:-10}
post_duration=${BENCH_POST_DURATION:-20}
warmup=${BENCH_WARMUP:-3}
rounds=${BENCH_ROUNDS:-3}
users=${BENCH_USERS:-100000}
pg_port=${BENCH_PG_PORT:-55433}
token=${BENCH_TOKEN:-}
run_id=$(date +%Y%m%d%H%M%S)
signup_tsv=$runs/$run_id-signups.tsv
quiet_budget=${BENCH_QUIET_BUDGET:-120}

# Our own cluster, whatever the caller's shell points at.
unset USERSERVICE_PG_DATA ConnectionStrings__Users
export USERSERVICE_PG_PORT=$pg_port
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1

cs_base="Host=127.0.0.1;Port=$pg_port;Database=users;Username=postgres;Maximum Pool Size=$pool"
psql_=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d users)
auth=()
if [[ -n $token ]]; then auth=(-H "Authorization: Bearer $token"); fi

# Identity: the service signs tokens with this key and creates this admin at startup (when no admin exists); the
# token lives for the whole run, and throttling (a defence against password guessing) must not shape the load.
admin_email=bench-admin@seed.bench
admin_password='bench admin password'
jwt_key=bench-only-signing-key-0123456789abcdef
identity_env=("Jwt__SigningKey=$jwt_key" Jwt__Lifetime=04:00:00
    "Admin__Email=$admin_email" "Admin__Password=$admin_password"
    Throttling__AddressPermitLimit=1000000000 Throttling__AccountPermitLimit=1000000000)

# Signs in as the bench's admin (unless BENCH_TOKEN was given): every request then carries its bearer token, so
# each measured request includes the token check (signature plus one security-stamp lookup in PostgreSQL).
sign_in() {
    [[ -z $token ]] || return 0
    token=$(curl -sf -H 'Content-Type: application/json' \
        -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" \
        "http://127.0.0.1:$1/api/auth/token" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
    [[ -n $token ]] || die "sign-in as $admin_email failed"
    auth=(-H "Authorization: Bearer $token")
}

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------- processes

started_pg=false
started_pids=()

stop_pid() {
    if [[ -n $1 ]] && kill -TERM "$1" 2>/dev/null; then wait "$1" 2>/dev/null || true; fi
}

cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do stop_pid "$pid"; done
    if $started_pg; then "$repo/scripts/postgres.sh" stop || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_postgres() {
    if ! "$repo/scripts/postgres.sh" status >/dev/null 2>&1; then started_pg=true; fi
    "$repo/scripts/postgres.sh" start
}

# Prints the status code of GET path, or nothing when nothing listens. No fork: fine-grained start-up timing.
http_status() {
    local port=$1 path=$2 fd code=''
    exec {fd}<>"/dev/tcp/127.0.0.1/$port" || return 0
    printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&"$fd"
    read -r -t 5 _ code _ <&"$fd" || true
    exec {fd}>&-
    echo "$code"
}

wait_ready() { # pid port path
    local i
    for ((i = 0; i < 6000; i++)); do
        [[ $(http_status "$2" "$3" 2>/dev/null) == 200 ]] && return 0
        kill -0 "$1" 2>/dev/null || die "process $1 exited before it was ready"
        sleep 0.01
    done
    die "process $1 not ready after 60 s"
}

# Starts a published app from its own folder, as in a container (WORKDIR /app): the content root is the working
# directory, and started from anywhere else the service would not find its appsettings.json (nor its log levels).
# Sets started_pid.   start_app folder dll port connection-string [NAME=value...]
start_app() {
    local dir=$1 dll=$2 port=$3 cs=$4
    shift 4
    (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Users="$cs" "$@" \
        dotnet "$dll" --urls "http://127.0.0.1:$port") >>"$out/$(basename "$dir").log" 2>&1 &
    started_pid=$!
    started_pids+=("$started_pid")
}

# ---------------------------------------------------------------------------------------------- setup

setup_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v curl >/dev/null || missing+=(curl)
    command -v pgrep >/dev/null || missing+=(procps)
    if ((${#missing[@]})); then
        [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}"
        log "installing ${missing[*]} with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update >&2 || log "warning: apt-get update failed; trying the install anyway"
        apt-get install -y "${missing[@]}" >&2
    fi
    command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"
    mkdir -p "$out" "$runs" "$data"
}

publish() { # project folder [msbuild properties...]
    local project=$1 dir=$2
    shift 2
    log "publishing $(basename "$project") (Release) into ${dir#"$repo"/} $*"
    rm -rf "$dir"
    dotnet publish "$project" -c Release -o "$dir" --nologo -v quiet "$@" >&2
}

# Seeds once: the rows stay in the cluster (under /tmp) and are reused by the next run, their names put back
# (PATCH runs rename users, and searches must find the same names every run). Needs the service (on port $1)
# up, so that its migrations have made the schema and it can make the one password hash.
seed() {
    local port=$1 have hash
    have=$("${psql_[@]}" -c "SELECT count(*) FROM users WHERE email LIKE 'user%@seed.bench'")
    if ((have >= users)); then
        log "seed: $have users already there; restoring their names"
        "${psql_[@]}" -v insert=false -v hash= -f "$bench/seed.sql"
        return
    fi
    log "seed: inserting $users users"
    curl -s -o /dev/null "${auth[@]}" -H 'Content-Type: application/json' \
        -d '{"email":"hash-source@seed.bench","password":"correct horse battery staple","fullName":"Hash Source"}' \
        "http://127.0.0.1:$port/api/users"
    hash=$("${psql_[@]}" -c "SELECT password_hash FROM users WHERE lower(email) = 'hash-source@seed.bench'")
    [[ -n $hash ]] || die "seed: could not create the hash-source user"
    "${psql_[@]}" -c "DELETE FROM users WHERE email LIKE 'user%@seed.bench'"
    "${psql_[@]}" -v insert=true -v n="$users" -v hash="$hash" -f "$bench/seed.sql"
}

# Request inputs: every seeded id in random order, and list cursors spread over the whole table (walked through
# the API of the service on port $1, since a cursor is opaque and signed), "-" standing for the first page.
make_inputs() {
    local port=$1 url body cursor=''
    "${psql_[@]}" -c "SELECT id FROM users WHERE email LIKE 'user%@seed.bench' ORDER BY random()" >"$data/ids.txt"
    echo - >"$data/cursors.txt"
    while :; do
        url="http://127.0.0.1:$port/api/users?limit=200${cursor:+&cursor=$cursor}"
        body=$(curl -sf "${auth[@]}" "$url") || die "cursor walk failed at $url"
        cursor=$(sed -n 's/.*"nextCursor":"\([^"]*\)".*/\1/p' <<<"$body")
        [[ -n $cursor ]] || break
        echo "$cursor" >>"$data/cursors.txt"
    done
    log "inputs: $(wc -l <"$data/ids.txt") ids, $(wc -l <"$data/cursors.txt") list cursors"
}

# ---------------------------------------------------------------------------------------------- measuring

# Percentage of CPU time the whole machine spent busy over half a second.
cpu_busy() {
    local _ a b c d e f g h t1 i1 t2 i2
    read -r _ a b c d e f g h _ </proc/stat
    t1=$((a + b + c + d + e + f + g + h)) i1=$((d + e))
    sleep 0.5
    read -r _ a b c d e f g h _ </proc/stat
    t2=$((a + b + c + d + e + f + g + h)) i2=$((d + e))
    echo $((100 - 100 * (i2 - i1) / (t2 - t1 > 0 ? t2 - t1 : 1)))
}

# Other engineers' builds and tests share these 2 cores: before a run, wait (up to 15 s, and $quiet_budget
# seconds over the whole benchmark) for the machine to calm down. Sets busy to the figure seen last.
quiet_waited=0
wait_for_quiet() {
    local i
    for ((i = 0; i < 30; i++)); do
        busy=$(cpu_busy)
        ((busy <= 15 || quiet_waited >= quiet_budget * 2)) && return
        quiet_waited=$((quiet_waited + 1))
    done
}

# Sign-ups abandoned by the previous wrk run (it stops with requests in flight) still hash in the service: before a
# sign-up run or a storm's GET-alone reference, wait (up to 30 s, outside the quiet budget) until the process uses
# under 20% of a core. Sets drained to the seconds waited.
wait_for_drain() { # pid
    local i t0 t1
    drained=0
    for ((i = 0; i < 60; i++)); do
        t0=$(cpu_ticks "$1")
        sleep 0.5
        t1=$(cpu_ticks "$1")
        (((t1 - t0) * 100 / $(getconf CLK_TCK) * 2 < 20)) && return
        drained=$(((i + 1) / 2))
    done
    log "warning: process $1 still busy after 30 s"
}

# A process and its descendants (uvicorn: a supervisor and its workers; dotnet: just itself).
tree_pids() {
    local child
    echo "$1"
    for child in $(pgrep -P "$1"); do tree_pids "$child"; done
}

# Samples every ~100 ms until $prefix.stop exists: the resident set (kB) of the process tree (summed) into
# $prefix.rss, and the PostgreSQL backends under its application name into $prefix.backends (one psql session runs
# every query).
sample() { # pid application_name prefix
    local pid=$1 app=$2 prefix=$3 key value _ p rss pids
    pids=$(tree_pids "$pid")
    while [[ ! -e $prefix.stop ]]; do
        rss=0
        for p in $pids; do
            while read -r key value _; do
                if [[ $key == VmRSS: ]]; then rss=$((rss + value)); break; fi
            done 2>/dev/null <"/proc/$p/status" || true
        done
        echo "$rss" >>"$prefix.rss"
        echo "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app';"
        sleep 0.1
    done | "${psql_[@]}" >"$prefix.backends"
}

max_of() { sort -n "$1" 2>/dev/null | tail -n 1; }

# CPU time (user + system) the process and its descendants have used so far, in clock ticks.
cpu_ticks() {
    local p t=0
    for p in $(tree_pids "$1"); do
        t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}

# "pid ticks" of every PostgreSQL backend under an application name (the backends run on this machine).
pg_ticks() {
    local backend
    for backend in $("${psql_[@]}" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1'"); do
        awk -v p="$backend" '{ print p, $14 + $15 }' "/proc/$backend/stat" 2>/dev/null || true
    done
}

# Ticks the backends used between two pg_ticks snapshots (a backend that is new counts whole).
# Empty when the first snapshot found no backend (nothing to compare with).
pg_ticks_used() {
    [[ -s $1 ]] || return 0
    awk 'FILENAME == ARGV[1] { before[$1] = $2; next } { used += $2 - before[$1] } END { print used + 0 }' "$1" "$2"
}
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

# Sign-ups (post.lua) are anonymous, as the endpoint is, and run one wrk thread per connection so that post.lua can
# time each answer by status and let a refused client wait as Retry-After asks (capped at $signup_retry_ms ms).
signup_retry_ms=${BENCH_SIGNUP_RETRY_MS:-1000}
signup_slow_ms=${BENCH_SIGNUP_SLOW_MS:-3000}
# The storm: while wrk drives GET by id (2 threads, the scenario's connections, bearer token), a second wrk drives
# sign-ups from $storm_conns connections; it starts $storm_lead s earlier and stops 1 s after the GETs.
storm_conns=${BENCH_STORM_CONNECTIONS:-64}
storm_lead=${BENCH_STORM_LEAD:-2}

# Every wrk invocation gets its own tag (run id, this shell's pid, a sequence number), which post.lua puts in each
# email: sign-ups never repeat an email across runs, rounds, warm-ups and scenarios.
# (Sets wrk_id, not printed: a command substitution would count in a subshell.)
wrk_seq=0
wrk_tag() { wrk_seq=$((wrk_seq + 1)) wrk_id="${run_id}p$$n$wrk_seq"; }

# The sign-up wrk: sign_up_wrk port conns seconds, with the emails tagged $wrk_id: call wrk_tag just before, in the
# calling shell (sign_up_wrk often runs in a subshell, a pipe or &, where the sequence number would not move).
sign_up_wrk() {
    BENCH_TOKEN='' BENCH_PATH_PREFIX='' BENCH_RUN_ID="$wrk_id" BENCH_ONE_CONN=1 BENCH_RETRY_MS=$signup_retry_ms \
        BENCH_SLOW_MS=$signup_slow_ms wrk "-t$2" "-c$2" "-d${3}s" --timeout 120s -s "$bench/lua/post.lua" "http://127.0.0.1:$1"
}

# A SIGNUP line (post.lua) into $signup_tsv:
#   label scenario conns round duration_us s201 s503 other no_retry_after slow unanswered p50_201_us p99_201_us
#   p50_503_us p99_503_us max_503_us socket_errors statuses
record_signups() { # label scenario conns round wrk-output-file
    local line kv duration_us=0 connect=0 read=0 write=0 timeout=0 s201 s503 other no_retry_after slow unanswered \
        p50_201_us p99_201_us p50_503_us p99_503_us max_503_us statuses timed
    line=$(grep '^RESULT' "$5") || die "wrk printed no result; see $5"
    for kv in ${line#RESULT }; do
        case ${kv%%=*} in duration_us | connect | read | write | timeout) printf -v "${kv%%=*}" %s "${kv#*=}" ;; esac
    done
    line=$(grep '^SIGNUP' "$5") || die "post.lua printed no SIGNUP line; see $5"
    for kv in ${line#SIGNUP }; do printf -v "${kv%%=*}" %s "${kv#*=}"; done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$duration_us" \
        "$s201" "$s503" "$other" "$no_retry_after" "$slow" "$unanswered" "$p50_201_us" "$p99_201_us" "$p50_503_us" \
        "$p99_503_us" "$max_503_us" $((connect + read + write + timeout)) "$statuses" >>"$signup_tsv"
    log "$(printf '%-9s %-6s sign-ups from %s connections: %s x 201, %s x 503 (%s without Retry-After), other %s (%s), %s slower than %s ms, %s unanswered at the end; 201 p50/p99 %s/%s ms, 503 p50/p99 %s/%s ms' \
        "$1" "$2" "$3" "$s201" "$s503" "$no_retry_after" "$other" "$statuses" \
        "$slow" "$signup_slow_ms" "$unanswered" "$(ms "$p50_201_us")" "$(ms "$p99_201_us")" "$(ms "$p50_503_us")" "$(ms "$p99_503_us")")"
}

# One wrk run; with round "warmup" the figures are thrown away, otherwise they are appended to $tsv:
#   label scenario conns round rps p50_us p99_us non2xx socket_errors peak_rss_kb peak_backends busy_before
#   cpu_us_per_request pg_cpu_us_per_request
# CPU per request (the process's own user + system time over the requests it answered) is the figure that other
# load on the machine disturbs least: it tells a lever's effect when requests/s are noisy. The same for the
# PostgreSQL backends that served the process.
# Scenario post (sign-ups) also appends its statuses to $signup_tsv; scenario storm is GET by id (these figures)
# while a second wrk drives sign-ups (their statuses into $signup_tsv, conns = $storm_conns); storm-ref is GET by id
# alone, run just before each storm run so that the storm's GET figures have a reference from the same minute.
measure() { # label port pid application_name scenario conns round
    local label=$1 port=$2 pid=$3 app=$4 scenario=$5 conns=$6 round=$7 script args=() timeout=10 secs=$duration
    case $scenario in
        get | storm-ref | storm) script=get.lua args=("$data/ids.txt") ;;
        list) script=list.lua args=("$data/cursors.txt") ;;
        search) script=search.lua args=("$bench/lua/terms.txt") ;;
        patch) script=patch.lua args=("$data/ids.txt" "$bench/lua/terms.txt") ;;
        post) script=post.lua timeout=60 secs=$post_duration ;;
        *) die "unknown scenario $scenario" ;;
    esac
    if [[ $round == warmup ]]; then secs=$warmup; fi
    local wrk_=(wrk -t2 "-c$conns" "-d${secs}s" --timeout "${timeout}s" -s "$bench/lua/$script" "http://127.0.0.1:$port" -- "${args[@]}")
    # A caller may set path_prefix (put before every path) and send_token=false (no bearer token) for one target.
    local tok=$token
    [[ ${send_token:-true} == true ]] || tok=''
    local prefix=$runs/$run_id-$label-$scenario-$conns-$round storm_pid=''

    if [[ $round == warmup ]]; then
        if [[ $scenario == post ]]; then
            wrk_tag
            sign_up_wrk "$port" "$conns" "$secs" >/dev/null
        else
            if [[ $scenario == storm ]]; then
                wrk_tag
                sign_up_wrk "$port" "$storm_conns" $((secs + storm_lead + 1)) >/dev/null &
                storm_pid=$!
                sleep "$storm_lead"
            fi
            wrk_tag
            BENCH_TOKEN=$tok BENCH_PATH_PREFIX=${path_prefix:-} BENCH_RUN_ID="$wrk_id" "${wrk_[@]}" >/dev/null
            [[ -z $storm_pid ]] || wait "$storm_pid" || die "the sign-up wrk of the storm's warm-up failed"
        fi
        return
    fi

    local sampler result ticks
    if [[ $scenario == @(post|storm-ref) ]]; then
        wait_for_drain "$pid"
        ((drained == 0)) || log "waited ${drained} s for the sign-ups abandoned by the previous run to finish hashing"
    fi
    wait_for_quiet
    rm -f "$prefix".*
    sample "$pid" "$app" "$prefix" &
    sampler=$!
    pg_ticks "$app" >"$prefix.pg0"
    ticks=$(cpu_ticks "$pid")
    if [[ $scenario == post ]]; then
        wrk_tag
        result=$(sign_up_wrk "$port" "$conns" "$secs" | tee "$prefix.wrk" | grep '^RESULT') || die "wrk printed no result; see $prefix.wrk"
    else
        if [[ $scenario == storm ]]; then
            wrk_tag
            sign_up_wrk "$port" "$storm_conns" $((secs + storm_lead + 1)) >"$prefix.signups.wrk" &
            storm_pid=$!
            sleep "$storm_lead"
        fi
        wrk_tag
        result=$(BENCH_TOKEN=$tok BENCH_PATH_PREFIX=${path_prefix:-} BENCH_RUN_ID="$wrk_id" "${wrk_[@]}" | tee "$prefix.wrk" | grep '^RESULT') ||
            die "wrk printed no result; see $prefix.wrk"
    fi
    ticks=$(($(cpu_ticks "$pid") - ticks))
    pg_ticks "$app" >"$prefix.pg1"
    if [[ -n $storm_pid ]]; then wait "$storm_pid" || die "the storm's sign-up wrk failed; see $prefix.signups.wrk"; fi
    touch "$prefix.stop"
    wait "$sampler"

    local requests rps p50_us p99_us non2xx connect read write timeout kv errors cpu pg_cpu
    for kv in ${result#RESULT }; do
        case ${kv%%=*} in
            requests | rps | p50_us | p99_us | non2xx | connect | read | write | timeout) printf -v "${kv%%=*}" %s "${kv#*=}" ;;
        esac
    done
    errors=$((connect + read + write + timeout))
    cpu=$((ticks * 1000000 / $(getconf CLK_TCK) / (requests > 0 ? requests : 1)))
    pg_cpu=$(pg_ticks_used "$prefix.pg0" "$prefix.pg1")
    if [[ -n $pg_cpu ]]; then pg_cpu=$((pg_cpu * 1000000 / $(getconf CLK_TCK) / (requests > 0 ? requests : 1))); fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$scenario" "$conns" "$round" "$rps" "$p50_us" \
        "$p99_us" "$non2xx" "$errors" "$(max_of "$prefix.rss")" "$(max_of "$prefix.backends")" "$busy" "$cpu" "$pg_cpu" >>"$tsv"
    log "$(printf '%-9s %-6s c%-3s #%s %7.0f req/s  p50 %7s ms  p99 %7s ms  CPU %4s+%-4s us/req  non-2xx %s  socket errors %s  (busy before: %s%%)' \
        "$label" "$scenario" "$conns" "$round" "$rps" "$(ms "$p50_us")" "$(ms "$p99_us")" "$cpu" "$pg_cpu" "$non2xx" "$errors" "$busy")"
    case $scenario in
        post) record_signups "$label" post "$conns" "$round" "$prefix.wrk" ;;
        storm) record_signups "$label" storm "$storm_conns" "$round" "$prefix.signups.wrk" ;;
    esac
}
