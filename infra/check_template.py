#!/usr/bin/env python3
"""Checks that infra/template.yaml and functions/ agree: every deployable function crate has
exactly one function resource, and every function resource builds an existing crate with
cargo-lambda on provided.al2023 / arm64. A crate opts out of deployment with
`[package.metadata.partnerline] deploy = false` (the local stack). Every route a function's
`ROUTES` table names with a literal path must reach that function through one of its HttpApi
events (a route added in code but not in the template would answer 404 on AWS only)."""

import pathlib
import re
import sys
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.yaml"


def deployable_crates():
    crates = {}
    for manifest in sorted((ROOT / "functions").glob("*/Cargo.toml")):
        package = tomllib.loads(manifest.read_text())["package"]
        deploy = package.get("metadata", {}).get("partnerline", {}).get("deploy", True)
        if deploy:
            crates[manifest.parent.resolve()] = package["name"]
    return crates


ROUTE = re.compile(r'Route::new\(\s*Method::(\w+),\s*"([^"]+)"')


def code_routes(crate_dir):
    """(method, path) of each route of the crate's table written with a literal path."""
    source = (crate_dir / "src" / "lib.rs").read_text()
    return ROUTE.findall(source)


def event_matches(event_method, event_path, method, path):
    if event_method not in ("ANY", method):
        return False
    pattern = re.escape(event_path)
    pattern = re.sub(r"\\\{proxy\\\+\\\}", ".+", pattern)
    pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", pattern)
    return re.fullmatch(pattern, path) is not None


def uncovered_routes(name, props, crate_dir):
    events = [
        (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
        for e in (props.get("Events") or {}).values()
        if e.get("Type") == "HttpApi"
    ]
    if not events:
        return []
    return [
        f"{name}: {method} {path} is in the code's routes but no HttpApi event of the function reaches it"
        for method, path in code_routes(crate_dir)
        if not any(event_matches(m, p, method, path.replace("{", "x").replace("}", "")) for m, p in events)
    ]


def main():
    template = yaml.safe_load(TEMPLATE.read_text())
    globals_ = template.get("Globals", {}).get("Function", {})
    crates = deployable_crates()
    seen = {}
    problems = []
    for name, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**globals_, **resource.get("Properties", {})}
        meta = resource.get("Metadata", {})
        crate_dir = (TEMPLATE.parent / props.get("CodeUri", "")).resolve()
        if crate_dir not in crates:
            problems.append(f"{name}: CodeUri {props.get('CodeUri')} is not a deployable crate under functions/")
            continue
        seen.setdefault(crate_dir, []).append(name)
        expected = {
            "Runtime": "provided.al2023",
            "Handler": "bootstrap",
            "Architectures": ["arm64"],
        }
        for key, value in expected.items():
            if props.get(key) != value:
                problems.append(f"{name}: {key} must be {value}, not {props.get(key)}")
        if meta.get("BuildMethod") != "rust-cargolambda":
            problems.append(f"{name}: Metadata.BuildMethod must be rust-cargolambda")
        problems.extend(uncovered_routes(name, props, crate_dir))
        binary = meta.get("BuildProperties", {}).get("Binary")
        if binary != crates[crate_dir]:
            problems.append(f"{name}: BuildProperties.Binary {binary} is not the crate's binary {crates[crate_dir]}")
    for crate_dir, package in crates.items():
        resources = seen.get(crate_dir, [])
        if len(resources) != 1:
            problems.append(f"crate {package} has {len(resources)} function resources, expected exactly 1")
    for problem in problems:
        print(f"template check: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"template check: {len(crates)} function crates, one resource each")


if __name__ == "__main__":
    main()
