#!/usr/bin/env python3
"""Writes a large synthetic OSV database for bench_vuln.sh: OSV's layout (one all.zip per
ecosystem) with records shaped like the published ones (Debian source-package records with one
affected entry per release and an urgency, PyPI and npm advisories with aliases, CVSS v3 vectors,
ECOSYSTEM/SEMVER ranges, explicit version lists, details and references). Package names mix the
names installed on this machine (so a scan finds some) with generated ones.
usage: gen_osv.py OUTDIR RECORDS [dpkg-status] [python-names-file] [npm-names-file]"""
import os
import random
import sys
import zipfile

out, total = sys.argv[1], int(sys.argv[2])
rnd = random.Random(19)


def names_from(path, prefix):
    names = set()
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(prefix):
                    names.add(line[len(prefix):].strip().split(" ")[0])
    except OSError:
        pass
    return sorted(n for n in names if n)


def plain_names(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return sorted({l.strip() for l in f if l.strip()})
    except OSError:
        return []


status = sys.argv[3] if len(sys.argv) > 3 else "/var/lib/dpkg/status"
deb_real = sorted(set(names_from(status, "Source: ")) | set(names_from(status, "Package: ")))
py_real = plain_names(sys.argv[4]) if len(sys.argv) > 4 else []
npm_real = plain_names(sys.argv[5]) if len(sys.argv) > 5 else []
syll = ["lib", "py", "net", "core", "http", "xml", "json", "yaml", "ssl", "auth", "db", "io", "fast",
        "tiny", "data", "web", "cli", "log", "zip", "img", "math", "time", "text", "crypt", "util"]


def synth(i, sep):
    return sep.join(rnd.choice(syll) for _ in range(rnd.randint(2, 3))) + str(i)


deb_names = deb_real + [synth(i, "-") for i in range(8000)]
py_names = py_real + [synth(i, rnd.choice("-_.")) for i in range(15000)]
npm_names = npm_real + [("@" + synth(i, "") + "/" if i % 5 == 0 else "") + synth(i, "-")
                        for i in range(30000)]
WORDS = ("buffer overflow in the parser allows remote attackers to cause a denial of service "
         "or possibly execute arbitrary code via a crafted request when the option is enabled "
         "improper validation of input leads to path traversal and information disclosure").split()


def text(n):
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def cvss():
    m = lambda k, vs: "%s:%s" % (k, rnd.choice(vs))
    return "CVSS:3.1/" + "/".join([m("AV", "NALP"), m("AC", "LH"), m("PR", "NLH"), m("UI", "NR"),
                                   m("S", "UC"), m("C", "HLN"), m("I", "HLN"), m("A", "HLN")])


def refs():
    return [{"type": "WEB", "url": "https://example.org/advisory/%d" % rnd.randint(1, 10**9)}
            for _ in range(rnd.randint(1, 6))]


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dump(o):
    # json.dumps is slow on 200,000 records; this is enough for the shapes written here
    if isinstance(o, dict):
        return "{" + ",".join(q(k) + ":" + dump(v) for k, v in o.items()) + "}"
    if isinstance(o, list):
        return "[" + ",".join(dump(v) for v in o) + "]"
    if isinstance(o, str):
        return q(o)
    return str(o)


def debian(i):
    cve = "CVE-%d-%d" % (rnd.randint(2005, 2024), 10000 + i)
    src = rnd.choice(deb_names)
    aff = []
    for rel, suffix in (("11", "+deb11u%d"), ("12", "+deb12u%d")):
        fixed = "%d.%d.%d-%d" % (rnd.randint(0, 9), rnd.randint(0, 40), rnd.randint(0, 20),
                                 rnd.randint(1, 9)) + suffix % rnd.randint(1, 9)
        ev = [{"introduced": "0"}] + ([{"fixed": fixed}] if rnd.random() < 0.8 else [])
        aff.append({"package": {"ecosystem": "Debian:" + rel, "name": src,
                                "purl": "pkg:deb/debian/%s?arch=source" % src},
                    "ranges": [{"type": "ECOSYSTEM", "events": ev}],
                    "ecosystem_specific": {"urgency": rnd.choice(["low", "medium", "high",
                                                                  "not yet assigned",
                                                                  "unimportant"])}})
    return "DEBIAN-" + cve, {"schema_version": "1.6.0", "id": "DEBIAN-" + cve,
                             "modified": "2024-09-03T06:27:17Z", "upstream": [cve],
                             "summary": text(8), "details": text(rnd.randint(20, 120)),
                             "affected": aff, "references": refs()}


def advisory(i, eco, names, rtype, pep):
    ghsa = "GHSA-%04x-%04x-%04x" % (rnd.randrange(65536), rnd.randrange(65536), i % 65536)
    name = rnd.choice(names)
    major = rnd.randint(0, 5)
    intro = "%d.%d.0" % (major, rnd.randint(0, 9))
    fixed = "%d.%d.%d" % (major, rnd.randint(10, 30), rnd.randint(0, 9))
    r = {"package": {"ecosystem": eco, "name": name,
                     "purl": "pkg:%s/%s" % (eco.lower(), name)},
         "ranges": [{"type": rtype, "events": [{"introduced": intro if rnd.random() < 0.7
                                                 else "0"}, {"fixed": fixed}]}],
         "database_specific": {"source": "https://github.com/advisories/" + ghsa}}
    if pep and rnd.random() < 0.5:
        r["versions"] = ["%d.%d.%d" % (major, mi, pa) for mi in range(rnd.randint(1, 8))
                         for pa in range(3)]
    rec = {"schema_version": "1.6.0", "id": ghsa, "modified": "2024-05-01T00:00:00Z",
           "published": "2023-01-01T00:00:00Z", "aliases": ["CVE-%d-%d" % (2023, 50000 + i)],
           "summary": text(10), "details": text(rnd.randint(30, 200)), "affected": [r],
           "references": refs(),
           "database_specific": {"severity": rnd.choice(["LOW", "MODERATE", "HIGH",
                                                         "CRITICAL"]),
                                 "github_reviewed": True, "cwe_ids": ["CWE-79"]}}
    if rnd.random() < 0.7:
        rec["severity"] = [{"type": "CVSS_V3", "score": cvss()}]
    return ghsa, rec


shares = [("Debian", 0.4), ("PyPI", 0.3), ("npm", 0.3)]
start = 0
for eco, share in shares:
    n = int(total * share) if eco != "npm" else total - start
    os.makedirs(os.path.join(out, eco), exist_ok=True)
    tmp = os.path.join(out, eco, "all.zip.gen")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for i in range(start, start + n):
            if eco == "Debian":
                rid, rec = debian(i)
            elif eco == "PyPI":
                rid, rec = advisory(i, "PyPI", py_names, "ECOSYSTEM", True)
            else:
                rid, rec = advisory(i, "npm", npm_names, "SEMVER", False)
            z.writestr(rid + ".json", dump(rec))
    os.replace(tmp, os.path.join(out, eco, "all.zip"))
    start += n
