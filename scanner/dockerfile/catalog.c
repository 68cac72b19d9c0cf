/* dockerfile_catalog: the Dockerfile rule table (id, severity, category, title, fix, aliases in
 * hadolint/Trivy/Dockle/Checkov/CIS) and df_report, the one door findings go through. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

static const struct rule_meta rules[] = {
    {"DF000", SEV_INFO, "syntax", "Dockerfile syntax the builder would reject or warn about",
     "Fix the line as the message says; the scan went on past it.", "DL1000"},
    {"DF001", SEV_CRITICAL, "user", "The final image runs as root",
     "Add `USER <non-root user>` (e.g. `USER 10001:10001`) as the last USER of the final stage.",
     "DL3002,DS-0002,CIS-DI-0001,CKV_DOCKER_3,CKV_DOCKER_8,CIS-4.1"},
    {"DF002", SEV_CRITICAL, "supply-chain", "Base image uses the latest tag or no tag",
     "Pin a version tag (better: a digest), e.g. `FROM python:3.12-slim@sha256:...`.",
     "DL3006,DL3007,DS-0001,CKV_DOCKER_7"},
    {"DF003", SEV_CRITICAL, "secret", "Hardcoded secret in the Dockerfile",
     "Remove the value, rotate it, and pass it at build time with `RUN --mount=type=secret` or "
     "at run time from a secret store.",
     "DS-0031,CIS-DI-0010,CKV_SECRET_2,CKV_SECRET_6,CIS-4.10"},
    {"DF004", SEV_CRITICAL, "secret", "Secret-like variable set to a literal value",
     "Do not bake secrets into ENV/ARG/LABEL (they stay in the image config and history); use "
     "`RUN --mount=type=secret,id=...` or inject at run time.",
     "DL3064,DS-0031,CIS-DI-0010,SecretsUsedInArgOrEnv,CIS-4.10"},
    {"DF005", SEV_CRITICAL, "secret", "Secret file copied into the image",
     "Do not COPY/ADD keys, .env or credential files; exclude them in .dockerignore and mount "
     "them at build time with `--mount=type=secret`.",
     "DS-0031,CIS-DI-0010,DKL-LI-0003,CIS-4.10"},
    {"DF006", SEV_CRITICAL, "privilege", "RUN --security=insecure",
     "Drop `--security=insecure`; it runs the step without sandboxing (like --privileged).", NULL},
    {"DF007", SEV_CRITICAL, "secret", "Secret in a build-context file that COPY/ADD brings in",
     "Remove the secret from the file or exclude the file in .dockerignore; rotate the secret.",
     "DS-0031,CIS-DI-0010,CIS-4.10"},
    {"DF010", SEV_HIGH, "network", "Sensitive port exposed",
     "Do not EXPOSE remote-administration or database ports; reach them through a private "
     "network or a tunnel.",
     "DS-0004,CKV_DOCKER_1,CIS-5.8"},
    {"DF011", SEV_HIGH, "privilege", "sudo used in RUN",
     "RUN already runs as the current USER; switch with USER, or use gosu/su-exec at run time.",
     "DL3004,DS-0010,DKL-DI-0001,CKV2_DOCKER_1"},
    {"DF012", SEV_HIGH, "permissions", "World-writable permissions",
     "Use the least mode that works (e.g. 755/644, `--chmod=644`), with ownership via --chown.",
     NULL},
    {"DF013", SEV_HIGH, "supply-chain", "TLS or signature verification turned off",
     "Keep certificate and package-signature checks on; add the CA certificate or the signing "
     "key instead.",
     "CKV2_DOCKER_2,CKV2_DOCKER_3,CKV2_DOCKER_4,CKV2_DOCKER_5,CKV2_DOCKER_6,CKV2_DOCKER_7,"
     "CKV2_DOCKER_8,CKV2_DOCKER_9,CKV2_DOCKER_10,CKV2_DOCKER_11,CKV2_DOCKER_12,CKV2_DOCKER_13,"
     "CKV2_DOCKER_14,CKV2_DOCKER_15,CKV2_DOCKER_16,CIS-4.11,CIS-4.12"},
    {"DF014", SEV_HIGH, "supply-chain", "Downloaded script piped into a shell",
     "Download to a file, verify its checksum or signature, then run it.", NULL},
    {"DF015", SEV_HIGH, "supply-chain", "ADD from a remote URL without --checksum",
     "Use `ADD --checksum=sha256:<hash> <url> <dest>` or download and verify in RUN.",
     "CIS-4.12"},
    {"DF016", SEV_HIGH, "secret", "Secret in a build stage that is not the final image",
     "Build stages stay in the build cache and history: use `RUN --mount=type=secret` there too, "
     "and rotate the value.",
     "DS-0031,CIS-DI-0010,CIS-4.10"},
    {"DF020", SEV_MEDIUM, "hygiene", "No HEALTHCHECK in the final image",
     "Add `HEALTHCHECK CMD <probe>` so the engine can tell a hung service from a live one.",
     "DL3057,DS-0026,CIS-DI-0006,CKV_DOCKER_2,CIS-4.6"},
    {"DF021", SEV_MEDIUM, "hygiene", "Package manager cache left in the layer",
     "Clean in the same RUN: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, "
     "`yum/dnf clean all`, `zypper clean`, `pip install --no-cache-dir`, `yarn cache clean`.",
     "DL3009,DL3019,DL3032,DL3036,DL3040,DL3042,DL3060,DS-0015,DS-0019,DS-0020,DS-0025,"
     "DS-0027,DKL-DI-0004,DKL-DI-0005"},
    {"DF022", SEV_MEDIUM, "hygiene", "Package index update alone in a RUN",
     "Update and install in one RUN (`apt-get update && apt-get install ...`) so the cached "
     "index never goes stale.",
     "DS-0017,CIS-DI-0007,CKV_DOCKER_5,CIS-4.7"},
    {"DF023", SEV_MEDIUM, "hygiene", "apt-get install without --no-install-recommends",
     "Add `--no-install-recommends` to install only what you ask for.", "DL3015,DS-0029,CIS-4.3"},
    {"DF024", SEV_MEDIUM, "supply-chain", "Base image from a registry that is not trusted",
     "Use an official image or one from a registry in the trusted list (`.scanner.ini` "
     "[dockerfile] trusted_registries).",
     "DL3026,CIS-DI-0002,CIS-4.2"},
    {"DF025", SEV_MEDIUM, "supply-chain", "End-of-life base image",
     "Move to a supported release; an EOL base gets no security fixes.", "CIS-4.4,CIS-DI-0004"},
    {"DF026", SEV_MEDIUM, "hygiene", "Debug or development mode baked into the image",
     "Set debug/development modes at run time for development only; ship production defaults.",
     NULL},
    {"DF027", SEV_MEDIUM, "secret", "No .dockerignore, or one that does not exclude secrets",
     "Add a .dockerignore that excludes at least `.git`, `.env*`, `*.pem`, `*.key`, `id_*` and "
     "credential files.",
     "CopyIgnoredFile"},
    {"DF030", SEV_LOW, "hygiene", "ADD used where COPY would do",
     "Use COPY for local files; ADD only to extract a local archive or fetch with --checksum.",
     "DL3020,DS-0005,CIS-DI-0009,CKV_DOCKER_4,CIS-4.9"},
    {"DF031", SEV_LOW, "supply-chain", "Base image not pinned by digest",
     "Append the digest: `FROM image:tag@sha256:...` (update it with your dependency bot).", NULL},
    {"DF032", SEV_LOW, "supply-chain", "Package installed without a pinned version",
     "Pin versions (`pkg=1.2.3`, `pkg==1.2.3`, `pkg@1.2.3`) or install from a lock file.",
     "DL3008,DL3013,DL3016,DL3018,DL3028,DL3033,DL3037,DL3041,DL3062"},
    {"DF033", SEV_INFO, "deprecated", "MAINTAINER is deprecated",
     "Use `LABEL org.opencontainers.image.authors=...`.", "DL4000,DS-0022,CKV_DOCKER_6,MaintainerDeprecated"},
    {"DF034", SEV_LOW, "correctness", "WORKDIR is a relative path",
     "Use an absolute WORKDIR.", "DL3000,DS-0009,CKV_DOCKER_10,WorkdirRelativePath"},
    {"DF035", SEV_LOW, "correctness", "Package install without -y",
     "Add `-y` (apt-get, yum, dnf) or `-n` (zypper) so the build does not wait for input.",
     "DL3014,DL3030,DL3034,DL3038,DS-0021"},
    {"DF036", SEV_INFO, "correctness", "cd in RUN instead of WORKDIR",
     "Use WORKDIR to change directory.", "DL3003,DS-0013"},
    {"DF037", SEV_LOW, "correctness", "More than one CMD, ENTRYPOINT or HEALTHCHECK in a stage",
     "Keep one; only the last takes effect.", "DL4003,DL4004,DL3012,DS-0016,DS-0007,DS-0023"},
    {"DF038", SEV_LOW, "correctness", "COPY --from names its own stage or an undefined one",
     "Refer to an earlier stage name or index.", "DL3022,DL3023,DS-0006"},
    {"DF039", SEV_LOW, "correctness", "Duplicate stage name",
     "Give each stage a unique name.", "DL3024,DS-0012,CKV_DOCKER_11,DuplicateStageName"},
    {"DF040", SEV_INFO, "correctness", "CMD/ENTRYPOINT in shell form",
     "Use the JSON form so the process gets signals: `CMD [\"app\", \"--flag\"]`.", "DL3025,JSONArgsRecommended"},
    {"DF041", SEV_LOW, "correctness", "EXPOSE port out of range",
     "Ports are 0-65535.", "DL3011,DS-0008,ExposeInvalidFormat"},
    {"DF042", SEV_LOW, "correctness", "COPY/ADD of several sources to a destination without /",
     "End the destination with `/` when copying more than one source.", "DL3021,DS-0011"},
    {"DF043", SEV_INFO, "correctness", "apt used instead of apt-get",
     "`apt` has no stable CLI for scripts; use apt-get/apt-cache.", "DL3027,CKV_DOCKER_9"},
    {"DF044", SEV_INFO, "hygiene", "Both wget and curl used in a stage",
     "Use one download tool.", "DL4001,DS-0014"},
    {"DF045", SEV_LOW, "hygiene", "dist-upgrade in a Dockerfile",
     "Rebuild on a newer base image instead of upgrading the distribution inside it.",
     "DS-0024,DKL-DI-0003,DL3035"},
    {"DF046", SEV_INFO, "correctness", "Pipe in RUN without pipefail",
     "Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` so a failing download fails "
     "the build.",
     "DL4006"},
    {"DF047", SEV_LOW, "correctness", "First instruction is not FROM or ARG",
     "Start with FROM (ARG, directives and comments may come before).", "DL3061"},
    {"DF048", SEV_LOW, "correctness", "ONBUILD with ONBUILD, FROM or MAINTAINER",
     "These cannot be triggers.", "DL3043"},
    {"DF049", SEV_LOW, "hygiene", "VOLUME or WORKDIR on a system directory",
     "Do not mount over /proc, /sys, /dev, /boot, /etc, /usr, /lib or /.",
     "DS-0030,DKL-DI-0002"},
    {"DF051", SEV_INFO, "hygiene", "Consecutive RUN instructions",
     "Join them with && (or a heredoc) when they belong together: fewer layers.", "DL3059"},
    {"DF052", SEV_LOW, "correctness", "ENV uses a variable set in the same instruction",
     "Values come from before the instruction: split it into two ENV lines.", "DL3044"},
    {"DF053", SEV_LOW, "correctness", "COPY/ADD to a relative destination without WORKDIR",
     "Set WORKDIR first, or use an absolute destination.", "DL3045"},
    {"DF054", SEV_LOW, "correctness", "/bin/sh replaced with ln instead of SHELL",
     "Use `SHELL [\"/bin/bash\", \"-c\"]` to change the shell of RUN.", "DL4005"},
    {"DF055", SEV_INFO, "hygiene", "useradd with a high UID without -l",
     "Add `-l` (--no-log-init): a high UID otherwise fills /var/log/faillog and lastlog.",
     "DL3046"},
    {"DF050", SEV_INFO, "secret", "Build secrets used through --mount=type=secret",
     "Nothing to fix: this is the right way. Listed so the report shows which secret ids the "
     "build needs.",
     NULL},
};

size_t
df_rule_count(void)
{
    return sizeof(rules) / sizeof(rules[0]);
}

const struct rule_meta *
df_rule_at(size_t i)
{
    return i < df_rule_count() ? &rules[i] : NULL;
}

const struct rule_meta *
df_rule(const char *id)
{
    for (size_t i = 0; i < df_rule_count(); i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return NULL;
}

/* Is `id` in the comma list `list` (case-insensitive)? */
static int
in_list(const char *list, const char *id)
{
    size_t n = strlen(id);

    for (const char *p = list; p != NULL && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncasecmp(p, id, n) == 0)
            return 1;
        p = e ? e + 1 : p + l;
    }
    return 0;
}

/* Does an ignore list (ids, comma-separated) name this rule or one of its aliases? */
static int
ignored_by(const char *ids, const struct rule_meta *r)
{
    if (ids == NULL)
        return 0;
    if (in_list(ids, r->id))
        return 1;
    for (const char *p = r->aliases; p != NULL && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        char one[64];
        if (l < sizeof(one)) {
            memcpy(one, p, l);
            one[l] = '\0';
            if (in_list(ids, one))
                return 1;
        }
        p = e ? e + 1 : p + l;
    }
    return 0;
}

/* Messages quote the input: keep valid UTF-8, turn control bytes and invalid sequences into '?'
 * so every report format stays valid (JSON and SARIF need UTF-8). */
static void
sanitize(char *m)
{
    unsigned char *p = (unsigned char *)m;

    while (*p) {
        size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        int ok = n > 0 && !(n == 1 && *p < 0x20 && *p != '\t');
        for (size_t k = 1; ok && k < n; k++)
            ok = (p[k] & 0xC0) == 0x80;
        if (!ok) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
}

void
df_report(struct df_ctx *c, const char *id, const struct df_instr *in, int line, int col,
          const struct finding_extra *extra, const char *fmt, ...)
{
    const struct rule_meta *r = df_rule(id);
    struct finding_extra x;
    struct location loc;
    char msg[1024];
    va_list ap;

    if (r == NULL || c->rc < 0)
        return;
    if (in != NULL && ignored_by(in->ignore, r))
        return;
    if (ignored_by(c->df->global_ignore, r))
        return;
    /* `# check=skip=Name,Name;error=true`: BuildKit check names, matched through the aliases. */
    if (c->df->check != NULL) {
        const char *sk = strstr(c->df->check, "skip=");
        if (sk != NULL) {
            char ids[256];
            snprintf(ids, sizeof(ids), "%.*s", (int)strcspn(sk + 5, ";"), sk + 5);
            if (ignored_by(ids, r))
                return;
        }
    }
    for (size_t i = 0; i < c->cfg->ndisabled; i++)
        if (ignored_by(c->cfg->disabled[i], r))
            return;
    memset(&x, 0, sizeof(x));
    if (extra != NULL)
        x = *extra;
    for (size_t i = 0; i < c->cfg->noverrides; i++)
        if (ignored_by(c->cfg->overrides[i].id, r)) {
            x.override_severity = 1;
            x.severity = c->cfg->overrides[i].sev;
        }
    memset(&loc, 0, sizeof(loc));
    loc.path = c->path_override ? c->path_override : c->df->path;
    loc.line = line > 0 ? line : (in ? in->line : 0);
    loc.column = col > 0 ? col : (in ? in->col : 0);
    loc.layer_index = -1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sanitize(msg);
    int rc = findings_add(c->f, r, &loc, &x, "%s", msg);
    if (rc < 0)
        c->rc = rc;
}
