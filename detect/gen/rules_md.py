#!/usr/bin/env python3
# Rewrites the "Secret detection" section of docs/rules.md from the rule table in
# detect/rules.c, so that every rule is documented (tests/unit/test_detect.c checks it).
# usage: python3 detect/gen/rules_md.py   (from the repository root; needs gcc)
import json
import os
import re._constants as C
import re._parser as sre
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DUMP = r'''
#include <stdio.h>
#include "detect_internal.h"
static void js(const char *s){ if(!s){printf("null");return;} putchar('"'); for(;*s;s++){ unsigned char c=*s;
 if(c=='"'||c=='\\') printf("\\%c",c); else if(c<0x20||c>=0x7f) printf("\\u%04x",c); else putchar(c);} putchar('"'); }
int main(void){ for(size_t i=0;i<detect_rules_count;i++){ const struct detect_rule *r=&detect_rules[i];
 printf("{\"id\":"); js(r->meta.id); printf(",\"sev\":%d,\"title\":",(int)r->meta.severity); js(r->meta.title);
 printf(",\"provider\":"); js(r->provider); printf(",\"aliases\":"); js(r->meta.aliases);
 printf(",\"keywords\":"); js(r->keywords); printf(",\"pattern\":"); js(r->pattern);
 printf(",\"group\":%u,\"flags\":%u,\"val\":%d,\"ent\":%g,\"conf\":%g}\n",
 r->group,r->flags,(int)r->validator,r->min_entropy,r->confidence); } return 0; }
'''

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


def load():
    with tempfile.TemporaryDirectory() as d:
        open(d + "/dump.c", "w").write(DUMP)
        subprocess.check_call(["gcc", "-std=c11", "-D_GNU_SOURCE", "-I", ROOT + "/common", "-I",
                               ROOT + "/detect", d + "/dump.c", ROOT + "/detect/rules.c", "-o",
                               d + "/dump"])
        out = subprocess.check_output([d + "/dump"]).decode()
    return [json.loads(x) for x in out.splitlines()]


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


HEAD = """## Secret detection (`secret.*`) — `scanner --path`, and every value the other scanners read

The detector (`detect/`) compiles every rule below into one Vectorscan database at build time
(`detect/gen/detect_gen.c`), makes one pass over the input, then runs each hit's rule through
PCRE2 (JIT, compiled lazily, with match limits) in a bounded window to extract the secret itself
(the capture group, not the whole match) and validate it. Rules with distinctive keywords (at
least 5 characters, or 4 with a non-letter: `ghp_`, `datadog`) are put in the database as their
caseless keywords, which is cheaper than the whole pattern; rules with short or common keywords
keep their whole pattern there. A rule that Vectorscan cannot compile (lookaround) also runs
through PCRE2 behind its keywords; the unit test proves that every rule compiles one way or the
other, so no rule is silently dropped. Streams rescan a fixed overlap, so a secret across a chunk border
is reported exactly once.

Every finding carries a redacted preview (at most 4 leading characters and the length; fewer for
short values, none under 10 characters), a keyed BLAKE2b fingerprint, and a confidence (0–1).
Values are never printed in clear unless `--show-secrets` is given.

**Not secrets** (never reported): references and templates (`${VAR}`, `${VAR:-x}`, `$VAR`,
`$(cmd)`, `{{ x }}`, `${{ secrets.X }}`, `%VAR%`, `@VAR@`, `{0}`, `%s`), placeholders
(`<your-token>`, `your-api-key-here`, `***`, `xxx`, `REDACTED`, `changeit_…`, `example`), empty
values, UUIDs (generic rules), sequential or repeated characters (`abcdef`, `123456`, `aaaa`),
generic hits in lock files (`package-lock.json`, `yarn.lock`, `go.sum`, `Cargo.lock`, …). For the
generic rules also: values under 4 characters, sentences and labels (`'Enter your password'`,
`"challengePassword"`), option lists (`true|false`), f-strings (`{self.password}`), and code
(`getpass()`, `os.environ[...]`, `self.x = y`, `a, password = split`, an identifier assigned on an
indented line, prose after an unquoted value).
**Documented examples** (AWS's `AKIAIOSFODNN7EXAMPLE` and `…EXAMPLEKEY`, Stripe's, jwt.io's and
the OAuth RFCs' published samples, credentials for `example.com` / `.org` / `.net` hosts) are
reported at `info` as examples, not dropped. A literal weak password is
still a hardcoded secret: `DB_PASSWORD=changeme` is a finding.

**Suppression.** A line containing `secrets:allow` (ours) is not reported; `secrets:allow-next-line`
on the line before skips the next line. For users who migrate, gitleaks' `gitleaks:allow` and
detect-secrets' `pragma: allowlist secret` / `pragma: allowlist nextline secret` work the same way.
Any comment syntax works (`# secrets:allow`, `// secrets:allow`, `<!-- secrets:allow -->`).

**Baselines.** `scanner --write-baseline F` records every current finding as
`{"fingerprint", "rule", "path"}` (JSON, no secret, no line numbers); `scanner --baseline F` drops
findings whose fingerprint, rule and path are in F, so moving a secret within a file does not
resurrect it, while a different secret on the same line is still reported. Findings of other
scanners (no secret) are keyed by a fingerprint of their rule, target and location text.

**Fix (every rule):** revoke or rotate the credential at its provider first (it is leaked once it
was committed or shipped), remove it from the file *and* from history or image layers, and load
it at run time from a secret store, a mounted secret file, or the environment.

| id | severity | provider | example shape | what and why | fix | aliases |
| --- | --- | --- | --- | --- | --- | --- |
"""


def main():
    rules = sorted(load(), key=lambda r: r["id"])
    rows = []
    for r in rules:
        why, fix = rationale(r)
        aliases = ", ".join("`%s`" % a for a in (r["aliases"] or "").split(",") if a) or "—"
        title = r["title"].replace("|", "\\|")
        rows.append("| `%s` | %s | %s | %s | **%s.** %s | %s | %s |" % (
            r["id"], SEV[r["sev"]], r["provider"], example_shape(r), title,
            why.replace("|", "\\|"), fix, aliases))
    section = HEAD + "\n".join(rows) + "\n\n%d rules.\n\n" % len(rules)
    path = ROOT + "/docs/rules.md"
    text = open(path).read()
    start = text.index("## Secret detection")
    end = text.index("\n## ", start + 10) + 1
    text = text[:start] + section + text[end:]
    open(path, "w").write(text)
    print("docs/rules.md: %d secret rules" % len(rules))


if __name__ == "__main__":
    main()
