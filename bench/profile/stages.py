#!/usr/bin/python3
"""CPU per request by stage, from `perf script` output of UserService (bench/profile.sh runs it).

    stages.py --scenario NAME=perf-script.txt[.gz]:REQUESTS:CPU_US:PG_CPU_US [--scenario ...] [--rev REV] [--detail]

(bench/profile.sh keeps each scenario's `perf script` text, gzipped, in bench/out/profile/: run this again on it to
try other rules.)

Each sample (a `cpu-clock` sample, weighted by its period, so the samples add up to the CPU time perf saw) goes to
one stage, decided by the frames on its stack (`perf record -g` frame-pointer call chains; JIT code named through
DOTNET_PerfMapEnabled's /tmp/perf-PID.map, ReadyToRun code by its file's name). The rules, in this order:

 1. The thread: `.NET Server GC` / `.NET BGC` / `.NET Background GC` threads are GC; `.NET Tiered Com...` (the
    background tiering compiler) is JIT; `.NET Sockets` (the epoll thread that queues socket completions for Kestrel
    and Npgsql alike) is socket I/O, unattributed. A frame in libclrjit.so anywhere on the stack is JIT too.
 2. Otherwise the innermost frame (nearest the sampled instruction) that a stage rule claims gives the stage:
    inclusive, so the kernel (socket send/recv, loopback TCP), libc, OpenSSL, the runtime's helpers (allocation,
    casts, write barriers) and CoreLib (async machinery, collections) all count for the stage that called them.
    The frame rules (on the frame's assembly and type, generic arguments left out):
      serialization            System.Text.Json; FastEndpoints.HttpResponseExtensions (Send*: the response body)
      SQL                      Npgsql, Dapper and its emitted deserializers (dynamicClass::Deserialize*, ParamInfo*),
                               System.Data.Common, UserService.Infrastructure.Database (ReadRetry, ...),
                               UserService.Features.*.Data, UserService.Features.Users.UserRow, and the security-stamp
                               lookup's lambda (SecurityStamps+<>c__DisplayClass*)
      binding and validation   FastEndpoints.RequestBinder / IRequestBinder / Endpoint.BindRequestAsync /
                               Endpoint.ValidateRequest, FluentValidation, UserService.Features.*.Validator,
                               UserService.Features.Users.UserRules, FastEndpoints' validation types
      authentication           Microsoft.AspNetCore.Authentication*, Microsoft.IdentityModel.*,
                               System.IdentityModel.*, UserService.Infrastructure.Security.SecurityStamps
      authorization            Microsoft.AspNetCore.Authorization*, UserService.Infrastructure.Security.Caller
                               (IsAdmin/MayAccess/UserId), FastEndpoints' authorization types
      endpoint handler         the rest of UserService.Features.* (the endpoints' own code)
      pipeline                 Microsoft.AspNetCore.* not claimed above (Kestrel, hosting, routing, middleware:
                               exception handler, status pages, static files, rate limiting, HTTP logging),
                               Microsoft.Extensions.* (DI, logging, options), NSwag, OpenTelemetry, FastEndpoints'
                               remaining frames, UserService.Infrastructure.* not claimed above, Program
    System.Text.Json on behalf of another stage (the token's JSON parsed by authentication, a request body read by
    binding) counts for that stage: a serialization frame whose nearest claimed caller is authentication or binding
    goes to that caller.
 3. Nothing claimed, but System.Net.Sockets on the stack: socket I/O, unattributed (a receive completed on a
    thread-pool thread before the continuation of Kestrel or Npgsql runs: whose socket it was is not on the stack).
 4. Nothing claimed, but the thread pool's own frames (LowLevelLifoSemaphore, PortableThreadPool,
    ThreadPoolWorkQueue, ...): thread pool (dispatch, parking): workers going to sleep and waking up, work stealing.
 5. Nothing at all: other (timers, broken stacks: OpenSSL and some libc frames have no frame pointer, ...).

CPU per request: the process's user + system time over the requests answered in the same window (CPU_US /
REQUESTS, from /proc), multiplied by each stage's share of the samples.
"""

import argparse
import collections
import gzip
import re
import sys

STAGES = ["pipeline", "authentication", "authorization", "binding and validation", "endpoint handler", "SQL",
          "serialization", "GC", "JIT", "socket I/O, unattributed", "thread pool (dispatch, parking)", "other"]

# (stage, regex on "Assembly|Type::Method" with generic arguments removed); first match wins for a frame.
RULES = [(stage, re.compile(pattern)) for stage, pattern in [
    ("serialization", r"^System\.Text\.Json\||^FastEndpoints\|FastEndpoints\.HttpResponseExtensions\b"),
    ("SQL", r"^(Npgsql|Dapper|System\.Data\.Common)\||\|dynamicClass::(Deserialize|ParamInfo)"
            r"|\|UserService\.Infrastructure\.Database\.|\|UserService\.Features\.[\w.]*\.Data\b"
            r"|\|UserService\.Features\.Users\.UserRow\b|\|UserService\.Infrastructure\.Security\.SecurityStamps\+<>c__"),
    ("binding and validation", r"^FluentValidation\||\|FastEndpoints\.(I?RequestBinder|Validat|ValidationFailure)"
            r"|\|FastEndpoints\.Endpoint`2\+<(BindRequestAsync|ValidateRequest)>|\|FastEndpoints\.Endpoint`2::(BindRequest|ValidateRequest)"
            r"|\|UserService\.Features\.[\w.]*\.Validator\b|\|UserService\.Features\.Users\.UserRules\b"),
    ("authentication", r"^(Microsoft\.AspNetCore\.Authentication[\w.]*|Microsoft\.IdentityModel\.[\w.]+|System\.IdentityModel\.[\w.]+)\|"
            r"|\|UserService\.Infrastructure\.Security\.SecurityStamps\b"),
    ("authorization", r"^Microsoft\.AspNetCore\.Authorization[\w.]*\||\|UserService\.Infrastructure\.Security\.Caller\b"
            r"|\|FastEndpoints\.\w*Authoriz"),
    ("endpoint handler", r"\|UserService\.Features\."),
    ("pipeline", r"^(Microsoft\.AspNetCore\.[\w.]+|Microsoft\.Extensions\.[\w.]+|NSwag\.[\w.]+|OpenTelemetry[\w.]*|FastEndpoints[\w.]*)\|"
            r"|\|UserService\.(Infrastructure\.|Program\b)"),
]]

THREAD_POOL = re.compile(r"^System\.Private\.CoreLib\|System\.Threading\.(LowLevelLifoSemaphore|LowLevelSpinWaiter"
                         r"|PortableThreadPool|ThreadPoolWorkQueue|ThreadPoolWorkQueueThreadLocals|WorkerThread)")
HEADER = re.compile(r"^(.*?)\s+(\d+)(?:/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:\s+(\d+)\s+\S+:")
FRAME = re.compile(r"^\s*([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$")
METHOD = re.compile(r"(?:^|\s)\[([^\]\s]+)\] (\S+?)::([^\s(]+)\(")
GENERIC = re.compile(r"\[[^\[\]]*\]")


def frame_key(sym, dso):
    """'Assembly|Type::Method' for managed frames, 'module|' for native or unnamed ones."""
    m = METHOD.search(sym)
    if m:
        asm, typ, meth = m.groups()
        while "[" in typ:
            stripped = GENERIC.sub("", typ)
            if stripped == typ:
                break
            typ = stripped
        return f"{asm}|{typ}::{meth}"
    if "dynamicClass::" in sym:
        return "|" + sym.split()[-1] if " " in sym else "|" + sym
    module = dso.rsplit("/", 1)[-1]
    if module.endswith(".dll"):
        module = module[:-4]
    return module + "|"


_cache = {}


def frame_stage(key):
    if key not in _cache:
        _cache[key] = next((stage for stage, rule in RULES if rule.search(key)), None)
    return _cache[key]


def classify(thread, keys):
    if thread.startswith((".NET Server GC", ".NET BGC", ".NET Background GC", ".NET GC")):
        return "GC"
    if thread.startswith(".NET Tiered Com") or any(k.startswith("libclrjit.so|") for k in keys):
        return "JIT"
    if thread.startswith(".NET Sockets"):
        return "socket I/O, unattributed"
    for i, key in enumerate(keys):
        stage = frame_stage(key)
        if stage is None:
            continue
        if stage == "serialization":
            for outer in keys[i + 1:]:
                caller = frame_stage(outer)
                if caller is not None and caller != "serialization":
                    if caller in ("authentication", "binding and validation"):
                        return caller
                    break
        return stage
    if any(k.startswith("System.Net.Sockets|") for k in keys):
        return "socket I/O, unattributed"
    if any(THREAD_POOL.search(k) for k in keys):
        return "thread pool (dispatch, parking)"
    return "other"


def samples(path):
    """Yields (thread name, weight, [frame keys innermost first]) from `perf script` text."""
    thread, weight, keys = None, 0, []
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", errors="replace") as text:
        for line in text:
            if not line.strip():
                if thread is not None:
                    yield thread, weight, keys
                thread, keys = None, []
                continue
            if thread is None:
                m = HEADER.match(line)
                if m:
                    thread, weight = m.group(1).strip(), int(m.group(3))
                continue
            m = FRAME.match(line)
            if m:
                keys.append(frame_key(m.group(2), m.group(3)))
    if thread is not None:
        yield thread, weight, keys


def analyse(path):
    by_stage = collections.Counter()
    other = collections.Counter()
    for thread, weight, keys in samples(path):
        stage = classify(thread, keys)
        by_stage[stage] += weight
        if stage == "other":
            # Named by the innermost managed method on the stack (else the innermost module).
            named = next((k for k in keys if not k.endswith("|")), None)
            leaf = keys[0] if keys else "(no frames)"
            other[f"{thread}: {named or leaf}"] += weight
    return by_stage, other


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", required=True,
                        help="NAME=perf-script.txt:REQUESTS:CPU_US:PG_CPU_US")
    parser.add_argument("--rev", default="?")
    parser.add_argument("--detail", action="store_true", help="also list the largest items of 'other'")
    args = parser.parse_args()

    results = []
    for spec in args.scenario:
        name, rest = spec.split("=", 1)
        path, requests, cpu_us, pg = rest.rsplit(":", 3)
        requests, cpu_us = int(requests), float(cpu_us)
        pg_us = float(pg) if pg else None
        by_stage, other = analyse(path)
        results.append((name, requests, cpu_us, pg_us, by_stage, other))

    out = sys.stdout
    out.write(f"CPU per request by stage, UserService `{args.rev}` (bench/profile.sh: perf samples classified by "
              "stack, see bench/profile/stages.py; µs of service CPU per request, and the stage's share):\n\n")
    out.write("| stage | " + " | ".join(name for name, *_ in results) + " |\n")
    out.write("|---|" + "---:|" * len(results) + "\n")
    per_request = [cpu_us / requests if requests else 0.0 for _, requests, cpu_us, *_ in results]
    for stage in STAGES:
        cells = []
        for (name, requests, cpu_us, pg_us, by_stage, other), per in zip(results, per_request):
            total = sum(by_stage.values())
            share = by_stage[stage] / total if total else 0.0
            cells.append(f"{per * share:.1f} ({100 * share:.0f}%)")
        out.write(f"| {stage} | " + " | ".join(cells) + " |\n")
    out.write("| **total (process CPU / requests)** | " + " | ".join(f"**{per:.1f}**" for per in per_request) + " |\n")
    out.write("| PostgreSQL backends, for comparison | " + " | ".join(
        "–" if pg_us is None or not requests else f"{pg_us / requests:.1f}"
        for _, requests, _, pg_us, *_ in results) + " |\n")
    out.write("| requests in the window; samples | " + " | ".join(
        f"{requests}; {sum(by_stage.values()) / 1e6:.0f} ms sampled"
        for _, requests, _, _, by_stage, _ in results) + " |\n")
    if args.detail:
        for name, _, _, _, by_stage, other in results:
            total = sum(by_stage.values()) or 1
            out.write(f"\nLargest items of 'other' in {name}: " + "; ".join(
                f"{item} {100 * weight / total:.1f}%" for item, weight in other.most_common(6)) + "\n")


if __name__ == "__main__":
    main()
