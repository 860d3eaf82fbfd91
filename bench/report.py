#!/usr/bin/env python3
"""Writes the benchmark's Markdown report from the raw measurements that bench/run.sh records.

    python3 bench/report.py bench/out/runs/RUN_ID > bench/results.md    (what bench/run.sh does at its end)
    python3 bench/report.py --ab bench/out/runs/RUN_ID                  (bench/ab.sh's A/B table)

RUN_ID.tsv holds one line per wrk run: label scenario conns round rps p50_us p99_us non2xx socket_errors
peak_rss_kb peak_backends busy_before cpu_us_per_request pg_cpu_us_per_request. RUN_ID-signups.tsv one line per
sign-up run (see record_signups in lib.sh), RUN_ID-startup.txt one start-up time (ms) per line, and
RUN_ID-settings.tsv the run's settings and machine facts as "key<TAB>value" lines.

Figures: the median of the rounds (throughput, latency, CPU), the sum (errors) or the maximum (memory, backends).
Numbers are formatted as the awk of earlier versions of bench/run.sh did, so reports stay comparable.
"""
import sys

NAMES = {
    'get': 'GET /api/users/{id}',
    'list': 'GET /api/users (page of 50)',
    'search': 'GET /api/users?q= (page of 50)',
    'patch': 'PATCH /api/users/{id}',
    'post': 'POST /api/users (sign-up)',
    'storm': 'GET /api/users/{id} during a sign-up storm',
}
COLUMNS = {'rps': 5, 'p50': 6, 'p99': 7, 'errors': 8, 'sockerr': 9, 'rss': 10, 'backends': 11, 'busy': 12,
           'cpu': 13, 'pgcpu': 14}
SIGNUP = {'duration': 5, 's201': 6, 's503': 7, 'other': 8, 'no_retry_after': 9, 'slow': 10, 'unanswered': 11,
          'p50_201': 12, 'p99_201': 13, 'p50_503': 14, 'p99_503': 15, 'max_503': 16, 'sockerr': 17, 'statuses': 18}


# ---------------------------------------------------------------------------------------------- numbers

def num(s):
    return float(s) if s not in ('', None) else 0.0


def plain(x):
    """A computed number as awk prints it: an integer plainly, anything else with 6 significant digits."""
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else '%.6g' % x


def median(values):
    """The middle value as recorded, or the mean of the two middle ones; '' for none."""
    v = sorted(values, key=lambda s: (num(s), s))
    if not v:
        return ''
    n = len(v)
    return v[n // 2] if n % 2 else plain((num(v[n // 2 - 1]) + num(v[n // 2])) / 2)


def maximum(values):
    v = sorted(values, key=lambda s: (num(s), s))
    return v[-1] if v else ''


def ms(us):
    return '%.2f' % (num(us) / 1000)


def fmt(what, v):
    if v == '':
        return '–'
    if what == 'rps':
        return '%.0f' % num(v)
    if what in ('p50', 'p99'):
        return ms(v)
    if what == 'rss':
        return '%.0f' % (num(v) / 1024)
    return v


def ratio(a, b, digits=2):
    return '' if a == '' or b == '' or num(b) == 0 else '%.*f' % (digits, num(a) / num(b))


def small_ratio(r):
    """Ratios printed with 2 decimals unless under 0.1 (a collapse shows as 0.004×, not 0.00×)."""
    return '?' if r == '' else '%.3f' % num(r) if num(r) < 0.1 else '%.2f' % num(r)


def rate(v):
    return '%.1f' % num(v) if v != '' else '–'


def lat(us):
    """A latency from post.lua's histogram (0: no such answer)."""
    return '–' if us in ('', '0') else ms(us)


def row(*cells):
    """A Markdown table row."""
    return '| ' + ' | '.join(map(str, cells)) + ' |'


def get_lat(rps, us):
    """A GET latency, or "none completed" when the run answered nothing (wrk then reports 0)."""
    return 'none completed' if (rps == '' or rps.startswith('0')) and not num(rps) > 0 else fmt('p99', us)


# ---------------------------------------------------------------------------------------------- data

def read_tsv(path):
    try:
        with open(path, encoding='utf-8') as f:
            return [line.rstrip('\n').split('\t') for line in f if line.strip()]
    except FileNotFoundError:
        return []


class Runs:
    def __init__(self, rows, signups=()):
        self.rows, self.signups = rows, list(signups)

    def col(self, label, scenario, conns, what):
        k = COLUMNS[what] - 1
        return [r[k] for r in self.rows
                if r[:3] == [label, scenario, str(conns)] and len(r) > k and r[k] != '']

    def figure(self, label, scenario, conns, what):
        values = self.col(label, scenario, conns, what)
        if what in ('errors', 'sockerr'):
            return plain(sum(map(num, values)))
        if what in ('rss', 'backends', 'busy'):
            return maximum(values)
        return median(values)

    def round_col(self, label, scenario, conns, rnd, what):
        """One round's figure (the storm's rounds are shown one by one)."""
        k = COLUMNS[what] - 1
        return ''.join(r[k] for r in self.rows if r[:4] == [label, scenario, str(conns), str(rnd)])

    def signup_rows(self, label, scenario, conns):
        return [r for r in self.signups if r[:3] == [label, scenario, str(conns)]]

    def signup_figure(self, label, scenario, conns, what):
        """Per-round rates and latencies: their median; max_503: the maximum; counts: their sum; statuses: all."""
        rows = self.signup_rows(label, scenario, conns)
        if not rows:
            return ''
        get = lambda r, key: r[SIGNUP[key] - 1]
        if what in ('r201', 'r503', 'share503'):
            return median([plain(signup_rate(r, what)) for r in rows])
        if what in ('p50_201', 'p99_201', 'p50_503', 'p99_503'):
            return median([get(r, what) for r in rows])
        if what == 'max_503':
            return plain(max([0.0] + [num(get(r, what)) for r in rows]))
        if what == 'statuses':
            return ' '.join(get(r, what) for r in rows)
        return plain(sum(num(get(r, what)) for r in rows))


def signup_rate(r, what):
    """201s or 503s per second of one sign-up run, or the share of 503s in per cent."""
    d = num(r[4]) / 1e6
    d = d if d > 0 else 1
    s201, s503, other = num(r[5]), num(r[6]), num(r[7])
    if what == 'r201':
        return s201 / d
    if what == 'r503':
        return s503 / d
    return 100 * s503 / (s201 + s503 + other) if s201 + s503 + other > 0 else 0


# ---------------------------------------------------------------------------------------------- report

class Report:
    def __init__(self, prefix):
        self.runs = Runs(read_tsv(prefix + '.tsv'), read_tsv(prefix + '-signups.tsv'))
        self.s = dict((line + [''])[:2] for line in read_tsv(prefix + '-settings.tsv'))
        self.startups = [line[0] for line in read_tsv(prefix + '-startup.txt')]
        self.scenarios = self.s['scenarios'].split()
        self.connections = self.s['connections'].split()
        self.rounds = int(self.s['rounds'])
        self.storm_get_conns = self.s['storm_get_connections']
        self.storm_conns = self.s['storm_connections']

    def has(self, scenario):
        return scenario in self.scenarios

    def has_peer(self):
        return self.s['with_peer'] == '1' and self.has('get')

    def figure(self, *args):
        return self.runs.figure(*args)

    def signup(self, *args):
        return self.runs.signup_figure(*args)

    # -- tables of wrk runs

    @staticmethod
    def table_header():
        return ('| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | socket errors | peak RSS MB | peak backends '
                '| CPU µs/req (process + PostgreSQL) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')

    def table_rows(self, target, with_ratio, suffix, *scenarios):
        lines = []
        for s in (s for s in scenarios if self.has(s)):
            for c in self.connections:
                if not self.runs.col(target, s, c, 'rps'):
                    continue
                rps = self.figure(target, s, c, 'rps')
                row = f'| {NAMES[s]}{suffix} | {c}'
                for w in ('rps', 'p50', 'p99', 'errors', 'sockerr', 'rss', 'backends'):
                    v = self.figure(target, s, c, w)
                    # No request completed within the run: wrk has no latency to report.
                    cell = 'none completed' if w in ('p50', 'p99') and rps.startswith('0') else fmt(w, v)
                    r = ratio(v, self.figure('baseline', s, c, w)) if with_ratio and w not in ('errors', 'sockerr') else ''
                    row += f' | {cell} ({r}×)' if r else f' | {cell}'
                lines.append(f'{row} | – |' if rps.startswith('0') else f'{row} | {self.cpu(target, s, c)} |')
        return '\n'.join(lines)

    def cpu(self, label, scenario, conns):
        return f"{self.figure(label, scenario, conns, 'cpu')} + {self.figure(label, scenario, conns, 'pgcpu')}"

    def table(self, target, with_ratio, *scenarios):
        return self.table_header() + '\n' + self.table_rows(target, with_ratio, '', *scenarios)

    def side_by_side(self):
        if not any(self.has(s) for s in ('get', 'list', 'search', 'patch')):
            return ''
        return f"""## UserService (in brackets: ratio to the baseline)

{self.table('service', True, 'get', 'list', 'search', 'patch')}

## Baseline (bench/Baseline: minimal ASP.NET Core, raw Npgsql, no validation)

{self.table('baseline', False, 'get', 'list', 'search', 'patch')}"""

    def peer_section(self):
        """The issue's comparison for GET by id: every system's req/s, and UserService's (with its token) over each."""
        if not self.has_peer():
            return ''
        systems = {'service': 'UserService, bearer token',
                   'baseline': 'Baseline (ASP.NET Core, raw Npgsql), no token',
                   'peer': "FastAPI + asyncpg, bearer token (PyJWT, caller's row)",
                   'peer-anon': 'FastAPI + asyncpg, no token'}
        lines = []
        for c in self.connections:
            svc = self.figure('service', 'get', c, 'rps')
            for label, name in systems.items():
                v = self.figure(label, 'get', c, 'rps')
                if v:
                    lines.append(row(name, c, fmt('rps', v), f'{ratio(svc, v)}×', self.cpu(label, 'get', c)))
        return f"""## FastAPI peer (bench/Peer: FastAPI + asyncpg, 2 uvicorn workers with uvloop and httptools)

With the token, the peer does the service's per-request work: verifies the HS256 token (PyJWT), loads the caller's security stamp and role (one statement), then the row; without it (`/anon/api/users/{{id}}`), one statement. CPU is the uvicorn process tree's (supervisor and both workers), RSS their sum.

{self.table_header()}
{self.table_rows('peer', False, ', bearer token', 'get')}
{self.table_rows('peer-anon', False, ', no token', 'get')}

## GET /api/users/{{id}} side by side

| system | conns | req/s | UserService (bearer token) ÷ this | CPU µs/req (process + PostgreSQL) |
|---|---:|---:|---:|---:|
""" + '\n'.join(lines)

    # -- sign-ups

    def post_section(self):
        if not self.has('post'):
            return ''
        retry_ms, slow_ms = self.s['signup_retry_ms'], self.s['signup_slow_ms']
        lines = []
        for c in self.connections:
            s = lambda what: self.signup('service', 'post', c, what)
            if not s('statuses'):
                continue
            rps, r201 = self.figure('service', 'post', c, 'rps'), s('r201')
            cpu = num(self.figure('service', 'post', c, 'cpu'))
            cpu_per_201 = '%.1f' % (cpu * num(rps) / num(r201) / 1000) if num(r201) > 0 else '–'
            lines.append(row(c, f'**{rate(r201)}**', rate(s('r503')), f"{s('other')} ({s('statuses')})", s('sockerr'),
                             s('no_retry_after'), s('slow'), s('unanswered'), f"{lat(s('p50_201'))} / {lat(s('p99_201'))}",
                             f"{lat(s('p50_503'))} / {lat(s('p99_503'))}",
                             fmt('rss', self.figure('service', 'post', c, 'rss')), cpu_per_201))
        return f"""## Sign-up alone (POST /api/users, anonymous; the issue's target 4: ≥ 100 per second)

wrk with one thread per connection, each connection signing up never-used emails back to back; a client refused
with 503 (or 429) waits min(Retry-After, {retry_ms} ms) before its next try. **Sign-ups per second count 201s only**:
a sign-up refused by admission control (503) is not throughput. Latencies are post.lua's, per status.

| conns | sign-ups/s (201) | refused/s (503) | other answers (all statuses seen) | socket errors | 503 without Retry-After | slower than {slow_ms} ms or unanswered | unanswered at the end | 201 p50 / p99 ms | 503 p50 / p99 ms | peak RSS MB | CPU ms per 201 (process) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
""" + ''.join(line + '\n' for line in lines) + """
Other answers list every status seen as status:count. CPU per 201 is the service's user + system time over the sign-ups it created (refusals included in the cost)."""

    def storm_ratio(self):
        """Median over rounds of GET req/s during the storm ÷ GET req/s alone in the same round."""
        ratios = []
        for rnd in range(1, self.rounds + 1):
            a = self.runs.round_col('service', 'storm-ref', self.storm_get_conns, rnd, 'rps')
            b = self.runs.round_col('service', 'storm', self.storm_get_conns, rnd, 'rps')
            if a and b:
                ratios.append(ratio(b, a, 3))
        return median(ratios)

    def storm_section(self):
        """GET by id alone, then GET by id while storm_conns connections sign up, per round."""
        if not self.has('storm'):
            return ''
        c, sc = self.storm_get_conns, self.storm_conns

        def get_row(label, ref, storm, ratio_):
            """One row: ref(what) and storm(what) give a figure of GET alone and of GET during the storm."""
            a, b = ref('rps'), storm('rps')
            return row(label, fmt('rps', a), fmt('rps', b), ratio_, f"{get_lat(a, ref('p50'))} / {get_lat(b, storm('p50'))}",
                       f"{get_lat(a, ref('p99'))} / **{get_lat(b, storm('p99'))}**",
                       f"{storm('errors')} + {storm('sockerr')}", fmt('rss', storm('rss')), storm('backends'))

        get_rows = []
        for rnd in range(1, self.rounds + 1):
            ref = lambda what: self.runs.round_col('service', 'storm-ref', c, rnd, what)
            storm = lambda what: self.runs.round_col('service', 'storm', c, rnd, what)
            if storm('rps'):
                get_rows.append(get_row(rnd, ref, storm, f"{small_ratio(ratio(storm('rps'), ref('rps'), 3))}×"))
        get_rows.append(get_row('**median**', lambda what: self.figure('service', 'storm-ref', c, what),
                                lambda what: self.figure('service', 'storm', c, what), f'**{small_ratio(self.storm_ratio())}×**'))
        signup_rows = []
        for rnd in range(1, self.rounds + 1):
            for r in (r for r in self.runs.signup_rows('service', 'storm', sc) if r[3] == str(rnd)):
                ms_ = lambda us: ms(us) if num(us) > 0 else '–'
                signup_rows.append(row(rnd, '%.1f' % signup_rate(r, 'r201'), '%.1f' % signup_rate(r, 'r503'),
                                       '%.1f%%' % signup_rate(r, 'share503'), f'{r[7]} ({r[17]})', r[16], r[8], r[9], r[10],
                                       f'{ms_(r[11])} / {ms_(r[12])}', f'{ms_(r[13])} / {ms_(r[14])} / {ms_(r[15])}'))
        s = lambda what: self.signup('service', 'storm', sc, what)
        signup_rows.append(row('**median / sum**', rate(s('r201')), rate(s('r503')), rate(s('share503')) + '%', s('other'),
                               s('sockerr'), s('no_retry_after'), s('slow'), s('unanswered'),
                               f"{lat(s('p50_201'))} / {lat(s('p99_201'))}",
                               f"{lat(s('p50_503'))} / {lat(s('p99_503'))} / {lat(s('max_503'))}"))
        retry_ms, slow_ms = self.s['signup_retry_ms'], self.s['signup_slow_ms']
        return f"""## Sign-up storm (the issue's target 4): GET by id during {sc} clients signing up

Per round, wrk drives `GET /api/users/{{id}}` with the bench admin's token (2 threads, {c} connections, {self.s['duration']} s)
alone, then again while a second wrk drives anonymous sign-ups (never-used emails) from {sc} connections, one
thread each, started {self.s['storm_lead']} s before and stopped 1 s after the GET run; a refused client waits
min(Retry-After, {retry_ms} ms) before it tries again. Ratio: GET req/s during the storm over GET req/s alone
in the same round.

| round | GET alone req/s | GET during storm req/s | ratio | p50 ms alone / storm | p99 ms alone / storm | GET non-2xx + socket errors (storm) | peak RSS MB | peak backends |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
""" + '\n'.join(get_rows) + f"""

Sign-ups during the storm ({sc} connections):

| round | sign-ups/s (201) | refused/s (503) | 503 share | other answers (all statuses seen) | socket errors | 503 without Retry-After | slower than {slow_ms} ms or unanswered | unanswered at the end | 201 p50 / p99 ms | 503 p50 / p99 / max ms |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
""" + '\n'.join(signup_rows) + f"""

Other answers: every status seen, as status:count per round: {s('statuses')}."""

    # -- the rest

    def startup_section(self):
        if int(self.s['startup_runs']) <= 0:
            return ''
        return f"""## Start-up

Process start to `/health/ready` = 200, against a ready database: median **{median(self.startups)} ms** of {self.s['startup_runs']} runs ({', '.join(t + ' ms' for t in self.startups)})."""

    def profile_section(self):
        if not self.s.get('profile'):
            return ''
        with open(self.s['profile'], encoding='utf-8') as f:
            profile = f.read().rstrip('\n')
        return f"""## CPU per request by stage (bench/profile.sh)

{profile}

The same profile before the performance work (src/ at `0ac09e1`): [profile-before.md](profile-before.md). How stages are told apart: README.md, "Stage profile"."""

    def targets(self):
        lines = []

        def check(description, ok, detail):
            lines.append(f'- [x] {description}: {detail}' if ok else f'- [ ] **missed** {description}: {detail}')

        def at_least(label, s, other, minimum):
            detail, ok = '', True
            for c in self.connections:
                r = ratio(self.figure(label, s, c, 'rps'), self.figure(other, s, c, 'rps'))
                detail += f"c{c} {r or '?'}× "
                ok = ok and num(r) >= minimum
            return ok, detail

        for s, minimum in (('get', '0.9'), ('list', '0.85')):
            if self.has(s):
                check(f"{NAMES[s]} throughput ≥ {minimum}× the baseline's", *at_least('service', s, 'baseline', float(minimum)))
        if self.has_peer():
            check('GET /api/users/{id} with a bearer token ≥ 4× the FastAPI peer doing the same token work',
                  *at_least('service', 'get', 'peer', 4))
        detail, ok = '', True
        for s in ('get', 'list', 'search', 'patch'):
            if self.has(s) and '32' in self.connections:
                v = self.figure('service', s, '32', 'p99')
                detail += f"{s} {fmt('p99', v)} ms; "
                ok = ok and num(v or '999999') < 25000
        if detail:
            check('p99 < 25 ms at 32 connections (reads and PATCH)', ok, detail)
        service = [r for r in self.runs.rows if r[0] == 'service']
        pool = self.s['pool']
        worst = maximum([r[10] for r in service])
        check(f'PostgreSQL backends ≤ Maximum Pool Size ({pool}) in every run, 256 connections included',
              num(worst) <= int(pool), f'peak {worst}')
        worst = maximum([r[9] for r in service])
        check('peak RSS under load < 200 MB', num(worst) < 200 * 1024,
              f"peak {fmt('rss', worst)} MB (VmRSS sampled every 100 ms; VmHWM at the end "
              f"{fmt('rss', self.s['service_hwm_kb'])} MB)")
        self.signup_targets(check)
        return '\n'.join(lines)

    def signup_targets(self, check):
        """The issue's target 4: sign-up throughput alone, GET during the storm, and how refused sign-ups are answered."""
        s, slow_ms = self.signup, self.s['signup_slow_ms']
        if self.has('post'):
            detail, ok = '', True
            for c in self.connections:
                v = s('service', 'post', c, 'r201')
                if v:
                    detail += f"c{c} {rate(v)}/s (and {rate(s('service', 'post', c, 'r503'))} refused/s); "
                    ok = ok and num(v) >= 100
            check('sign-up alone ≥ 100 per second (201s only)', ok, detail)
        if self.has('storm'):
            c, r = self.storm_get_conns, self.storm_ratio()
            p99 = self.figure('service', 'storm', c, 'p99')
            # No GET completed during the storm: wrk reports a p99 of 0, which must not pass.
            if not num(self.figure('service', 'storm', c, 'rps')) > 0:
                p99 = ''
            check(f'during a {self.storm_conns}-client sign-up storm, GET by id keeps ≥ 0.5× its throughput alone',
                  num(r) >= 0.5,
                  f"{fmt('rps', self.figure('service', 'storm', c, 'rps'))} against "
                  f"{fmt('rps', self.figure('service', 'storm-ref', c, 'rps'))} req/s, {small_ratio(r)}× "
                  f"(median of the rounds' ratios)")
            check('during the storm, GET by id p99 < 50 ms', num(p99 or '999999999') < 50000,
                  f"{fmt('p99', p99) + ' ms' if p99 else 'none completed'} (alone: "
                  f"{fmt('p99', self.figure('service', 'storm-ref', c, 'p99'))} ms); GET non-2xx "
                  f"{self.figure('service', 'storm', c, 'errors')}, socket errors "
                  f"{self.figure('service', 'storm', c, 'sockerr')}")
        # Every sign-up run: answers are 201 or 503 + Retry-After, none slower than slow_ms, no socket errors.
        detail, ok = '', True
        for r in self.runs.signups:
            bad = int(r[7]) + int(r[8]) + int(r[9]) + int(r[16])
            ok = ok and bad == 0
            detail += f"{r[1]} c{r[2]} #{r[3]}: {r[17].replace(',', ' ')}, 503 p99 {lat(r[14])} ms"
            if bad:
                detail += (f' (other statuses {r[7]}, 503 without Retry-After {r[8]}, slower than {slow_ms} ms or '
                           f'unanswered {r[9]}, socket errors {r[16]})')
            detail += '; '
        if detail:
            check(f'sign-ups are answered 201, or 503 with Retry-After, within {slow_ms} ms '
                  '(no time-outs, no other statuses, no socket errors)', ok, detail)

    def markdown(self):
        s = self.s
        peer = (f"\n| peer | `bench/Peer/app.py`: {s['peer']}; `uvicorn --workers 2 --loop uvloop --http httptools "
                f"--no-access-log`; asyncpg pool of {s['peer_pool']} per worker (application_name Peer) |"
                if self.has_peer() else '')
        service_env = f"; env `{s['service_env']}`" if s['service_env'] else ''
        peer_load = ' (and, for GET, the peer with and without token)' if self.has_peer() else ''
        busy = maximum([r[11] if len(r) > 11 else '' for r in self.runs.rows])
        return f"""# Benchmark results

Written by `bench/run.sh` on {s['date']}; what the figures mean: [README.md](README.md).

## Settings

| | |
|---|---|
| machine | {s['cores']} cores ({s['cpu']}), {s['memory']} RAM, {s['kernel']} |
| software | .NET {s['dotnet']}, {s['postgres']}, wrk {s['wrk']} |
| service | `{s['service']}`, Release, `dotnet UserService.dll`; runtimeconfig: {s['runtimeconfig'] or 'defaults'}{service_env} |{peer}
| database | PostgreSQL on 127.0.0.1:{s['pg_port']} (scripts/postgres.sh), {s['users']} users; connection string `{s['connection_string']}` (the baseline: the same, Application Name=Baseline) |
| load | wrk, 2 threads, {' and '.join(s['connections'].split(' '))} connections, {s['duration']} s per run (POST: {s['post_duration']} s, 1 run) after a {s['warmup']} s warm-up, median of {s['rounds']} runs, service and baseline{peer_load} runs interleaved; each run first waits for the machine to be quiet |

{self.side_by_side()}

{self.peer_section()}

{self.post_section()}

{self.storm_section()}

{self.startup_section()}

{self.profile_section()}

## Targets

{self.targets()}

Busy CPU seen just before the runs (other work on this shared machine; the script waits up to 15 s for ≤ 15%): at most {busy}%. Raw figures: `bench/out/runs/{s['run_id']}.tsv`.
"""


# ---------------------------------------------------------------------------------------------- A/B

def ab_table(prefix):
    """bench/ab.sh's table: medians of A and B per scenario and connection count, and B/A."""
    s = dict((line + [''])[:2] for line in read_tsv(prefix + '-ab-settings.tsv'))
    runs = Runs(read_tsv(prefix + '-ab.tsv'))
    print('%-7s %5s | %-26s | %-26s | %-26s | %-26s | %-26s | %-13s' % (
        'scenario', 'conns', 'req/s A / B (B/A)', 'p50 ms A / B (B/A)', 'p99 ms A / B (B/A)',
        'CPU us/req A / B (B/A)', 'PG CPU us/req A / B (B/A)', 'peak RSS MB'))
    for conns in s['connections'].split():
        for scenario in s['scenarios'].split():
            line = '%-7s %5s' % (scenario, conns)
            for what in ('rps', 'p50', 'p99', 'cpu', 'pgcpu'):
                a, b = runs.figure('a', scenario, conns, what), runs.figure('b', scenario, conns, what)
                line += ' | %8s / %-8s (%s)' % (fmt(what, a), fmt(what, b), ratio(b, a))
            line += ' | %5s / %-5s' % (fmt('rss', runs.figure('a', scenario, conns, 'rss')),
                                       fmt('rss', runs.figure('b', scenario, conns, 'rss')))
            print(line)
    if int(s['startup_runs']) > 0:
        a, b = runs.figure('a', 'startup', '-', 'rps'), runs.figure('b', 'startup', '-', 'rps')
        print(f"start-up ms (median of {s['startup_runs']}): A {a} / B {b} ({ratio(b, a)})")


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--ab':
        ab_table(sys.argv[2])
    elif len(sys.argv) == 2:
        sys.stdout.write(Report(sys.argv[1]).markdown())
    else:
        sys.exit(__doc__)
