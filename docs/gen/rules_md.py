#!/usr/bin/env python3
# Writes docs/rules.md from the rule tables themselves: build/gen/rules_dump (docs/gen/rules_dump.c,
# linked against libsuite.a) prints every rule of every family; this script puts them into the
# prose of docs/gen/rules.md.in, with the per-rule notes of docs/gen/rule-notes.tsv.
# usage: docs/gen/rules_md.py DUMP_PROGRAM [--check]   (make docs; --check: exit 1 when stale)
import json
import os
import re._constants as C
import re._parser as sre
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "docs/gen/rules.md.in")
NOTES = os.path.join(ROOT, "docs/gen/rule-notes.tsv")
OUT = os.path.join(ROOT, "docs/rules.md")

SEV = ["info", "low", "medium", "high", "critical"]
# enum detect_validator order
VAL = ["none", "github", "jwt", "pem", "url", "gpass", "gsecret", "notword", "b64creds",
       "mismatch", "discord", "webhook", "jwtb64"]
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


DIGITS, HEX = set("0123456789"), set("0123456789abcdefABCDEF")


def class_char(items):
    """One character standing for a character class: 0 digits, f hex, X upper, x anything."""
    chars, neg = set(), False
    for op, av in items:
        if op == C.NEGATE:
            neg = True
        elif op == C.LITERAL:
            chars.add(chr(av))
        elif op == C.RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op == C.CATEGORY and av == C.CATEGORY_DIGIT:
            chars.update(DIGITS)
        else:
            chars.add("x")
    if neg or not chars:
        return None
    if chars <= DIGITS:
        return "0"
    if chars <= HEX:
        return "f" if any(c.islower() for c in chars) or chars <= DIGITS else "F"
    if not any(c.islower() for c in chars) and any(c.isupper() for c in chars):
        return "X"
    return "x"


def shape(tree, out, budget=[0]):
    """A placeholder rendering of a pattern: literals kept, classes as 0/f/X/x, minimum
    repetitions (capped), first alternative. Never a real value."""
    for op, av in tree:
        if len(out) > 90:
            return
        if op == C.LITERAL:
            out.append(chr(av))
        elif op == C.IN:
            c = class_char(av)
            if c is None:
                return
            out.append(c)
        elif op == C.CATEGORY:
            out.append("0" if av == C.CATEGORY_DIGIT else "x")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            n = lo if lo > 0 else 0
            for _ in range(min(n, 60)):
                shape(sub, out)
        elif op == C.SUBPATTERN:
            shape(av[-1], out)
        elif op == C.BRANCH:
            shape(av[1][0], out)
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT, C.ANY, C.NOT_LITERAL, C.GROUPREF):
            continue


def find_group(tree, g):
    for op, av in tree:
        if op == C.SUBPATTERN:
            if av[0] == g:
                return av[-1]
            r = find_group(av[-1], g)
            if r is not None:
                return r
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            r = find_group(av[2], g)
            if r is not None:
                return r
        elif op == C.BRANCH:
            for alt in av[1]:
                r = find_group(alt, g)
                if r is not None:
                    return r
    return None


def example_shape(r):
    """The secret's shape for the table, e.g. `xoxb-0000000000-0000000000`."""
    if (r["flags"] & (DR_KEYBLOCK | DR_LITERAL | DR_GENERIC) and VAL[r["val"]] != "jwt") or \
            r["id"] in SPECIAL:
        return "—"
    try:
        tree = sre.parse(r["pattern"].replace("(?<![A-Za-z0-9+/-])", "")
                         .replace("(?<![A-Za-z0-9_~.-])", "").replace("(?![A-Za-z0-9_~.-])", ""))
    except Exception:  # noqa: BLE001  (a PCRE-only construct: no shape)
        return "—"
    sub = find_group(tree, r["group"]) if r["group"] else tree
    if sub is None:
        return "—"
    out = []
    shape(sub, out)
    text = "".join(out)
    if len(text) < 6:
        return "—"
    if len(text) > 60:
        text = text[:56] + "…"
    return "`%s`" % text.replace("|", "\\|").replace("`", "")


def rationale(r):
    if r["id"] in SPECIAL:
        return SPECIAL[r["id"]]
    p = r["provider"]
    f = r["flags"]
    v = VAL[r["val"]]
    kw = (r["keywords"] or "").split(",")[0]
    if f & DR_KEYBLOCK and v != "jwt":
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
        why += ("; its published checksum (CRC32, or a PyPI macaroon's structure) decides: "
                "verified, confidence 0.99; failed, reported by the `-checksum-mismatch` twin at low")
    if v == "mismatch":
        why = ("A token of this shape whose published checksum (CRC32 for GitHub and npm, the "
               "macaroon structure for PyPI) fails: a typo, a truncated or an invented token "
               "rather than a live one, so low, with \"checksum mismatch\" in the message")
    if v == "discord":
        why += "; the first segment must decode to the bot's numeric user id"
    if v == "webhook":
        why += "; the URL's last segment must be random, not a documentation placeholder"
    if v == "jwtb64":
        why += "; it must decode to JWT text"
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
    rows = ["| id | severity | provider | example shape | what and why | fix | aliases |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in sorted(rules, key=lambda r: r["id"]):
        why, fix = rationale(r)
        aliases = ", ".join("`%s`" % a for a in (r["aliases"] or "").split(",") if a) or "—"
        rows.append("| `%s` | %s | %s | %s | **%s.** %s | %s | %s |" % (
            r["id"], SEV[r["sev"]], r["provider"], example_shape(r), cell(r["title"]), cell(why),
            fix, aliases))
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
