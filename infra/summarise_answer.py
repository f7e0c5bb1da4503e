"""One line for a Lambda answer (read from stdin) in prove_deploy.sh's table: an HTTP answer's
status and error code, an SQS batch's failed items, anything else as it came (shortened)."""
import json
import sys

text = sys.stdin.read().strip()
try:
    answer = json.loads(text)
except ValueError:
    print(("not JSON: " + " ".join(text.split()))[:120])
    sys.exit(0)
if isinstance(answer, dict) and "statusCode" in answer:
    try:
        code = json.loads(answer.get("body") or "null")["error"]["code"]
    except (ValueError, TypeError, KeyError):
        code = None
    print(f"HTTP {answer['statusCode']}" + (f" `{code}`" if code else ""))
elif isinstance(answer, dict) and "batchItemFailures" in answer:
    failed = [f["itemIdentifier"] for f in answer["batchItemFailures"]]
    print(f"batch: failed {failed}" if failed else "batch: all handled")
else:
    print(json.dumps(answer, separators=(",", ":"))[:120])
