#!/usr/bin/env python3
"""open311_import.py — posts the rows of an NYC 311 CSV export to Tala's Open311 API
(POST /open311/v2/requests.json), one service request per row, and prints what was created
and what was refused, with the reasons. Python 3 standard library only.

    scripts/open311_import.py --url http://127.0.0.1:8080 --api-key KEY FILE.csv [--limit N]
                              [--village CODE]

The complaint type picks one of Tala's service codes by keyword (KEYWORDS below); the
description is the complaint type and its descriptor; lat/long come from the row (the
incident address when they are missing). The row's own times are ignored: the server stamps
the request when it arrives. --village names the village (attribute[village]) when the key
belongs to a township or the county. A 429 (the per-key rate limit) is waited out.
"""
import argparse
import collections
import csv
import http.client
import json
import sys
import time
import urllib.parse

# First match wins: (service code, words looked for in the lower-cased complaint type).
KEYWORDS = (
    ("mediation", ("noise", "driveway", "parking", "neighbor", "encampment", "panhandling",
                   "homeless", "disorderly")),
    ("repair", ("heat", "water", "plumbing", "electric", "sewer", "leak", "boiler", "elevator",
                "appliance", "light", "signal", "door", "window", "flooring", "stairs", "paint",
                "plaster", "construction", "maintenance", "meter", "sign", "street condition",
                "sidewalk", "curb", "highway")),
    ("health", ("unsanitary", "rodent", "air quality", "food", "lead", "smoking", "mold",
                "dead animal", "hygiene", "asbestos", "sanitation", "dirty", "dumping",
                "disposal", "drug")),
    ("agri", ("tree", "animal", "plant", "lawn", "weed")),
    ("legal", ("consumer", "taxi", "for hire", "vehicle", "enforcement", "illegal", "license",
               "building", "dining", "police")),
)
DEFAULT_CODE = "errand"


def service_code(complaint_type):
    t = complaint_type.lower()
    for code, words in KEYWORDS:
        if any(w in t for w in words):
            return code
    return DEFAULT_CODE


def row_form(row, village=None):
    """The Open311 form fields for one CSV row (without api_key)."""
    kind = (row.get("Complaint Type") or "").strip()
    what = (row.get("Descriptor") or "").strip()
    form = {"service_code": service_code(kind),
            "description": (kind + (": " + what if what else ""))[:1000]}
    lat, lon = (row.get("Latitude") or "").strip(), (row.get("Longitude") or "").strip()
    if lat and lon:
        form["lat"], form["long"] = lat, lon
    else:
        address = (row.get("Incident Address") or "").strip()
        if address:
            city = (row.get("City") or "").strip()
            form["address_string"] = (address + (", " + city if city else ""))[:200]
    if village:
        form["attribute[village]"] = village
    return form


def read_rows(path, limit=None):
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if limit is not None and i >= limit:
                break
            yield row


class Poster:
    """POSTs forms over one keep-alive connection, reconnecting when it drops."""

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.https = u.scheme == "https"
        self.host, self.port = u.hostname, u.port
        base = u.path.rstrip("/")
        if not base.endswith("/open311/v2"):
            base += "/open311/v2"
        self.path = base + "/requests.json"
        self.conn = None

    def post(self, form):
        body = urllib.parse.urlencode(form).encode("utf-8")
        for attempt in range(3):
            if self.conn is None:
                cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
                self.conn = cls(self.host, self.port, timeout=30)
            try:
                self.conn.request("POST", self.path, body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded"})
                resp = self.conn.getresponse()
                return resp.status, resp.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def post_row(poster, row, api_key, village, created_ids, by_code, refused):
    """Posts one row; counts it as created (its id) or refused (status and reason)."""
    form = dict(row_form(row, village), api_key=api_key)
    for _ in range(600):  # a 429 is the per-key rate limit: wait for the bucket to refill
        status, raw = poster.post(form)
        if status != 429:
            break
        time.sleep(1.0)
    try:
        answer = json.loads(raw.decode("utf-8"))
    except ValueError:
        answer = None
    if status in (200, 201) and isinstance(answer, list) and answer:
        created_ids.append(answer[0].get("service_request_id"))
        by_code[form["service_code"]] += 1
    else:
        reason = (answer[0].get("description") if isinstance(answer, list) and answer
                  and isinstance(answer[0], dict) else raw[:100].decode("utf-8", "replace"))
        refused["%d %s" % (status, reason)] += 1


def import_rows(url, api_key, path, limit=None, village=None, out=None):
    """Posts the rows; returns {"created": n, "by_code": {code: n}, "ids": [...],
    "refused": {reason: n}}."""
    poster = Poster(url)
    by_code, refused, ids = collections.Counter(), collections.Counter(), []
    try:
        for n, row in enumerate(read_rows(path, limit), 1):
            post_row(poster, row, api_key, village, created_ids=ids, by_code=by_code,
                     refused=refused)
            if out and n % 500 == 0:
                out.write("… %d rows\n" % n)
    finally:
        poster.close()
    return {"created": len(ids), "by_code": dict(by_code), "ids": ids, "refused": dict(refused)}


def main(argv=None):
    ap = argparse.ArgumentParser(description="Posts an NYC 311 CSV to Tala's Open311 API.")
    ap.add_argument("csv", help="the CSV export (read as UTF-8, bad bytes replaced)")
    ap.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    ap.add_argument("--api-key", required=True, help="a key from `tala apikey add`")
    ap.add_argument("--limit", type=int, help="only the first N rows")
    ap.add_argument("--village", help="attribute[village], for a township's or county's key")
    a = ap.parse_args(argv)
    r = import_rows(a.url, a.api_key, a.csv, a.limit, a.village, out=sys.stderr)
    print("created %d" % r["created"])
    for code, n in sorted(r["by_code"].items()):
        print("  %-10s %d" % (code, n))
    print("refused %d" % sum(r["refused"].values()))
    for reason, n in sorted(r["refused"].items(), key=lambda x: -x[1]):
        print("  %5d  %s" % (n, reason))
    return 0 if r["created"] else 1


if __name__ == "__main__":
    sys.exit(main())
