#!/usr/bin/env python3
"""Keeps docs/dub-contract.md honest, against the SDK itself and the API's document:

- every operation of the pinned Python Dub SDK in the partner-program resources has a row;
- a row that says an operation works (or answers 403 by design) names method and path pairs
  that docs/openapi.json (generated from the routes) serves;
- every script a row names as its check calls that SDK method (the Python name in the Python
  scripts, the npm SDK's camelCase name in `node`, tests/node-sdk/dub_sdk.mjs).

Usage: .venv/bin/python tests/check_contract_table.py
"""
import json
import os
import re
import sys

from dub import Dub

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RESOURCES = [
    "links", "partners", "program_applications", "customers", "commissions", "track", "tags",
    "folders", "discount_codes", "domains", "qr_codes", "payouts", "analytics", "events",
    "embed_tokens",
]
# The npm SDK names two resources differently.
NODE_RESOURCE = {"program_applications": "partnerApplications", "qr_codes": "qrCodes",
                 "discount_codes": "discountCodes", "embed_tokens": "embedTokens"}
SCRIPTS = {"node": "tests/node-sdk/dub_sdk.mjs"}


def sdk_operations():
    sdk = Dub(token="unused", server_url="http://127.0.0.1:9")
    operations = set()
    for resource in RESOURCES:
        group = getattr(sdk, resource)
        for name in dir(group):
            if name.startswith("_") or name.endswith("_async") or name.startswith("do_request"):
                continue
            if callable(getattr(group, name)):
                operations.add(f"{resource}.{name}")
    return operations


def table_rows():
    rows = []
    for line in open(os.path.join(ROOT, "docs/dub-contract.md"), encoding="utf-8"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        rows.append(cells)
    return rows


def methods_of(cell):
    """`links.create_many` / `update_many` → links.create_many, links.update_many."""
    methods, resource = [], None
    for token in re.findall(r"`([^`]+)`", cell):
        if token.endswith(".*"):
            resource, method = token[:-2], "*"
        elif "." in token:
            resource, method = token.split(".", 1)
        elif resource:
            method = token
        else:
            continue
        methods.append(f"{resource}.{method}")
    return methods


def routes_of(cell):
    return re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s]*)`", cell)


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def called(script, method):
    resource, name = method.split(".")
    text = open(os.path.join(ROOT, script), encoding="utf-8").read()
    if script.endswith(".mjs"):
        needle = f".{NODE_RESOURCE.get(resource, camel(resource))}.{camel(name)}("
    else:
        needle = f".{resource}.{name}("
    return needle in text


def main():
    document = json.load(open(os.path.join(ROOT, "docs/openapi.json"), encoding="utf-8"))
    served = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    rows = table_rows()
    problems = []

    listed = set()
    for cells in rows:
        for method in methods_of(cells[0]):
            if method.endswith(".*"):
                listed.update(op for op in sdk_operations() if op.startswith(method[:-1]))
            else:
                listed.add(method)
    for missing in sorted(sdk_operations() - listed):
        problems.append(f"{missing}: an SDK operation with no row")

    working = 0
    for sdk_cell, route_cell, status, checked in rows:
        methods = [m for m in methods_of(sdk_cell) if not m.endswith(".*")]
        if status.startswith("works") or status.startswith("403"):
            working += len(methods) if status.startswith("works") else 0
            routes = routes_of(route_cell)
            if not routes:
                problems.append(f"{sdk_cell}: says `{status[:20]}…` but names no method and path")
            for method, path in routes:
                if (method, path) not in served:
                    problems.append(f"{sdk_cell}: {method} {path} is not in docs/openapi.json")
        elif checked:
            problems.append(f"{sdk_cell}: checked by {checked} but does not work")
        for script in re.findall(r"`([^`]+)`|\b(node)\b", checked):
            script = SCRIPTS.get(script[1] or script[0], script[0] and f"tests/{script[0]}")
            for method in methods:
                if status.startswith("works") and not called(script, method):
                    problems.append(f"{method}: {script} is named as its check but never calls it")

    for problem in problems:
        print(f"FAIL: {problem}")
    if problems:
        sys.exit(1)
    print(f"docs/dub-contract.md: {working} SDK operations work, every row checked against "
          f"the SDK and docs/openapi.json")


if __name__ == "__main__":
    main()
