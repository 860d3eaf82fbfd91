"""FastAPI + asyncpg peer of UserService's GET /api/users/{id}, for bench/run.sh (see bench/README.md).

Run by uvicorn with 2 workers, uvloop and httptools (Debian's python3-* packages, system /usr/bin/python3):

    /usr/bin/python3 -m uvicorn app:app --app-dir bench/Peer --workers 2 --loop uvloop --http httptools \
        --no-access-log --host 127.0.0.1 --port 5303

Routes:
  GET /api/users/{id}       authenticated, the same per-request work as UserService: verify the HS256 bearer token
                            (PyJWT: signature, exp/nbf/iat with 30 s leeway, issuer, audience), load the caller's row
                            (security stamp and role, the revocation check: a statement of its own, on a pooled
                            connection returned before the next one is taken), check object-level access (admins
                            any user, users themselves), load the row, answer its JSON with an ETag.
  GET /anon/api/users/{id}  the same without the token (reference column): one statement, the row, its JSON.
  GET /health/ready         SELECT 1.

Environment:
  PEER_DSN        postgresql://postgres@127.0.0.1:55433/users
  PEER_POOL_SIZE  connections per worker (bench/run.sh: BENCH_POOL_SIZE / 2, so both workers hold the service's pool)
  PEER_JWT_KEY    the service's Jwt:SigningKey (UTF-8 bytes, as the service reads it)
  PEER_JWT_ISSUER, PEER_JWT_AUDIENCE  ["UserService"]
"""

import json
import os
from uuid import UUID

import asyncpg
import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

DSN = os.environ.get("PEER_DSN", "postgresql://postgres@127.0.0.1:55433/users")
POOL_SIZE = int(os.environ.get("PEER_POOL_SIZE", "8"))
JWT_KEY = os.environ.get("PEER_JWT_KEY", "").encode()
ISSUER = os.environ.get("PEER_JWT_ISSUER", "UserService")
AUDIENCE = os.environ.get("PEER_JWT_AUDIENCE", "UserService")

FIND_SQL = "SELECT id, email, full_name, role, version, created_at, updated_at FROM users WHERE id = $1"
STAMP_SQL = "SELECT security_stamp, role FROM users WHERE id = $1"

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
pool: asyncpg.Pool


@app.on_event("startup")
async def open_pool() -> None:
    global pool
    # Like Npgsql's pool: opened lazily up to the maximum; asyncpg prepares and caches each statement per connection
    # (as the service's Max Auto Prepare does).
    pool = await asyncpg.create_pool(DSN, min_size=0, max_size=POOL_SIZE,
                                     server_settings={"application_name": "Peer"})


@app.on_event("shutdown")
async def close_pool() -> None:
    await pool.close()


def utc(value) -> str:
    # .NET writes a UTC DateTime as 2025-01-01T00:05:00Z
    return value.isoformat().replace("+00:00", "Z")


def answer(row) -> Response:
    body = {
        "id": str(row["id"]),
        "email": row["email"],
        "fullName": row["full_name"],
        "role": row["role"],
        "createdAt": utc(row["created_at"]),
        "updatedAt": utc(row["updated_at"]),
    }
    return JSONResponse(body, headers={"ETag": f'"{row["version"]}"'})


def problem(status: int, title: str, headers=None) -> Response:
    return Response(json.dumps({"type": "about:blank", "title": title, "status": status}), status_code=status,
                    media_type="application/problem+json", headers=headers)


UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


@app.get("/api/users/{id}")
async def get_user(id: UUID, request: Request) -> Response:
    # Authentication: the bearer token, checked as the service's JwtBearer options do.
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return problem(401, "Unauthorized", UNAUTHORIZED)
    try:
        claims = jwt.decode(header[7:], JWT_KEY, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE,
                            leeway=30, options={"require": ["exp", "sub"]})
        caller = UUID(claims["sub"])
        role = claims["role"]
        stamp = UUID(claims["sst"])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return problem(401, "Unauthorized", UNAUTHORIZED)

    # Revocation: the caller still exists with the same security stamp and role (one statement per request).
    async with pool.acquire() as conn:
        current = await conn.fetchrow(STAMP_SQL, caller)
    if current is None or current["security_stamp"] != stamp or current["role"] != role:
        return problem(401, "Unauthorized", UNAUTHORIZED)

    # Authorization (object level): admins read anyone, users themselves; anything else is 404, as in the service.
    if role != "admin" and caller != id:
        return problem(404, "No user has this id.")

    async with pool.acquire() as conn:
        row = await conn.fetchrow(FIND_SQL, id)
    if row is None:
        return problem(404, "No user has this id.")
    return answer(row)


@app.get("/anon/api/users/{id}")
async def get_user_anonymous(id: UUID) -> Response:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(FIND_SQL, id)
    if row is None:
        return problem(404, "No user has this id.")
    return answer(row)


@app.get("/health/ready")
async def ready() -> Response:
    async with pool.acquire() as conn:
        await conn.fetchval("SELECT 1")
    return Response("ready", media_type="text/plain")
