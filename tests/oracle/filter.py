#!/usr/bin/env python3
"""Independent oracle for `--filter` (python3, stdlib only).

This is NOT a filter-language implementation: there is no parser here. The Rust
tests (tests/filter_oracle.rs, tests/export.rs) hold a table of
(filter expression, python predicate) pairs written by hand from
docs/filter-language.md. They send the predicates to this script, which loads
the same inputs as trailscope, deduplicates them the way trailscope documents
(same eventID and same content, whitespace and key order aside → one event;
same eventID with different content → both kept; no eventID → never merged),
evaluates each predicate over every event and prints the matching eventIDs.

Usage:
    python3 filter.py PATH... < predicates.json

predicates.json is a JSON object {"name": "lambda e: ...", ...}. The output is
one JSON object {"name": [eventID, ...]} (sorted; an ID appears once per event,
so two different events sharing an eventID appear twice), plus the key
"__all__" listing every event.

Inputs understood (valid inputs only; anything else exits 3):
  * directories (walked, sorted), gzip anywhere;
  * a JSON document holding records anywhere: {"Records": [...]}, arrays,
    lookup-events pages {"Events": [{"CloudTrailEvent": "<json string>"}]};
  * JSON Lines, one document per line (lookup-events items included).

Helpers available to the predicates (all string matching is case-insensitive,
as the filter language documents; `e` is an Event):

  g(e, "a.b.c")        the value at a dotted path of the record, or None
  low(x)               x.lower() for a string, "" for anything else
  eq(e, path, v)       the field is a string equal to v (case-insensitive)
  has(e, path)         the field is present and not null/empty (`field:*`)
  sw/ew/ct(e, path, s) starts with / ends with / contains s (case-insensitive)
  t(e)                 eventTime in Unix ms, or None when it cannot be parsed
  T("2024-03-01T10:00:00Z")  a time in Unix ms
  NOW                  now in Unix ms (taken at start-up)
  DAY                  one day in ms
  ip_in(e, "203.0.113.0/24") sourceIPAddress is an IP inside the block (an
                       IPv4 block also takes IPv4-mapped IPv6 addresses)
  accounts(e)          {recipientAccountId, userIdentity.accountId} (lower-case)
  names(e)             the caller's names: ARN, user name, principal id, the
                       session issuer's ARN and name, and for an assumed-role
                       ARN (arn:…:assumed-role/ROLE/SESSION) ROLE and SESSION
  issuer(e)            the session issuer's ARN and name
  res_arns(e), res_types(e)  resources[].ARN / resources[].type
  files(e)             every file the event was read from (a duplicate seen
                       in two files has both), each as (full path, file name)
  summary(e)           the summary text of the docs: event name, event source,
                       caller ARN/user name/principal id/invokedBy, source IP,
                       user agent, error code, error message and resources, one
                       per line (lower-case)
"""
import gzip
import ipaddress
import json
import os
import re
import sys
import time

# The same time rules as the count oracle (one implementation for both oracles).
from count import parse_time_ms  # noqa: E402  (tests/oracle is the script's own folder)

NOW = int(time.time() * 1000)
DAY = 86_400_000


class Event:
    def __init__(self, record, path):
        self.r = record
        self.paths = [path]

    def __repr__(self):
        return f"Event({self.r.get('eventID')!r})"


# ---- helpers for the predicates

def g(e, path):
    v = e.r
    for k in path.split("."):
        if not isinstance(v, dict) or k not in v:
            return None
        v = v[k]
    return v


def low(x):
    return x.lower() if isinstance(x, str) else ""


def eq(e, path, v):
    x = g(e, path)
    return isinstance(x, str) and x.lower() == v.lower()


def has(e, path):
    x = g(e, path)
    return x is not None and x != "" and x != [] and x != {}


def sw(e, path, s):
    x = g(e, path)
    return isinstance(x, str) and x.lower().startswith(s.lower())


def ew(e, path, s):
    x = g(e, path)
    return isinstance(x, str) and x.lower().endswith(s.lower())


def ct(e, path, s):
    x = g(e, path)
    return isinstance(x, str) and s.lower() in x.lower()


def t(e):
    return parse_time_ms(e.r.get("eventTime"))


def T(s):
    v = parse_time_ms(s)
    assert v is not None, s
    return v


def ip_in(e, cidr):
    x = g(e, "sourceIPAddress")
    if not isinstance(x, str):
        return False
    try:
        addr = ipaddress.ip_address(x)
    except ValueError:
        return False
    net = ipaddress.ip_network(cidr, strict=False)
    if net.version == 4 and addr.version == 6 and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.version == net.version and addr in net


def accounts(e):
    return {low(g(e, "recipientAccountId")), low(g(e, "userIdentity.accountId"))} - {""}


def issuer(e):
    return [low(g(e, "userIdentity.sessionContext.sessionIssuer." + k)) for k in ("arn", "userName")]


def names(e):
    out = [low(g(e, "userIdentity." + k)) for k in ("arn", "userName", "principalId")]
    out += issuer(e)
    arn = low(g(e, "userIdentity.arn"))
    m = re.match(r"^arn:[^:]+:sts::\d+:assumed-role/([^/]+)/(.+)$", arn)
    if m:
        out += [m.group(1), m.group(2)]
    return [n for n in out if n]


def _res(e, key):
    rs = e.r.get("resources")
    if not isinstance(rs, list):
        return []
    return [low(r.get(key)) for r in rs if isinstance(r, dict) and isinstance(r.get(key), str)]


def res_arns(e):
    return _res(e, "ARN")


def res_types(e):
    return _res(e, "type")


def files(e):
    return [(os.path.abspath(p).replace("\\", "/").lower(), os.path.basename(p).lower()) for p in e.paths]


def summary(e):
    parts = [g(e, k) for k in (
        "eventName", "eventSource", "userIdentity.arn", "userIdentity.userName", "userIdentity.principalId",
        "userIdentity.invokedBy", "sourceIPAddress", "userAgent", "errorCode", "errorMessage")]
    parts += res_arns(e) + res_types(e)
    return "\n".join(low(p) for p in parts if isinstance(p, str))


# ---- loading

def records_in(v, out):
    if isinstance(v, dict):
        if "eventSource" in v and "eventName" in v and "eventID" in v:
            out.append(v)
            return
        for k, x in v.items():
            if k == "CloudTrailEvent" and isinstance(x, str):
                records_in(json.loads(x), out)
            else:
                records_in(x, out)
    elif isinstance(v, list):
        for x in v:
            records_in(x, out)


def load_file(path):
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8-sig")
    out = []
    try:
        records_in(json.loads(text), out)
    except ValueError:
        for line in text.splitlines():
            if line.strip():
                records_in(json.loads(line), out)
    if not out:
        raise SystemExit(f"filter oracle: no records in {path}")
    return out


def load(paths):
    events = []
    by_key = {}
    todo = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, fs in os.walk(p):
                dirs.sort()
                todo += [os.path.join(root, f) for f in sorted(fs)]
        else:
            todo.append(p)
    for path in todo:
        for r in load_file(path):
            eid = r.get("eventID")
            key = (eid, json.dumps(r, sort_keys=True, separators=(",", ":")))
            if isinstance(eid, str) and eid and key in by_key:
                by_key[key].paths.append(path)
                continue
            ev = Event(r, path)
            by_key[key] = ev
            events.append(ev)
    return events


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 3
    preds = json.load(sys.stdin)
    events = load(argv)
    env = {k: v for k, v in globals().items() if not k.startswith("_")}
    result = {"__all__": sorted(e.r["eventID"] for e in events)}
    for name, src in preds.items():
        fn = eval(src, env)  # a hand-written lambda from the Rust test table
        hits = []
        for e in events:
            try:
                ok = fn(e)
            except Exception as exc:  # a predicate bug must not pass silently
                raise SystemExit(f"filter oracle: predicate {name!r} failed on {e}: {exc!r}")
            if ok:
                hits.append(e.r["eventID"])
        result[name] = sorted(hits)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
