#!/usr/bin/env python3
# Builds the detector's quality corpus: every rule's synthetic secret (never a real one) in
# every surrounding syntax the detector must understand (env, export, fish, PowerShell, YAML and
# its block scalars, JSON and JSON-in-JSON, XML elements and <add key value>, PHP, Makefile,
# .properties, TOML, HCL, Go, C#, Java, Kotlin, Python keyword arguments, command-line flags,
# HTTP headers, URLs), plus negatives in the same syntaxes (references, placeholders, masks,
# prose, documentation values, look-alikes). Adding a rule to detect/rules.c adds its cases.
#
# Seeds: one (rule, secret) row per rule of detect/rules.c, made from its pattern
# (tests/fixtures/detect/make_positives.py), plus the rows of
# tests/fixtures/detect/provider-samples.tsv when it exists (rule id, positive token, then
# optional negatives, tab-separated).
#
# usage: gen.py OUTDIR   (from anywhere; needs gcc). Writes OUTDIR/cases/... and
# OUTDIR/MANIFEST.tsv: kind (pos|neg), path (relative to OUTDIR/cases), rule, line, family,
# form, secret (so that the evaluator can check no value is printed in clear).
import base64
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests/fixtures/detect"))
import make_positives as mp  # noqa: E402  (sample_from, special, load_rules)

rng = random.Random(20261204)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
DR_GENERIC, DR_CONTEXT, DR_KEYBLOCK = 0x01, 0x02, 0x08


def rand(n, chars=ALNUM):
    while True:
        s = "".join(rng.choice(chars) for _ in range(n))
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


# ---- Names in each syntax ---------------------------------------------------------------------

def camel(nm):
    parts = [p for p in re.split(r"[_.\-]", nm) if p]
    return parts[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in parts[1:])


def names(nm):
    nm = nm.strip("_.-") or "value"
    low = nm.lower()
    return {
        "nm": low,
        "UP": low.upper().replace(".", "_").replace("-", "_"),
        "camel": camel(low),
        "kebab": low.replace("_", "-").replace(".", "-"),
        "dotted": "app." + low,
        "Header": "-".join(p[:1].upper() + p[1:] for p in re.split(r"[_.\-]", low) if p),
    }


# ---- Surrounding forms ------------------------------------------------------------------------
# (form, file name, template, line of the secret). {s} is the value; names from names().

FORMS = [
    ("env", "app.env", "LOG_LEVEL=info\n{UP}={s}\n", 2),
    ("env-quoted", "app.env", '{UP}="{s}"\n', 1),
    ("export", "deploy.sh", '#!/bin/sh\nexport {UP}="{s}"\n', 2),
    ("export-bare", "deploy.sh", "#!/bin/sh\nexport {UP}={s}\n", 2),
    ("fish", "config.fish", "set -x {UP} {s}\n", 1),
    ("powershell", "setup.ps1", '$env:{UP} = "{s}"\n', 1),
    ("yaml", "values.yaml", "app:\n  {nm}: {s}\n", 2),
    ("yaml-quoted", "values.yaml", "app:\n  {nm}: '{s}'\n", 2),
    ("yaml-block", "values.yaml", "app:\n  {nm}: |\n    {s}\n  port: 8080\n", 3),
    ("yaml-folded", "values.yaml", "app:\n  {nm}: >-\n    {s}\n", 3),
    ("json", "config.json", '{{\n  "service": "billing",\n  "{nm}": "{s}"\n}}\n', 3),
    ("json-escaped-quotes", "config.json", '{{"settings": "{{\\"{nm}\\": \\"{s}\\"}}"}}\n', 1),
    ("json-escaped-newlines", "task.json", '{{"env": "A=1\\n{UP}={s}\\nB=2"}}\n', 1),
    ("xml-element", "settings.xml", "<config>\n  <{camel}>\n    {s}\n  </{camel}>\n</config>\n", 3),
    ("xml-inline", "settings.xml", "<config><{camel}>{s}</{camel}></config>\n", 1),
    ("xml-add", "web.config", '<appSettings>\n  <add key="{camel}" value="{s}" />\n</appSettings>\n', 2),
    ("php", "config.php", "<?php\n${nm} = '{s}';\n", 2),
    ("php-append", "config.php", "<?php\n${nm} = '';\n${nm} .= '{s}';\n", 3),
    ("make-colon", "Makefile", "{UP} := {s}\n", 1),
    ("make-2colon", "Makefile", "{UP} ::= {s}\n", 1),
    ("make-3colon", "Makefile", "{UP} :::= {s}\n", 1),
    ("make-cond", "Makefile", "{UP} ?= {s}\n", 1),
    ("make-append", "Makefile", "{UP} += {s}\n", 1),
    ("properties", "app.properties", "{dotted}={s}\n", 1),
    ("properties-colon", "app.properties", "{dotted}: {s}\n", 1),
    ("properties-space", "app.properties", "{dotted} {s}\n", 1),
    ("toml", "config.toml", '[service]\n{nm} = "{s}"\n', 2),
    ("hcl", "main.tf", 'resource "svc" "main" {{\n  {nm} = "{s}"\n}}\n', 2),
    ("go", "main.go", 'package main\n\nfunc main() {{\n\t{camel} := "{s}"\n\t_ = {camel}\n}}\n', 4),
    ("csharp", "Config.cs", 'class Config {{\n    string {camel} = "{s}";\n}}\n', 2),
    ("java", "Config.java", 'class Config {{\n    private static final String {UP} = "{s}";\n}}\n', 2),
    ("kotlin", "Config.kt", 'val {camel} = "{s}"\n', 1),
    ("python-kwarg", "client.py", 'client = connect(host="db.internal", {nm}="{s}")\n', 1),
    ("flag-eq", "run.sh", "./deploy --{kebab}={s} --verbose\n", 1),
    ("flag-space", "run.sh", "./deploy --{kebab} {s} --verbose\n", 1),
    ("header", "call.sh", "curl -H 'X-{Header}: {s}' https://api.internal/v1\n", 1),
]

# Forms for the negatives (a subset: the value is what makes them negative).
NEG_FORMS = ["env", "yaml", "json", "xml-element", "flag-space", "php", "json-escaped-newlines",
             "properties-space"]

# Forms for a whole line of a structured secret ({line}); kept where the rule's pattern still
# finds the secret in them (checked with Python's re on the same pattern).
LINE_FORMS = [
    ("line-raw", "settings.txt", "{line}\n", 1),
    ("line-crlf", "settings.txt", "# exported\r\n{line}\r\n", 2),
    ("line-indented", "settings.txt", "[main]\n    {line}\n", 2),
    ("line-comment", "notes.sh", "# {line}\n", 1),
    ("line-yaml-block", "values.yaml", "config: |\n  {line}\n", 2),
    ("line-json-escaped", "task.json", '{{"env": "A=1\\n{jline}\\nB=2"}}\n', 1),
    ("line-json-string", "task.json", '{{"config": "{jline}"}}\n', 1),
    ("line-heredoc", "setup.sh", "cat > app.conf <<EOF\n{line}\nEOF\n", 2),
    ("line-markdown", "README.md", "Settings:\n\n```\n{line}\n```\n", 4),
    ("line-xml-text", "settings.xml", "<setting>{line}</setting>\n", 1),
    ("line-dockerfile", "Dockerfile", "FROM alpine:3.20\nRUN echo '{line}' >> /etc/app.conf\n", 2),
]

# Credentials in URLs: scheme -> rule.
URL_SCHEMES = [
    ("postgres", "database-connection-string"), ("postgresql", "database-connection-string"),
    ("mysql", "database-connection-string"), ("mongodb+srv", "database-connection-string"),
    ("redis", "database-connection-string"), ("rediss", "database-connection-string"),
    ("amqp", "database-connection-string"), ("amqps", "database-connection-string"),
    ("https", "url-credentials"), ("http", "url-credentials"), ("ftp", "url-credentials"),
    ("sftp", "url-credentials"), ("smtp", "url-credentials"), ("smtps", "url-credentials"),
    ("ldap", "url-credentials"), ("ldaps", "url-credentials"), ("ssh", "url-credentials"),
    ("git", "url-credentials"), ("imap", "url-credentials"), ("nats", "url-credentials"),
    ("kafka+ssl", "url-credentials"), ("svn+ssh", "url-credentials"),
]
URL_FORMS = ["env", "env-quoted", "export", "yaml", "yaml-block", "json", "json-escaped-quotes",
             "json-escaped-newlines", "xml-element", "xml-add", "php", "make-colon",
             "properties", "toml", "go", "java", "python-kwarg", "flag-eq", "flag-space"]

# HTTP headers: (form, file, template with {s} the whole header value, line).
HEADER_FORMS = [
    ("curl-h", "call.sh", "curl -sS -H 'Authorization: {v}' https://api.internal/v1/items\n", 1),
    ("curl-h-dq", "call.sh", 'curl -H "Authorization: {v}" https://api.internal/v1\n', 1),
    ("http-raw", "request.http", "GET /v1/items HTTP/1.1\nHost: api.internal\nAuthorization: {v}\n", 3),
    ("json-headers", "request.json", '{{\n  "headers": {{\n    "Authorization": "{v}"\n  }}\n}}\n', 3),
    ("json-escaped", "har.json", '{{"request": "{{\\"Authorization\\": \\"{v}\\"}}"}}\n', 1),
    ("yaml-headers", "client.yaml", "headers:\n  Authorization: {v}\n", 2),
    ("js-fetch", "client.js", "fetch(url, {{ headers: {{ Authorization: '{v}' }} }});\n", 1),
    ("python-dict", "client.py", 'headers = {{"Authorization": "{v}"}}\n', 1),
    ("nginx", "site.conf", 'proxy_set_header Authorization "{v}";\n', 1),
    ("wget", "fetch.sh", "wget --header='Authorization: {v}' https://api.internal/file\n", 1),
    ("powershell", "call.ps1", '$headers = @{{ "Authorization" = "{v}" }}\n', 1),
]

# Command lines with a password argument (rule cli-password).
CLI_FORMS = [
    ("shell", "backup.sh", "mysqldump -h db.internal -u backup -p{s} orders > orders.sql\n", 1),
    ("dockerfile", "Dockerfile", "FROM mysql:8\nRUN mysql -uroot -p{s} -e 'CREATE DATABASE app'\n", 2),
    ("makefile", "Makefile", "dump:\n\tmysqldump -u app -p'{s}' app > app.sql\n", 2),
    ("yaml-command", "job.yaml", "steps:\n  - run: mysql -h db -u ci -p{s} < schema.sql\n", 2),
    ("json-command", "task.json", '{{"command": "mysql -u app -p{s} app"}}\n', 1),
    ("crontab", "crontab", "0 3 * * * mariadb-dump -u backup -p{s} --all-databases > /srv/all.sql\n", 1),
    ("sqlcmd", "load.ps1", "sqlcmd -S db.internal -U sa -P {s} -i schema.sql\n", 1),
    ("bcp", "export.cmd", "bcp app.dbo.orders out orders.dat -S db -U loader -P {s} -c\n", 1),
    ("sshpass", "sync.sh", "sshpass -p '{s}' rsync -a build/ deploy@web.internal:/srv/app\n", 1),
    ("redis-cli", "flush.sh", "redis-cli -h cache.internal -a {s} FLUSHALL\n", 1),
]


# ---- Seeds --------------------------------------------------------------------------------

def compiled(pattern):
    try:
        return re.compile(pattern.encode("latin-1").decode("utf-8", "replace"))
    except re.error:
        return None


def seed_for(r):
    """("name", name, secret) for a rule whose secret can sit after any name (a token with a
    prefix) or after a name of the provider (a context rule); ("line", line, secret) for a
    rule with a structure of its own (connection strings, .npmrc lines...); None for private
    key blocks (tests/fixtures/detect covers them)."""
    rid = r["id"][len("secret."):]
    rx = compiled(r["pattern"])
    sp = mp.special(rid)
    if sp is not None:
        if sp[0] == "token":
            return ("name", rid.split("-")[0] + "_api_token", sp[1])
        if sp[0] == "line" and rx is not None:
            m = rx.search(sp[1])
            if m is not None and m.lastindex:
                return ("line", sp[1], m.group(1))
        return None
    if r["flags"] & (DR_KEYBLOCK | DR_GENERIC):
        return None
    sample = mp.sample_from(r["pattern"]).rstrip("\n \t`\"',;&<>")
    m = rx.search(sample) if rx is not None else None
    if m is None or not m.lastindex:
        return None
    value = m.group(1)
    if r["flags"] & DR_CONTEXT:
        name = re.sub(r"[\"'`\s=:>|,\\.+?-]+$", "", sample[:m.start(1)])
        name = re.sub(r"^[^A-Za-z0-9]+", "", name)
    else:
        name = rid.split("-")[0] + "_api_token"
    # The secret must still be the rule's match in the plainest form (NAME=value); if it is
    # not, the rule needs more than a name before the value: keep the sample line whole.
    m2 = rx.search(fill("{UP}={s}", name, value)) if name else None
    if m2 is None or m2.group(1) != value:
        return ("line", sample, value)
    return ("name", name, value)


def provider_rows():
    """Rows of tests/fixtures/detect/provider-samples.tsv: (rule, token, [negatives])."""
    path = os.path.join(ROOT, "tests/fixtures/detect/provider-samples.tsv")
    rows = []
    if os.environ.get("DETECT_CORPUS_PROVIDERS") != "1" or not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2 or not cols[1]:
                continue
            rid = cols[0].strip()
            rid = rid if rid.startswith("secret.") else "secret." + rid
            rows.append((rid, cols[1], [c for c in cols[2:] if c.strip()]))
    return rows


def family(rule, flags):
    rid = rule[len("secret."):]
    if rid.startswith("generic-"):
        return "generic"
    if rid in ("url-credentials", "database-connection-string", "jdbc-password",
               "odbc-connection-password"):
        return "url"
    if rid.startswith("authorization-"):
        return "http-header"
    if rid == "cli-password":
        return "command-line"
    if flags & DR_KEYBLOCK:
        return "key-block"
    if flags & DR_CONTEXT:
        return "provider-context"
    return "provider-prefixed"


# ---- Writing --------------------------------------------------------------------------------

class Corpus:
    def __init__(self, out):
        self.out = out
        self.rows = []
        self.n = 0

    def add(self, kind, form, fname, text, rule, line, fam, secret):
        self.n += 1
        rel = "%s/%s/%05d-%s" % (kind, form, self.n, fname)
        path = os.path.join(self.out, "cases", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        self.rows.append((kind, rel, rule, line, fam, form, secret))

    def write_manifest(self):
        with open(os.path.join(self.out, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
            f.write("# kind\tpath\trule\tline\tfamily\tform\tsecret\n")
            for r in self.rows:
                f.write("\t".join(str(x) for x in r) + "\n")


def fill(tmpl, nm, value):
    d = names(nm)
    d["s"] = value
    return tmpl.format(**d)


def emit_forms(c, kind, rule, fam, nm, value, forms=None, secret=None):
    for form, fname, tmpl, line in FORMS:
        if forms is not None and form not in forms:
            continue
        if kind == "pos" and form.startswith("json-escaped") and "\\" in value:
            continue
        c.add(kind, form, fname, fill(tmpl, nm, value), rule, line, fam,
              secret if secret is not None else value)


def emit_lines(c, rule, fam, rx, line, secret):
    for form, fname, tmpl, ln in LINE_FORMS:
        text = tmpl.format(line=line, jline=line.replace("\\", "\\\\").replace('"', '\\"'))
        m = rx.search(text)
        if m is None or m.group(1) != secret:
            continue
        c.add("pos", form, fname, text, rule, ln, fam, secret)


def negatives_for(nm, value, fam):
    """Values in a secret's place that must not be reported (rule-independent)."""
    up = names(nm)["UP"]
    out = [
        "${%s}" % up, "$%s" % up, "${%s:-}" % up, "%%%s%%" % up, "{{ .Values.%s }}" % nm,
        "${{ secrets.%s }}" % up, "<your-%s>" % names(nm)["kebab"], "********",
        "REDACTED", "<masked>", "xxxxxxxxxxxxxxxx",
    ]
    if fam in ("generic", "provider-context"):
        # Documentation and test values in a generic context: fake, dummy, example, test,
        # sample, placeholder as segments of the value.
        out += ["fake-" + value[5:] if len(value) > 12 else "fake-value-for-tests",
                "dummy_" + value[6:] if len(value) > 12 else "dummy_value_1234",
                "example-" + rand(16), "test_" + rand(20), "sample-" + rand(16),
                "placeholder-" + rand(12)]
    return out


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: gen.py OUTDIR\n")
        return 2
    c = Corpus(sys.argv[1])
    rules = mp.load_rules()
    flags = {r["id"]: r["flags"] for r in rules}
    seeds = []  # (rule, family, name, secret)
    skipped = []
    for r in rules:
        fam = family(r["id"], r["flags"])
        if fam in ("generic", "url", "http-header", "command-line"):
            continue  # built below
        s = seed_for(r)
        if s is None:
            skipped.append(r["id"])
        elif s[0] == "name":
            seeds.append((r["id"], fam, s[1], s[2]))
        else:
            emit_lines(c, r["id"], fam, compiled(r["pattern"]), s[1], s[2])
    for rid, tok, negs in provider_rows():
        if rid not in flags:
            sys.stderr.write("gen.py: provider-samples.tsv: unknown rule %s (skipped)\n" % rid)
            continue
        fam = family(rid, flags[rid])
        nm = rid[len("secret."):].split("-")[0] + "_api_token"
        seeds.append((rid, fam, nm, tok))
        for neg in negs:
            emit_forms(c, "neg", rid, fam, nm, neg, NEG_FORMS[:5])

    # Generic rules: a password and an API key under many names.
    for nm in ("db_password", "smtp_passwd", "admin_pwd", "ssh_passphrase"):
        seeds.append(("secret.generic-password", "generic", nm, rand(14)))
    for nm in ("api_key", "client_secret", "auth_token", "service_access_key", "app_credentials"):
        seeds.append(("secret.generic-secret", "generic", nm, rand(32)))

    for i, (rid, fam, nm, value) in enumerate(seeds):
        emit_forms(c, "pos", rid, fam, nm, value)
        # Each negative value in two of the negative forms, in turn (the value is what makes
        # them negative; every form gets every kind of value across the rules).
        for k, neg in enumerate(negatives_for(nm, value, fam)):
            pick = [NEG_FORMS[(i + k) % len(NEG_FORMS)], NEG_FORMS[(i + k + 3) % len(NEG_FORMS)]]
            emit_forms(c, "neg", rid, fam, nm, neg, pick)
    # Prose, masked log lines and look-alikes in generic contexts.
    prose = ["doesnt start right", "not set yet", "see the vault docs", "ask the ops team"]
    for nm in ("db_password", "api_key", "client_secret"):
        for p in prose:
            for form in ("env-quoted", "yaml-quoted", "json", "python-kwarg", "kotlin"):
                emit_forms(c, "neg", "secret.generic", "generic", nm, p, [form])
        for line in ("[DEBUG] Using %s=<masked>\n" % names(nm)["UP"],
                     "INFO  loaded %s=****%s from the environment\n" % (names(nm)["UP"], rand(4)),
                     "2026-12-04 10:00:00 WARN %s: [REDACTED]\n" % nm,
                     "%s = os.environ[\"%s\"]\n" % (nm, names(nm)["UP"]),
                     "%s = os.getenv(\"%s\", \"\")\n" % (nm, names(nm)["UP"]),
                     "%s: process.env.%s\n" % (nm, names(nm)["UP"]),
                     '%s = "#{ENV[\'%s\']}"\n' % (nm, names(nm)["UP"]),
                     "%s = System.getenv(\"%s\");\n" % (nm, names(nm)["UP"]),
                     "$%s = getenv('%s');\n" % (nm, names(nm)["UP"]),
                     "%s_file = /run/secrets/%s\n" % (nm, nm),
                     "%s = var.%s\n" % (nm, nm),
                     "%s: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n" % nm):
            c.add("neg", "log-or-reference", "app.txt", line, "secret.generic", 1, "generic", "")
    # Names and values that look like a secret's and are not (written for this corpus).
    hard = [
        'token = "tokenizer_v2_config"\n', 'auth_method = "oauth2_client_credentials"\n',
        'api_key_header = "X-API-KEY"\n', 'secret_name = "prod/db/password-2024"\n',
        'password: !Ref DbPassword\n', 'password = config.get("db", "password")\n',
        'token: Optional[str] = None\n', 'AUTH_TOKEN_URL=https://login.internal/oauth/token\n',
        'token_version = "v1.2.3-rc4"\n', 'private_key_path: ~/.ssh/id_ed25519\n',
        '"password_label": "Mot de passe oublie"\n',
        '<input type="password" name="password" value="">\n',
        'password = "test1234"\n', 'api_key = "sk-test-0000000000000000"\n',
        'secret = "<%= ENV["APP_SECRET"] %>"\n', 'DB_PASSWORD=${DB_PASSWORD:?set it}\n',
        'export API_TOKEN="$(cat /run/secrets/api_token)"\n',
        'set -x API_TOKEN (cat ~/.config/token)\n', '$env:API_KEY = $env:CI_API_KEY\n',
        'client_secret = os.environ.get("CLIENT_SECRET", "")\n',
        'password = ENV.fetch("DB_PASSWORD")\n', 'token := os.Getenv("TOKEN")\n',
        'String password = System.getenv("DB_PASSWORD");\n',
        'val token = BuildConfig.API_TOKEN\n', '--password-file /run/secrets/db\n',
        'docker login --password-stdin --username ci registry.internal\n',
        'pg_dump --no-password --host db.internal app\n',
        'secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>\n',
        'Authorization: Bearer <token>\n', 'X-Api-Key: {{api_key}}\n',
        'api_key: "AKIAIOSFODNN7EXAMPLE"\n', 'token_type = "bearer"\n',
        'session_token_ttl = 3600\n', 'password_min_length: 12\n',
        '"credentials": "include",\n', 'auth: "basic"\n',
        '[DEBUG] Using API_KEY=<masked>\n', '[DEBUG] Using API_KEY=****\n',
        'INFO token=ab12****wxyz\n', 'password = "********"\n',
        '<password>${db.password}</password>\n', '<add key="ApiKey" value="{ApiKey}" />\n',
        'api_key = "your-api-key-here"\n', 'passphrase = "correct horse battery staple"\n',
    ]
    for k, text in enumerate(hard):
        c.add("neg", "look-alike", "case%02d.txt" % k, text, "secret.generic", 1, "generic", "")
    # A Google API key shape inside a longer token is not a key.
    for _ in range(6):
        inner = "AIza" + rand(35, ALNUM + "_-")
        for text in ("id = %s-%s\n" % (rand(12), inner), "blob: %s/%s\n" % (rand(20), inner)):
            c.add("neg", "inside-token", "data.txt", text, "secret.gcp-api-key", 1,
                  "provider-prefixed", inner)

    # URLs with credentials, in every scheme.
    for scheme, rid in URL_SCHEMES:
        pw = rand(16)
        url = "%s://app_user:%s@svc.internal:5000/main" % (scheme, pw)
        emit_forms(c, "pos", "secret." + rid, "url", "service_url", url, URL_FORMS, secret=pw)
        for neg in ("%s://app_user:${DB_PASSWORD}@svc.internal/main" % scheme,
                    "%s://app_user:<password>@svc.internal/main" % scheme,
                    "%s://user:password@localhost/main" % scheme,
                    "%s://app_user:****@svc.internal/main" % scheme,
                    "%s://svc.internal:5000/main" % scheme):
            emit_forms(c, "neg", "secret." + rid, "url", "service_url", neg, NEG_FORMS[:4])
    # Authorization headers.
    for k in range(3):
        bearer = rand(40, ALNUM + "-_.")
        basic = base64.b64encode(("svc%d:%s" % (k, rand(14))).encode()).decode()
        for form, fname, tmpl, line in HEADER_FORMS:
            c.add("pos", "bearer-" + form, fname, tmpl.format(v="Bearer " + bearer),
                  "secret.authorization-bearer", line, "http-header", bearer)
            c.add("pos", "basic-" + form, fname, tmpl.format(v="Basic " + basic),
                  "secret.authorization-basic", line, "http-header", basic)
        for v in ("Bearer ${TOKEN}", "Bearer <token>", "Bearer $ACCESS_TOKEN", "Basic <credentials>",
                  "Bearer YOUR_TOKEN_HERE", "Bearer {{ token }}"):
            form, fname, tmpl, line = HEADER_FORMS[k * 3 % len(HEADER_FORMS)]
            c.add("neg", "header-" + form, fname, tmpl.format(v=v), "secret.authorization-bearer",
                  line, "http-header", "")
    # Passwords on command lines.
    for k in range(2):
        pw = rand(12)
        for form, fname, tmpl, line in CLI_FORMS:
            c.add("pos", "cli-" + form, fname, tmpl.format(s=pw), "secret.cli-password", line,
                  "command-line", pw)
    for form, fname, tmpl, line in CLI_FORMS:
        for v in ("$MYSQL_PASSWORD", "${DB_PASS}", "<password>"):
            c.add("neg", "cli-" + form, fname, tmpl.format(s=v), "secret.cli-password", line,
                  "command-line", "")
    for text in ("mysql -u root -p app\n", "mysql -h db -P 3306 -u app -p\n",
                 "mysqldump -u root -p --all-databases\n"):
        c.add("neg", "cli-prompt", "notes.sh", text, "secret.cli-password", 1, "command-line", "")

    c.write_manifest()
    pos = sum(1 for r in c.rows if r[0] == "pos")
    print("gen.py: %d positives, %d negatives, %d seeds; %d rules without a generated seed "
          "(private key blocks and structured formats: tests/fixtures/detect covers them)"
          % (pos, len(c.rows) - pos, len(seeds), len(skipped)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
