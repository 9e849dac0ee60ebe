"""Public intake benchmark: sustained ``POST /api/v1/public/<slug>/questions`` on PostgreSQL.

Not part of the test suite. Builds a fresh PostgreSQL database with the real migrations
(``--database-url``; that database is dropped and made again), starts the real server as
``make run`` does (gunicorn, one gthread worker of 8 threads; ``--workers`` for more) on a
free loopback port, signs up an organisation with ``--desk`` customer-service people (each
new question notifies those on shift, as in production), then drives the server with
``--connections`` keep-alive HTTP connections spread over ``--client-procs`` client
processes (the client is not allowed to share the GIL with anything it measures):

1. the floor: ``GET /healthz`` (no database) for ``--seconds``, the fastest this server and
   this client can exchange requests on this machine;
2. the intake: new questions for ``--seconds``, each a different consumer, with a message,
   an email and (every other one) a product from the catalogue.

It prints questions/s, latency percentiles, the server worker's CPU per question, the
ratio intake/floor, and checks that every 201 is a stored question (and nothing else is).

The limits: the server counts ``QUESTIONS_PER_IP`` by the connection's address (it does
not trust ``X-Forwarded-For``: there is no proxy in front of it here), and every client
connection comes from 127.0.0.1, so the run raises ``QUESTIONS_PER_IP`` and
``QUESTIONS_PER_ORG`` to 1,000,000 per hour for the server it starts; a 429 would count
as an error.

    .venv/bin/python bench/questions_intake_bench.py
    .venv/bin/python bench/questions_intake_bench.py --seconds 30 --connections 32

Figures go to stdout and bench/results-intake.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PASSWORD, GunicornServer, log, recreate_postgres, run_migrations  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/leadsync_intake_bench"
TARGET_PER_S = 200
RAISED_LIMIT = "1000000 per hour"


# --- the database and the server -------------------------------------------------------------


def fresh_database(url: str) -> None:
    """Drop and create the database ``url`` names (connecting to ``postgres`` on its server:
    the URL may name any server) and migrate it."""
    recreate_postgres(url, admin_database="postgres")
    run_migrations(url)


class Server(GunicornServer):
    """The real app under gunicorn, as ``make run`` serves it (gthread workers of 8 threads),
    with the public limits raised: one address sends everything here (see the module's
    docstring)."""

    def __init__(self, url: str, workdir: Path, workers: int) -> None:
        super().__init__(
            url,
            workdir,
            workers=workers,
            threads=8,
            timeout=120,
            env={
                "PUBLIC_BASE_URL": "https://leads.example.com",
                "QUESTIONS_PER_IP": RAISED_LIMIT,
                "QUESTIONS_PER_ORG": RAISED_LIMIT,
            },
        )


def call(base: str, method: str, path: str, body=None, token: str | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def set_up_organisation(base: str, desk: int) -> tuple[str, list[str]]:
    """An organisation (through the API, as a customer would) with ``desk`` customer-service
    people and a small catalogue: its slug and its product ids."""
    suffix = uuid.uuid4().hex[:6]
    admin_email = f"admin-{suffix}@intake.bench"
    call(
        base,
        "POST",
        "/api/v1/auth/signup",
        {
            "org_name": "Intake Bench",
            "name": "Ada Admin",
            "email": admin_email,
            "password": PASSWORD,
        },
    )
    token = call(
        base,
        "POST",
        "/api/v1/auth/tokens",
        {"email": admin_email, "password": PASSWORD, "device_name": "bench"},
    )["token"]
    for n in range(desk):
        call(
            base,
            "POST",
            "/api/v1/users",
            {
                "email": f"cs{n}-{suffix}@intake.bench",
                "name": f"Desk {n}",
                "role": "cs",
                "password": PASSWORD,
            },
            token,
        )
    products = [
        call(
            base,
            "POST",
            "/api/v1/products",
            {
                "sku": f"SKU-{n}",
                "name": f"Folding chair {n}",
                "list_price": "129.00",
                "currency": "EUR",
            },
            token,
        )["id"]
        for n in range(5)
    ]
    slug = call(base, "GET", "/api/v1/org", token=token)["slug"]
    return slug, products


# --- the client --------------------------------------------------------------------------------


def _question_body(n: int, products: list[str]) -> bytes:
    body = {
        "name": f"Consumer {n}",
        "email": f"consumer{n}@example.com",
        "message": f"Hello, question {n}: does the chair fold flat, and how soon can it ship?",
        "region": "Berlin",
    }
    if products and n % 2:
        body["product_id"] = products[n % len(products)]
    return json.dumps(body).encode()


def _connection_loop(port, kind, path, products, start_at, stop_at, offset, stride, out):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, statuses, n = [], {}, offset
    headers = {"Content-Type": "application/json"}
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        began = time.perf_counter()
        if kind == "floor":
            conn.request("GET", path)
        else:
            conn.request("POST", path, _question_body(n, products), headers)
            n += stride
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        statuses[response.status] = statuses.get(response.status, 0) + 1
    conn.close()
    out.append((latencies, statuses))


def _client_process(port, kind, path, products, start_at, stop_at, connections, first, stride, q):
    out: list = []
    threads = [
        threading.Thread(
            target=_connection_loop,
            args=(port, kind, path, products, start_at, stop_at, first + i, stride, out),
        )
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    q.put(out)


def drive(server: Server, kind: str, path: str, products, seconds, connections, procs) -> dict:
    """``connections`` keep-alive connections sending back to back for ``seconds``."""
    start_at = time.time() + 1.0  # every process connected and waiting
    stop_at = start_at + seconds
    q: multiprocessing.Queue = multiprocessing.Queue()
    per_proc = [connections // procs + (1 if i < connections % procs else 0) for i in range(procs)]
    workers, first = [], 0
    for count in per_proc:
        p = multiprocessing.Process(
            target=_client_process,
            args=(
                server.port,
                kind,
                path,
                products,
                start_at,
                stop_at,
                count,
                first,
                connections,
                q,
            ),
        )
        p.start()
        workers.append(p)
        first += count
    while time.time() < start_at:
        time.sleep(0.001)
    cpu_before, wall_before = server.cpu_seconds(), time.time()
    results = [q.get() for _ in workers]
    for p in workers:
        p.join()
    wall = time.time() - wall_before
    cpu = server.cpu_seconds() - cpu_before
    latencies = sorted(x for proc in results for lat, _ in proc for x in lat)
    statuses: dict[int, int] = {}
    for proc in results:
        for _, counts in proc:
            for status, count in counts.items():
                statuses[status] = statuses.get(status, 0) + count

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    done = len(latencies)
    return {
        "requests": done,
        "seconds": round(wall, 2),
        "per_s": round(done / wall, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "server_cpu_ms_per_request": round(cpu / done * 1000, 2) if done else None,
    }


def stored_questions(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM questions").fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="dropped and made again")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (make run: 1)")
    parser.add_argument("--desk", type=int, default=3, help="customer-service people")
    args = parser.parse_args()

    log(f"fresh database {urlsplit(args.database_url).path.lstrip('/')}, migrations")
    fresh_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as tmp:
        server = Server(args.database_url, Path(tmp), args.workers)
        try:
            slug, products = set_up_organisation(server.base, args.desk)
            path = f"/api/v1/public/{slug}/questions"
            log("warm-up: 2 s of each")
            drive(server, "floor", "/healthz", [], 2, args.connections, args.client_procs)
            drive(server, "intake", path, products, 2, args.connections, args.client_procs)
            before = stored_questions(args.database_url)
            log(f"floor: GET /healthz for {args.seconds:g} s")
            floor = drive(
                server, "floor", "/healthz", [], args.seconds, args.connections, args.client_procs
            )
            log(f"intake: POST {path} for {args.seconds:g} s")
            intake = drive(
                server, "intake", path, products, args.seconds, args.connections, args.client_procs
            )
            stored = stored_questions(args.database_url) - before
        finally:
            server.stop()

    created = intake["statuses"].get("201", 0)
    errors = intake["requests"] - created
    ratio = intake["per_s"] / floor["per_s"]
    ok = intake["per_s"] >= TARGET_PER_S and errors == 0 and stored == created
    print()
    print(f"{'figure':<46} {'value':>12}")
    print(f"{'questions taken in (201)':<46} {created:>12,}")
    print(f"{'stored questions (must equal the 201s)':<46} {stored:>12,}")
    print(f"{'other answers (429, 5xx …: must be 0)':<46} {errors:>12,}")
    target = f"target ≥ {TARGET_PER_S}"
    print(f"{'intake throughput, questions/s':<46} {intake['per_s']:>12,.1f}   {target}")
    print(
        f"{'intake latency p50 / p95 / p99 (ms)':<46} "
        f"{intake['p50_ms']:>5} / {intake['p95_ms']} / {intake['p99_ms']}"
    )
    print(f"{'server CPU per question (ms)':<46} {intake['server_cpu_ms_per_request']:>12}")
    # What one worker could take if it had a core to itself: the figure a busy machine
    # (other processes taking the cores) does not move.
    ceiling = 1000 / intake["server_cpu_ms_per_request"] * args.workers
    print(f"{'ceiling by server CPU (workers x 1000 / ms)':<46} {ceiling:>12,.1f}")
    print(f"{'floor: GET /healthz, requests/s':<46} {floor['per_s']:>12,.1f}")
    print(f"{'floor latency p50 (ms)':<46} {floor['p50_ms']:>12}")
    print(f"{'server CPU per /healthz (ms)':<46} {floor['server_cpu_ms_per_request']:>12}")
    print(f"{'ratio intake / floor':<46} {ratio:>12.3f}")
    print(f"{'result':<46} {'PASS' if ok else 'FAIL':>12}")
    results = {
        "database": "postgresql",
        "workers": args.workers,
        "threads": 8,
        "connections": args.connections,
        "client_procs": args.client_procs,
        "desk_people": args.desk,
        "limits": {"QUESTIONS_PER_IP": RAISED_LIMIT, "QUESTIONS_PER_ORG": RAISED_LIMIT},
        "floor_healthz": floor,
        "intake": intake,
        "stored_questions": stored,
        "ratio_intake_to_floor": round(ratio, 4),
        "ceiling_per_s_by_server_cpu": round(ceiling, 1),
        "target_per_s": TARGET_PER_S,
        "pass": ok,
        "loadavg": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    (ROOT / "bench" / "results-intake.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
