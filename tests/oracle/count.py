#!/usr/bin/env python3
"""Independent oracle for `trailscope stats --json` (python3, stdlib only).

Given paths (files, directories, `.zip`/`.tar`/`.tar.gz` archives, gzip anywhere),
it finds CloudTrail records with its own, deliberately simple shape handling and
prints one JSON object with the integers the integration tests compare against:

    records, events, duplicates, id_collisions, id_collisions_all, digests,
    untimed, partial, files, time_first_ms, time_last_ms, top

It is written for VALID inputs only: when a file cannot be understood it exits
with status 3 and names the file on stderr, so a test can never silently compare
against a wrong expectation. Damaged fixtures have hand counts in tests/cli_stats.rs.

How it decides (independently of the Rust code):
  * gzip is recognised by its magic bytes and may have several members;
    zip by `PK\\x03\\x04`, tar by `ustar` at offset 257 (after gunzip).
  * A text is, in this order: one or more concatenated JSON documents (covers a
    single document, pretty or not, paginated `lookup-events` output and JSON
    Lines); else the console CSV (its 16-column header); else line by line, each
    line being JSON, `<timestamp> <json>` (CloudWatch Logs export) or a
    "space-delimited" line `<eventID> <eventName> <source> <region> <ip> User-Agent=…`.
  * In JSON, a record is any object with the keys `eventName` and `eventSource`
    (even if null), or with `eventType` == AwsCloudTrailInsight, at any depth,
    whose eventSource does not start with `aws:` (that is an S3/SQS/SNS
    notification, not CloudTrail).
    Strings that hold JSON (`CloudTrailEvent`, `message`, `_raw`) are parsed and
    searched too. Once an object is a record we do not look inside it.
  * A digest is an object with `digestStartTime` and `logFiles`.
  * Dedup: same eventID and same canonical content (sort_keys, no whitespace) is a
    duplicate. No eventID: never merged. `id_collisions` counts, per eventID, the
    distinct contents beyond the first; `id_collisions_all` counts every event
    whose eventID is shared with a different event (the contract's wording allows
    both readings, see tests/cli_stats.rs).
  * Facets for `top`: eventName/eventSource, taken from insightDetails for an
    Insight record (which has none at top level).
  * Time: `eventTime`, else `@timestamp`; `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH:MM]`
    (no zone means UTC). Anything else (e.g. "timestamp") is untimed.
    CSV rows use their "Event time" column; space-delimited lines have no time.
  * --since/--until (absolute ISO times or dates only) keep timed events with
    since <= t <= until; untimed events are dropped when a bound is given.
"""
import csv
import gzip
import io
import json
import os
import re
import sys
import tarfile
import zipfile
from datetime import datetime, timezone

CSV_HEADER = [
    "User name", "AWS access key", "Event time", "Event source", "Event name",
    "AWS region", "Source IP address", "User agent", "Error code", "Resources",
    "Request ID", "Event ID", "Read-only", "Event type", "Recipient Account Id",
    "Event category",
]
JSON_STRING_KEYS = ("CloudTrailEvent", "message", "_raw")
TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
)
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
SPACE_LINE_RE = re.compile(
    r"^(\S+) ([A-Za-z0-9]+) ([a-z0-9.-]+\.amazonaws\.com) ([a-z]{2}(?:-[a-z]+)+-\d+) (\S+) User-Agent=(.*)$"
)
EXPORT_LINE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\S+)\s+(\{.*\})\s*$")


class NotUnderstood(Exception):
    pass


def parse_time_ms(s):
    if not isinstance(s, str):
        return None
    m = TIME_RE.match(s.strip())
    if not m:
        return None
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    frac = m.group(7)
    ms = int((frac[1:] + "000")[:3]) if frac else 0
    try:
        dt = datetime(y, mo, d, h, mi, se, tzinfo=timezone.utc)
    except ValueError:
        return None
    total = int(dt.timestamp()) * 1000 + ms
    zone = m.group(8)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset_min = int(digits[:2]) * 60 + int(digits[2:])
        total -= sign * offset_min * 60_000
    return total


def parse_bound(s):
    t = parse_time_ms(s)
    if t is None and DATE_RE.match(s):
        t = parse_time_ms(s + "T00:00:00Z")
    if t is None:
        raise SystemExit(f"oracle: bad time bound {s!r} (absolute times only)")
    return t


class Tally:
    def __init__(self):
        self.items = []  # dicts: id, canon, time, partial, facets
        self.digests = 0
        self.files = 0


def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def is_record(o):
    if o.get("eventType") == "AwsCloudTrailInsight":
        return True
    if "eventSource" in o and "eventName" in o:
        src = o["eventSource"]
        return not (isinstance(src, str) and src.startswith("aws:"))
    return False


def identity_of(o):
    ui = o.get("userIdentity")
    if isinstance(ui, dict):
        return ui.get("arn") or ui.get("userName") or ui.get("principalId") or ui.get("type")
    return None


def add_record(t, o):
    raw_time = o["eventTime"] if "eventTime" in o else o.get("@timestamp")
    eid = o.get("eventID")
    details = o.get("insightDetails") if isinstance(o.get("insightDetails"), dict) else {}
    t.items.append({
        "id": eid if isinstance(eid, str) and eid != "" else None,
        "canon": canon(o),
        "time": parse_time_ms(raw_time),
        "partial": False,
        "facets": {
            # An Insight record names the API it is about in insightDetails.
            "eventName": o.get("eventName", details.get("eventName")),
            "eventSource": o.get("eventSource", details.get("eventSource")),
            "awsRegion": o.get("awsRegion"),
            "sourceIPAddress": o.get("sourceIPAddress"),
            "errorCode": o.get("errorCode"),
            "identity": identity_of(o),
        },
    })


def walk(t, v):
    """Returns the number of records and digests found under v."""
    found = 0
    if isinstance(v, dict):
        if "digestStartTime" in v and "logFiles" in v:
            t.digests += 1
            return 1
        if is_record(v):
            add_record(t, v)
            return 1
        for k, x in v.items():
            if k in JSON_STRING_KEYS and isinstance(x, str):
                try:
                    found += walk(t, json.loads(x))
                except ValueError:
                    pass
            else:
                found += walk(t, x)
    elif isinstance(v, list):
        for x in v:
            found += walk(t, x)
    return found


def json_documents(text):
    """All concatenated JSON documents of text, or None if it is not only that."""
    dec = json.JSONDecoder()
    i, n, docs = 0, len(text), []
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return docs
        try:
            v, i = dec.raw_decode(text, i)
        except ValueError:
            return None
        docs.append(v)


def add_csv(t, text, name):
    rows = list(csv.reader(io.StringIO(text)))
    if rows[0] != CSV_HEADER:
        raise NotUnderstood(f"{name}: CSV header differs")
    for row in rows[1:]:
        if not row:
            continue
        if len(row) != 16:
            raise NotUnderstood(f"{name}: CSV row with {len(row)} columns")
        r = dict(zip(CSV_HEADER, row))
        t.items.append({
            "id": r["Event ID"] or None,
            "canon": canon(row),
            "time": parse_time_ms(r["Event time"]),
            "partial": True,
            "facets": {
                "eventName": r["Event name"],
                "eventSource": r["Event source"],
                "awsRegion": r["AWS region"],
                "sourceIPAddress": r["Source IP address"],
                "errorCode": r["Error code"] or None,
                "identity": r["User name"] or None,
            },
        })


def add_text(t, text, name):
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise NotUnderstood(f"{name}: empty")
    docs = json_documents(text)
    if docs is not None:
        if sum(walk(t, d) for d in docs) == 0:
            raise NotUnderstood(f"{name}: JSON without CloudTrail records")
        return
    first = text.lstrip().splitlines()[0]
    if first.split(",")[:3] == CSV_HEADER[:3]:
        add_csv(t, text, name)
        return
    for no, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        m = EXPORT_LINE_RE.match(s)
        if s.startswith("{"):
            v = json.loads(s)
        elif m:
            v = json.loads(m.group(2))
        else:
            sm = SPACE_LINE_RE.match(s)
            if not sm:
                raise NotUnderstood(f"{name}: line {no} not understood")
            t.items.append({
                "id": sm.group(1),
                "canon": s,
                "time": None,
                "partial": True,
                "facets": {
                    "eventName": sm.group(2),
                    "eventSource": sm.group(3),
                    "awsRegion": sm.group(4),
                    "sourceIPAddress": sm.group(5),
                    "errorCode": None,
                    "identity": None,
                },
            })
            continue
        if walk(t, v) == 0:
            raise NotUnderstood(f"{name}: line {no} has no record")


def add_bytes(t, data, name):
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)  # handles multi-member gzip
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                if not info.is_dir():
                    add_bytes(t, z.read(info), f"{name}!{info.filename}")
        return
    if len(data) > 262 and data[257:262] == b"ustar":
        with tarfile.open(fileobj=io.BytesIO(data)) as tf:
            for m in tf.getmembers():
                if m.isfile():
                    add_bytes(t, tf.extractfile(m).read(), f"{name}!{m.name}")
        return
    t.files += 1
    add_text(t, data.decode("utf-8"), name)


def add_path(t, path):
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files):
                add_path(t, os.path.join(root, f))
        return
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as fh:
            data = fh.read()
    add_bytes(t, data, path)


def summarize(t, since, until):
    seen = {}  # id -> set of canon
    kept = []
    duplicates = 0
    for it in t.items:
        if it["id"] is None:
            kept.append(it)
            continue
        contents = seen.setdefault(it["id"], set())
        if it["canon"] in contents:
            duplicates += 1
            continue
        contents.add(it["canon"])
        kept.append(it)
    id_collisions = sum(len(c) - 1 for c in seen.values())
    id_collisions_all = sum(len(c) for c in seen.values() if len(c) > 1)
    if since is not None or until is not None:
        lo = since if since is not None else -(2**62)
        hi = until if until is not None else 2**62
        kept = [it for it in kept if it["time"] is not None and lo <= it["time"] <= hi]
    times = [it["time"] for it in kept if it["time"] is not None]
    top = {}
    for facet in ("eventName", "eventSource", "awsRegion", "sourceIPAddress", "errorCode", "identity"):
        counts = {}
        for it in kept:
            v = it["facets"][facet]
            if isinstance(v, str) and v != "":
                counts[v] = counts.get(v, 0) + 1
        top[facet] = counts
    return {
        "records": len(t.items),
        "events": len(kept),
        "duplicates": duplicates,
        "id_collisions": id_collisions,
        "id_collisions_all": id_collisions_all,
        "digests": t.digests,
        "untimed": sum(1 for it in kept if it["time"] is None),
        "partial": sum(1 for it in kept if it["partial"]),
        "files": t.files,
        "time_first_ms": min(times) if times else None,
        "time_last_ms": max(times) if times else None,
        "top": top,
    }


def main(argv):
    since = until = None
    paths = []
    it = iter(argv)
    for a in it:
        if a == "--since":
            since = parse_bound(next(it))
        elif a == "--until":
            until = parse_bound(next(it))
        else:
            paths.append(a)
    t = Tally()
    try:
        for p in paths:
            add_path(t, p)
    except (NotUnderstood, ValueError, OSError, EOFError, zipfile.BadZipFile, tarfile.TarError) as e:
        print(f"oracle: cannot count this input (valid fixtures only): {e}", file=sys.stderr)
        return 3
    print(json.dumps(summarize(t, since, until), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
