#!/usr/bin/env python3
"""Runs schemathesis (PyPI, pinned in tests/run) against the local stack with the API's own
OpenAPI document, as the local stack serves it (`GET /openapi.json`): on every operation, no
5xx, and every response's status, content type and body as the document says.

Two passes, each with a bounded number of examples so that it fits the CI budget: one with
the demo program's API key (what an integration holds), one with its admin token (what the
console holds, which also reaches the program-setup endpoints).

Usage: .venv/bin/python tests/api_schemathesis.py path/to/local-stack-binary
"""
import os
import subprocess
import sys

import local_stack

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
])
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")


def main():
    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    failed = False
    # The helper's exit check (SIGTERM ends the stack with 0) also says it survived the run.
    with local_stack.running(sys.argv[1], "partnerline-schemathesis-", log_level="error") as (base, demo, data_dir):
        for name, token in [("API key", demo["apiKey"]), ("admin token", demo["adminToken"])]:
            print(f"\n--- schemathesis with the demo program's {name}", flush=True)
            # Run in the data directory: schemathesis keeps a cache of past failures in its
            # working directory and replays them, and a run must test this build only.
            result = subprocess.run(cwd=data_dir, args=[
                schemathesis, "run", f"{base}/openapi.json",
                "--url", base,
                "--header", f"Authorization: Bearer {token}",
                "--checks", CHECKS,
                "--max-examples", MAX_EXAMPLES,
                "--phases", "examples,coverage,fuzzing",
                "--seed", "20261204",
                "--workers", "1",
                "--generation-database", "none",
                "--no-color",
                "--output-truncate", "true",
            ])
            failed = failed or result.returncode != 0
    if failed:
        raise SystemExit("FAIL: schemathesis found responses that break the API's document")
    print("schemathesis: every operation conforms to docs/openapi.json")


if __name__ == "__main__":
    main()
