#!/usr/bin/env python3
"""Runs schemathesis (PyPI, pinned in tests/run) against the local stack with the API's own
OpenAPI document, as the local stack serves it (`GET /openapi.json`): on every operation, no
5xx, and every response's status, content type and body as the document says.

Two passes, each with a bounded number of examples so that it fits the CI budget: one with
the demo program's API key (what an integration holds), one with its admin token (what the
console holds, which also reaches the program-setup endpoints).

Usage: .venv/bin/python tests/api_schemathesis.py path/to/local-stack-binary
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
])
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    binary = sys.argv[1]
    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    data_dir = tempfile.mkdtemp(prefix="partnerline-schemathesis-")
    port = free_port()
    env = dict(os.environ, PARTNERLINE_PORT=str(port), PARTNERLINE_DATA_DIR=data_dir, RUST_LOG="error")
    stack = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL)
    failed = False
    try:
        demo_path = os.path.join(data_dir, "demo.json")
        for _ in range(300):
            if os.path.exists(demo_path):
                break
            time.sleep(0.1)
        time.sleep(0.2)
        demo = json.load(open(demo_path))
        base = f"http://127.0.0.1:{port}"
        for name, token in [("API key", demo["apiKey"]), ("admin token", demo["adminToken"])]:
            print(f"\n--- schemathesis with the demo program's {name}", flush=True)
            result = subprocess.run([
                schemathesis, "run", f"{base}/openapi.json",
                "--url", base,
                "--header", f"Authorization: Bearer {token}",
                "--checks", CHECKS,
                "--max-examples", MAX_EXAMPLES,
                "--phases", "examples,coverage,fuzzing",
                "--seed", "20261204",
                "--workers", "2",
                "--generation-database", "none",
                "--no-color",
                "--output-truncate", "true",
            ])
            failed = failed or result.returncode != 0
        if stack.poll() is not None:
            raise SystemExit("FAIL: the local stack exited during the run")
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(timeout=15)
        except subprocess.TimeoutExpired:
            stack.kill()
    if failed:
        raise SystemExit("FAIL: schemathesis found responses that break the API's document")
    print("schemathesis: every operation conforms to docs/openapi.json")


if __name__ == "__main__":
    main()
