"""Statuses per operation from a schemathesis VCR cassette, so a run shows that every
operation reached 2xx at least once, and fails if one did not.

Usage: python summary.py openapi.yaml cassette.yaml [--allow-untested]

Exit status 1 when an operation of the document got requests but never a 2xx answer, or (without
--allow-untested, which run.sh passes when the run was narrowed by arguments) got no request.
"""

import collections
import re
import sys
from urllib.parse import urlsplit

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def operations(document_path):
    with open(document_path, encoding="utf-8") as f:
        document = yaml.load(f, Loader=Loader)
    found = []
    for path, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")) + "$")
        for method in METHODS:
            if method in item:
                found.append((item[method]["operationId"], method.upper(), pattern))
    return found


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    allow_untested = "--allow-untested" in argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    document_path, cassette_path = args
    ops = operations(document_path)
    with open(cassette_path, encoding="utf-8") as f:
        cassette = yaml.load(f, Loader=Loader)

    counts = {op: collections.Counter() for op, _, _ in ops}
    other = collections.Counter()
    for interaction in cassette.get("http_interactions") or []:
        response = interaction.get("response")
        request = interaction.get("request")
        if not response or not request:
            continue
        status = str(response["status"]["code"])
        method = request["method"].upper()
        path = urlsplit(request["uri"]).path
        for op, op_method, pattern in ops:
            if method == op_method and pattern.match(path):
                counts[op][status] += 1
                break
        else:
            other[f"{method} {status}"] += 1

    print()
    print("Answers per operation (status: requests):")
    failed = []
    for op, method, _ in ops:
        statuses = counts[op]
        total = sum(statuses.values())
        ok = sum(n for s, n in statuses.items() if s.startswith("2"))
        listing = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())) or "none"
        mark = "ok" if ok else ("NOT TESTED" if total == 0 else "NO 2xx")
        print(f"  {op:<12} {method:<6} {total:>5} requests, {ok:>4} 2xx  [{mark}]  {listing}")
        if ok == 0 and (total > 0 or not allow_untested):
            failed.append(op)
    if other:
        listing = ", ".join(f"{k}: {n}" for k, n in sorted(other.items()))
        print(f"  (no operation) {sum(other.values())} requests: {listing}")
    if failed:
        print(f"operations that never answered 2xx: {', '.join(failed)}", file=sys.stderr)
        return 1
    tested = [op for op, _, _ in ops if sum(counts[op].values()) > 0]
    if len(tested) == len(ops):
        print("every operation answered 2xx at least once")
    else:
        print(f"every tested operation ({', '.join(tested)}) answered 2xx at least once")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
