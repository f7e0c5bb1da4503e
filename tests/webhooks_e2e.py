#!/usr/bin/env python3
"""Receives webhooks from the local stack and verifies them with the reference `standardwebhooks`
package (and Dub-Signature with hmac), across a secret rotation. Also reports the time from an
event's commit (its `createdAt`) to its arrival.

Usage: .venv/bin/python tests/webhooks_e2e.py path/to/local-stack-binary [events]
"""
import datetime
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import local_stack
from standardwebhooks import Webhook, WebhookVerificationError


RECEIVED = []
LOCK = threading.Condition()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        arrived = time.time()
        with LOCK:
            RECEIVED.append((dict(self.headers.items()), body, arrived))
            LOCK.notify_all()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("authorization", f"Bearer {token}")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def wait_for(count, timeout=30):
    deadline = time.time() + timeout
    with LOCK:
        while len(RECEIVED) < count:
            left = deadline - time.time()
            if left <= 0:
                raise SystemExit(f"FAIL: {len(RECEIVED)} of {count} webhooks arrived")
            LOCK.wait(left)


def lower(headers):
    return {k.lower(): v for k, v in headers.items()}


def verify(secret, headers, body):
    headers = lower(headers)
    Webhook(secret).verify(body, headers)
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["dub-signature"]), "Dub-Signature mismatch"


def main():
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    receiver = ThreadingHTTPServer(("127.0.0.1", local_stack.free_port()), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"

    try:
        with local_stack.running(binary, "partnerline-e2e-", quiet=False) as (base, demo, _):
            token = demo["adminToken"]

            hook = call(base, token, "POST", "/webhooks", {"url": hook_url, "events": ["lead.created"]})
            secret = hook["secret"]
            for _ in range(count):
                call(base, token, "POST", f"/webhooks/{hook['id']}/test")
            wait_for(count)
            latencies = []
            for headers, body, arrived in RECEIVED:
                verify(secret, headers, body)
                created = json.loads(body)["createdAt"]
                committed = datetime.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
                latencies.append((arrived - committed) * 1000)
            ids = {lower(h)["webhook-id"] for h, _, _ in RECEIVED}
            assert len(ids) == count, f"{count} distinct webhook-ids expected, got {len(ids)}"

            headers, body, _ = RECEIVED[0]
            try:
                Webhook(secret).verify(body + b" ", lower(headers))
                raise SystemExit("FAIL: a tampered body verified")
            except WebhookVerificationError:
                pass

            rotated = call(base, token, "POST", f"/webhooks/{hook['id']}/rotate-secret")
            call(base, token, "POST", f"/webhooks/{hook['id']}/test")
            wait_for(count + 1)
            headers, body, _ = RECEIVED[-1]
            verify(rotated["secret"], headers, body)
            Webhook(secret).verify(body, lower(headers))  # the old secret still signs

            # The receiver answers before the outcome is recorded: poll briefly.
            for _ in range(50):
                deliveries = call(base, token, "GET", f"/webhooks/{hook['id']}/deliveries?limit=100")
                states = {d["state"] for d in deliveries["data"]}
                if states == {"succeeded"}:
                    break
                time.sleep(0.1)
            assert states == {"succeeded"}, states
            if os.environ.get("E2E_VERBOSE"):
                print("latencies (ms):", [round(l) for l in latencies])

            latencies.sort()
            p50 = latencies[len(latencies) // 2]
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(f"OK: {count + 1} webhooks verified with standardwebhooks (rotation included); "
                  f"commit to delivery p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    finally:
        receiver.shutdown()


if __name__ == "__main__":
    main()
