"""The local stack as the test scripts run it: the binary on a free loopback port over a fresh
data directory, until the demo program is set up; stopped with SIGTERM at the end, which must
end it cleanly (exit 0) within 15 s.

    with local_stack.running(binary, "partnerline-sdk-") as (base, demo):
        ...
"""
import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(binary, prefix, log_level="warn", quiet=True):
    """Yields (base URL, demo.json as a dict, data directory)."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    port = free_port()
    env = dict(os.environ, PARTNERLINE_PORT=str(port), PARTNERLINE_DATA_DIR=data_dir, RUST_LOG=log_level)
    stack = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL if quiet else None)
    stopped = False
    try:
        demo_path = os.path.join(data_dir, "demo.json")
        for _ in range(300):
            if os.path.exists(demo_path) or stack.poll() is not None:
                break
            time.sleep(0.1)
        assert stack.poll() is None, f"the local stack exited with {stack.returncode}"
        time.sleep(0.2)
        with open(demo_path) as saved:
            demo = json.load(saved)
        yield f"http://127.0.0.1:{port}", demo, data_dir
        assert stack.poll() is None, f"the local stack exited during the run with {stack.returncode}"
        stack.send_signal(signal.SIGTERM)
        code = stack.wait(timeout=15)
        stopped = True
        assert code == 0, f"the local stack did not stop cleanly on SIGTERM: exit {code}"
    finally:
        if not stopped and stack.poll() is None:
            stack.kill()
            stack.wait()
