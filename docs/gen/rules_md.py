#!/usr/bin/env python3
# Writes docs/rules.md from the rule tables themselves: build/gen/rules_dump (docs/gen/rules_dump.c,
# linked against libsuite.a) prints every rule of every family; this script puts them into the
# prose of docs/gen/rules.md.in, with the per-rule notes of docs/gen/rule-notes.tsv.
# usage: docs/gen/rules_md.py DUMP_PROGRAM [--check]   (make docs; --check: exit 1 when stale)
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "docs/gen/rules.md.in")
NOTES = os.path.join(ROOT, "docs/gen/rule-notes.tsv")
OUT = os.path.join(ROOT, "docs/rules.md")

SEV = ["info", "low", "medium", "high", "critical"]
# enum detect_validator order
VAL = ["none", "github", "jwt", "pem", "url", "gpass", "gsecret", "notword", "b64creds"]
DR_GENERIC, DR_CONTEXT, DR_NOVS, DR_KEYBLOCK, DR_LITERAL = 1, 2, 4, 8, 16

SPECIAL = {
    "secret.generic-password":
        ("A variable or key whose name says password (PASSWORD, DB_PASSWD, MYSQL_PWD, passphrase, "
         "contraseña; not PASSWORD_FILE or PASSWORD_MIN_LENGTH) assigned a literal. Weak literals "
         "count: `DB_PASSWORD=changeme` is a finding. References (`${X}`, `$X`, `{{ x }}`, `%X%`), "
         "placeholders (`<your-password>`, `***`, `xxx`), code (`getpass()`, `os.environ[...]`, "
         "`self.password`) and type annotations (`password: str`) are not.",
         "Move the password to a secret store or a secret file and change it."),
    "secret.generic-secret":
        ("A variable or key named secret, token, API key, access/private/client/signing key or "
         "credentials assigned a random-looking literal: entropy >= 3.0, letters and digits, not "
         "a UUID, not a word. Loses to a provider rule on the same value.",
         "Revoke the credential, remove it, and load it at run time."),
    "secret.url-credentials":
        ("`scheme://user:password@host` for http(s), ftp, ssh, git, smtp, ldap, ws. URLs end up in "
         "logs, shell history and image layers. `password`, `pass`, `$VAR`, `${X}` and "
         "`<password>` are not reported.",
         "Use a credential helper, a netrc with mode 0600, or a token from the environment."),
    "secret.database-connection-string":
        ("A password in a database URL (PostgreSQL, MySQL, MariaDB, MongoDB, Redis, AMQP, SQL "
         "Server, Oracle, ClickHouse, CouchDB, Neo4j, Cassandra).",
         "Pass the password separately (a secret file or variable), change it."),
}


def rationale(r):
    if r["id"] in SPECIAL:
        return SPECIAL[r["id"]]
    p = r["provider"]
    f = r["flags"]
    v = VAL[r["val"]]
    kw = (r["keywords"] or "").split(",")[0]
    if f & DR_KEYBLOCK:
        why = ("Whoever reads the file holds the key and the identity it proves. Found by its "
               "header; the body must be at least 64 characters of base64")
        why += (", starting with ASN.1 or openssh-key-v1 magic, so `-----BEGIN ... -----` "
                "placeholders are not reported." if v == "pem" else ".")
        return why, "Remove the key, replace it (new key pair), and mount it at run time."
    if f & DR_LITERAL:
        return ("A crypt(3) password hash; it can be cracked offline, and a shipped shadow file "
                "fixes the password of everyone who runs the image.",
                "Remove the hash from the file or image; set passwords at deploy time.")
    if f & DR_CONTEXT:
        why = ("No distinctive prefix: reported only when a key or variable named after %s is "
               "assigned a value of this shape" % p)
        if r["ent"] > 0:
            why += " with entropy >= %.1f" % r["ent"]
        why += "; words and placeholders are not."
        return why, "Revoke it in the %s console, remove it, load it at run time." % p
    art = "An" if p[0] in "AEIOUaeiou" else "A"
    why = "%s %s credential with a distinctive format (keyword `%s`)" % (art, p, kw)
    if v == "github":
        why += "; when its CRC32 checksum verifies, confidence is 0.99"
    if v == "jwt":
        why += "; header and payload must decode to JSON. A bearer token is valid until it expires"
    if v == "b64creds":
        why += "; the base64 must decode to `user:password` with a real password"
    if v == "url":
        why += "; placeholder passwords are not reported"
    if r["ent"] > 0:
        why += "; entropy >= %.1f" % r["ent"]
    why += ". Anyone who reads it acts as its owner until it is revoked."
    return why, "Revoke it at %s, remove it from the file and history, load it at run time." % p



def cell(text):
    return (text or "").replace("|", "\\|").replace("\n", " ")


def secret_rows(rules):
    rows = ["| id | severity | provider | what and why | fix | aliases |",
            "| --- | --- | --- | --- | --- | --- |"]
    for r in sorted(rules, key=lambda r: r["id"]):
        why, fix = rationale(r)
        aliases = ", ".join("`%s`" % a for a in (r["aliases"] or "").split(",") if a) or "—"
        rows.append("| `%s` | %s | %s | **%s.** %s | %s | %s |" % (
            r["id"], SEV[r["sev"]], r["provider"], cell(r["title"]), cell(why), fix, aliases))
    rows += ["", "%d rules." % len(rules)]
    return rows


def aliases_of(r):
    return ", ".join(a for a in (r["aliases"] or "").split(",") if a) or "—"


def rule_rows(rules, notes):
    rows = ["| id | severity | what it catches and why | fix | aliases |",
            "| --- | --- | --- | --- | --- |"]
    for r in sorted(rules, key=lambda r: r["id"]):
        what = "**%s.**" % cell(r["title"])
        if r.get("name"):
            what = "%s: **%s.**" % (r["name"], cell(r["title"]))
        if notes.get(r["id"]):
            what += " " + cell(notes[r["id"]])
        rows.append("| %s | %s | %s | %s | %s |" % (r["id"], SEV[r["sev"]], what, cell(r["fix"]),
                                                   aliases_of(r)))
    return rows


def image_df_rows(df_rules, notes):
    by_id = {r["id"]: r for r in df_rules}
    rows = ["| id | severity | in an image | aliases |", "| --- | --- | --- | --- |"]
    for rid, note in notes.items():
        r = by_id[rid]
        rows.append("| `%s` | %s | %s | %s |" % (rid, SEV[r["sev"]], cell(note), aliases_of(r)))
    return rows


def render(dump):
    rules = [json.loads(x) for x in subprocess.check_output([dump]).decode().splitlines()]
    fams = {}
    for r in rules:
        fams.setdefault(r["family"], []).append(r)
    notes = {}
    for line in open(NOTES, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        fam, rid, text = line.rstrip("\n").split("\t", 2)
        notes.setdefault(fam, {})[rid] = text
    known = {f: {r["id"] for r in rs} for f, rs in fams.items()}
    known["image-df"] = known.get("dockerfile", set())
    for fam, ns in notes.items():
        for rid in ns:
            if rid not in known.get(fam, ()):
                sys.exit("docs/gen/rule-notes.tsv: %s %s: no such rule in the tables" % (fam, rid))
    out = []
    for line in open(TEMPLATE, encoding="utf-8").read().split("\n"):
        if line.startswith("@@RULES ") and line.endswith("@@"):
            fam = line[len("@@RULES "):-2]
            if fam == "secret":
                out += secret_rows(fams["secret"])
            elif fam == "image-df":
                out += image_df_rows(fams["dockerfile"], notes.get("image-df", {}))
            else:
                out += rule_rows(fams.get(fam, []), notes.get(fam, {}))
        else:
            out.append(line)
    return "\n".join(out)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: docs/gen/rules_md.py DUMP_PROGRAM [--check]")
    text = render(sys.argv[1])
    if "--check" in sys.argv[2:]:
        old = open(OUT, encoding="utf-8").read() if os.path.exists(OUT) else ""
        if old != text:
            sys.exit("docs/rules.md is stale: run `make docs` and commit the result")
        return
    tmp = OUT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, OUT)
    print("docs/rules.md: %d rules" % sum(1 for _ in text.splitlines() if _.startswith("| ")))


if __name__ == "__main__":
    main()
