#!/usr/bin/env python3
# Rewrites the "Secret detection" section of docs/rules.md from the rule table in
# detect/rules.c, so that every rule is documented (tests/unit/test_detect.c checks it).
# usage: python3 detect/gen/rules_md.py   (from the repository root; needs gcc)
import json
import os
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
 printf(",\"keywords\":"); js(r->keywords); printf(",\"flags\":%u,\"val\":%d,\"ent\":%g,\"conf\":%g}\n",
 r->flags,(int)r->validator,r->min_entropy,r->confidence); } return 0; }
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

| id | severity | provider | what and why | fix | aliases |
| --- | --- | --- | --- | --- | --- |
"""


def main():
    rules = sorted(load(), key=lambda r: r["id"])
    rows = []
    for r in rules:
        why, fix = rationale(r)
        aliases = ", ".join("`%s`" % a for a in (r["aliases"] or "").split(",") if a) or "—"
        title = r["title"].replace("|", "\\|")
        rows.append("| `%s` | %s | %s | **%s.** %s | %s | %s |" % (
            r["id"], SEV[r["sev"]], r["provider"], title, why.replace("|", "\\|"), fix, aliases))
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
