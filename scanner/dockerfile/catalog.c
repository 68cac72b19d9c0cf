/* catalog: the Dockerfile rule table, one row per rule: id, severity, category, title, fix,
 * aliases in hadolint/Trivy/Dockle/Checkov/CIS, and the check that reports it (NULL for rules
 * reported by a pass: secrets.c, context.c, or a RUN program handler in run.c); and df_report,
 * the one door findings go through. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

const struct df_rule df_rules[DFR_COUNT] = {
    [DFR_DF000] = {{"DF000", SEV_INFO, "syntax", "Dockerfile syntax the builder would reject or warn about",
      "Fix the line as the message says; the scan went on past it.", "DL1000"},
     df_check_syntax},
    [DFR_DF001] = {{"DF001", SEV_CRITICAL, "user", "The final image runs as root",
      "Add `USER <non-root user>` (e.g. `USER 10001:10001`) as the last USER of the final stage.",
      "DL3002,DL3063,DS-0002,CIS-DI-0001,CKV_DOCKER_3,CKV_DOCKER_8,CIS-4.1"},
     df_check_root_user},
    [DFR_DF002] = {{"DF002", SEV_CRITICAL, "supply-chain", "Base image uses the latest tag or no tag",
      "Pin a version tag (better: a digest), e.g. `FROM python:3.12-slim@sha256:...`.",
      "DL3006,DL3007,DS-0001,CKV_DOCKER_7"},
     df_check_latest_tag},
    [DFR_DF003] = {{"DF003", SEV_CRITICAL, "secret", "Hardcoded secret in the Dockerfile",
      "Remove the value, rotate it, and pass it at build time with `RUN --mount=type=secret` or "
      "at run time from a secret store.",
      "DS-0031,CIS-DI-0010,CKV_SECRET_2,CKV_SECRET_6,CIS-4.10"},
     NULL},
    [DFR_DF004] = {{"DF004", SEV_CRITICAL, "secret", "Secret-like variable set to a literal value",
      "Do not bake secrets into ENV/ARG/LABEL (they stay in the image config and history); use "
      "`RUN --mount=type=secret,id=...` or inject at run time.",
      "DL3064,DS-0031,CIS-DI-0010,SecretsUsedInArgOrEnv,CIS-4.10"},
     NULL},
    [DFR_DF005] = {{"DF005", SEV_CRITICAL, "secret", "Secret file copied into the image",
      "Do not COPY/ADD keys, .env or credential files; exclude them in .dockerignore and mount "
      "them at build time with `--mount=type=secret`.",
      "DS-0031,CIS-DI-0010,DKL-LI-0003,CIS-4.10"},
     NULL},
    [DFR_DF006] = {{"DF006", SEV_CRITICAL, "privilege", "RUN --security=insecure",
      "Drop `--security=insecure`; it runs the step without sandboxing (like --privileged).", NULL},
     df_check_insecure_run},
    [DFR_DF007] = {{"DF007", SEV_CRITICAL, "secret", "Secret in a build-context file that COPY/ADD brings in",
      "Remove the secret from the file or exclude the file in .dockerignore; rotate the secret.",
      "DS-0031,CIS-DI-0010,CIS-4.10"},
     NULL},
    [DFR_DF010] = {{"DF010", SEV_HIGH, "network", "Sensitive port exposed",
      "Do not EXPOSE remote-administration or database ports; reach them through a private "
      "network or a tunnel.",
      "DS-0004,CKV_DOCKER_1,CIS-5.8"},
     df_check_sensitive_port},
    [DFR_DF011] = {{"DF011", SEV_HIGH, "privilege", "sudo used in RUN",
      "RUN already runs as the current USER; switch with USER, or use gosu/su-exec at run time.",
      "DL3004,DS-0010,DKL-DI-0001,CKV2_DOCKER_1"},
     NULL},
    [DFR_DF012] = {{"DF012", SEV_HIGH, "permissions", "World-writable permissions",
      "Use the least mode that works (e.g. 755/644, `--chmod=644`), with ownership via --chown.",
      NULL},
     df_check_copy_chmod},
    [DFR_DF013] = {{"DF013", SEV_HIGH, "supply-chain", "TLS or signature verification turned off",
      "Keep certificate and package-signature checks on; add the CA certificate or the signing "
      "key instead.",
      "CKV2_DOCKER_2,CKV2_DOCKER_3,CKV2_DOCKER_4,CKV2_DOCKER_5,CKV2_DOCKER_6,CKV2_DOCKER_7,"
      "CKV2_DOCKER_8,CKV2_DOCKER_9,CKV2_DOCKER_10,CKV2_DOCKER_11,CKV2_DOCKER_12,CKV2_DOCKER_13,"
      "CKV2_DOCKER_14,CKV2_DOCKER_15,CKV2_DOCKER_16,CIS-4.11,CIS-4.12"},
     df_check_tls_env},
    [DFR_DF014] = {{"DF014", SEV_HIGH, "supply-chain", "Downloaded script piped into a shell",
      "Download to a file, verify its checksum or signature, then run it.", NULL},
     NULL},
    [DFR_DF015] = {{"DF015", SEV_HIGH, "supply-chain", "ADD from a remote URL without --checksum",
      "Use `ADD --checksum=sha256:<hash> <url> <dest>` or download and verify in RUN.",
      "CIS-4.12"},
     df_check_add_url},
    [DFR_DF016] = {{"DF016", SEV_HIGH, "secret", "Secret in a build stage that is not the final image",
      "Build stages stay in the build cache and history: use `RUN --mount=type=secret` there too, "
      "and rotate the value.",
      "DS-0031,CIS-DI-0010,CIS-4.10"},
     NULL},
    [DFR_DF020] = {{"DF020", SEV_MEDIUM, "hygiene", "No HEALTHCHECK in the final image",
      "Add `HEALTHCHECK CMD <probe>` so the engine can tell a hung service from a live one.",
      "DL3057,DS-0026,CIS-DI-0006,CKV_DOCKER_2,CIS-4.6"},
     df_check_healthcheck},
    [DFR_DF021] = {{"DF021", SEV_MEDIUM, "hygiene", "Package manager cache left in the layer",
      "Clean in the same RUN: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, "
      "`yum/dnf clean all`, `zypper clean`, `pip install --no-cache-dir`, `yarn cache clean`.",
      "DL3009,DL3019,DL3032,DL3036,DL3040,DL3042,DL3060,DS-0015,DS-0019,DS-0020,DS-0025,"
      "DS-0027,DKL-DI-0004,DKL-DI-0005"},
     NULL},
    [DFR_DF022] = {{"DF022", SEV_MEDIUM, "hygiene", "Package index update alone in a RUN",
      "Update and install in one RUN (`apt-get update && apt-get install ...`) so the cached "
      "index never goes stale.",
      "DS-0017,CIS-DI-0007,CKV_DOCKER_5,CIS-4.7"},
     NULL},
    [DFR_DF023] = {{"DF023", SEV_MEDIUM, "hygiene", "apt-get install without --no-install-recommends",
      "Add `--no-install-recommends` to install only what you ask for.", "DL3015,DS-0029,CIS-4.3"},
     NULL},
    [DFR_DF024] = {{"DF024", SEV_MEDIUM, "supply-chain", "Base image from a registry that is not trusted",
      "Use an official image or one from a registry in the trusted list (`.scanner.ini` "
      "[dockerfile] trusted_registries).",
      "DL3026,CIS-DI-0002,CIS-4.2"},
     df_check_trusted_registry},
    [DFR_DF025] = {{"DF025", SEV_MEDIUM, "supply-chain", "End-of-life base image",
      "Move to a supported release; an EOL base gets no security fixes.", "CIS-4.4,CIS-DI-0004"},
     df_check_eol_base},
    [DFR_DF026] = {{"DF026", SEV_MEDIUM, "hygiene", "Debug or development mode baked into the image",
      "Set debug/development modes at run time for development only; ship production defaults.",
      NULL},
     df_check_debug_mode},
    [DFR_DF027] = {{"DF027", SEV_MEDIUM, "secret", "No .dockerignore, or one that does not exclude secrets",
      "Add a .dockerignore that excludes at least `.git`, `.env*`, `*.pem`, `*.key`, `id_*` and "
      "credential files.",
      "CopyIgnoredFile"},
     NULL},
    [DFR_DF030] = {{"DF030", SEV_LOW, "hygiene", "ADD used where COPY would do",
      "Use COPY for local files; ADD only to extract a local archive or fetch with --checksum.",
      "DL3020,DS-0005,CIS-DI-0009,CKV_DOCKER_4,CIS-4.9"},
     df_check_add_local},
    [DFR_DF031] = {{"DF031", SEV_LOW, "supply-chain", "Base image not pinned by digest",
      "Append the digest: `FROM image:tag@sha256:...` (update it with your dependency bot).", NULL},
     df_check_digest_pin},
    [DFR_DF032] = {{"DF032", SEV_LOW, "supply-chain", "Package installed without a pinned version",
      "Pin versions (`pkg=1.2.3`, `pkg==1.2.3`, `pkg@1.2.3`) or install from a lock file.",
      "DL3008,DL3013,DL3016,DL3018,DL3028,DL3033,DL3037,DL3041,DL3062"},
     NULL},
    [DFR_DF033] = {{"DF033", SEV_INFO, "deprecated", "MAINTAINER is deprecated",
      "Use `LABEL org.opencontainers.image.authors=...`.", "DL4000,DS-0022,CKV_DOCKER_6,MaintainerDeprecated"},
     df_check_maintainer},
    [DFR_DF034] = {{"DF034", SEV_LOW, "correctness", "WORKDIR is a relative path",
      "Use an absolute WORKDIR.", "DL3000,DS-0009,CKV_DOCKER_10,WorkdirRelativePath"},
     df_check_workdir_relative},
    [DFR_DF035] = {{"DF035", SEV_LOW, "correctness", "Package install without -y",
      "Add `-y` (apt-get, yum, dnf) or `-n` (zypper) so the build does not wait for input.",
      "DL3014,DL3030,DL3034,DL3038,DS-0021"},
     NULL},
    [DFR_DF036] = {{"DF036", SEV_INFO, "correctness", "cd in RUN instead of WORKDIR",
      "Use WORKDIR to change directory.", "DL3003,DS-0013"},
     NULL},
    [DFR_DF037] = {{"DF037", SEV_LOW, "correctness", "More than one CMD, ENTRYPOINT or HEALTHCHECK in a stage",
      "Keep one; only the last takes effect.", "DL4003,DL4004,DL3012,DS-0016,DS-0007,DS-0023"},
     df_check_duplicate_cmd},
    [DFR_DF038] = {{"DF038", SEV_LOW, "correctness", "COPY --from names its own stage or an undefined one",
      "Refer to an earlier stage name or index.", "DL3022,DL3023,DS-0006"},
     df_check_copy_from},
    [DFR_DF039] = {{"DF039", SEV_LOW, "correctness", "Duplicate stage name",
      "Give each stage a unique name.", "DL3024,DS-0012,CKV_DOCKER_11,DuplicateStageName"},
     df_check_duplicate_stage},
    [DFR_DF040] = {{"DF040", SEV_INFO, "correctness", "CMD/ENTRYPOINT in shell form",
      "Use the JSON form so the process gets signals: `CMD [\"app\", \"--flag\"]`.", "DL3025,JSONArgsRecommended"},
     df_check_shell_form},
    [DFR_DF041] = {{"DF041", SEV_LOW, "correctness", "EXPOSE port out of range",
      "Ports are 0-65535.", "DL3011,DS-0008,ExposeInvalidFormat"},
     df_check_port_range},
    [DFR_DF042] = {{"DF042", SEV_LOW, "correctness", "COPY/ADD of several sources to a destination without /",
      "End the destination with `/` when copying more than one source.", "DL3021,DS-0011"},
     df_check_copy_dest_slash},
    [DFR_DF043] = {{"DF043", SEV_INFO, "correctness", "apt used instead of apt-get",
      "`apt` has no stable CLI for scripts; use apt-get/apt-cache.", "DL3027,CKV_DOCKER_9"},
     NULL},
    [DFR_DF044] = {{"DF044", SEV_INFO, "hygiene", "Both wget and curl used in a stage",
      "Use one download tool.", "DL4001,DS-0014"},
     NULL},
    [DFR_DF045] = {{"DF045", SEV_LOW, "hygiene", "dist-upgrade in a Dockerfile",
      "Rebuild on a newer base image instead of upgrading the distribution inside it.",
      "DS-0024,DKL-DI-0003,DL3035"},
     NULL},
    [DFR_DF046] = {{"DF046", SEV_INFO, "correctness", "Pipe in RUN without pipefail",
      "Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` so a failing download fails "
      "the build.",
      "DL4006"},
     NULL},
    [DFR_DF047] = {{"DF047", SEV_LOW, "correctness", "First instruction is not FROM or ARG",
      "Start with FROM (ARG, directives and comments may come before).", "DL3061"},
     df_check_first_instr},
    [DFR_DF048] = {{"DF048", SEV_LOW, "correctness", "ONBUILD with ONBUILD, FROM or MAINTAINER",
      "These cannot be triggers.", "DL3043"},
     df_check_onbuild},
    [DFR_DF049] = {{"DF049", SEV_LOW, "hygiene", "VOLUME or WORKDIR on a system directory",
      "Do not mount over /proc, /sys, /dev, /boot, /etc, /usr, /lib or /.",
      "DS-0030,DKL-DI-0002"},
     df_check_system_dir},
    [DFR_DF051] = {{"DF051", SEV_INFO, "hygiene", "Consecutive RUN instructions",
      "Join them with && (or a heredoc) when they belong together: fewer layers.", "DL3059"},
     df_check_consecutive_run},
    [DFR_DF052] = {{"DF052", SEV_LOW, "correctness", "ENV uses a variable set in the same instruction",
      "Values come from before the instruction: split it into two ENV lines.", "DL3044"},
     df_check_env_self},
    [DFR_DF053] = {{"DF053", SEV_LOW, "correctness", "COPY/ADD to a relative destination without WORKDIR",
      "Set WORKDIR first, or use an absolute destination.", "DL3045"},
     df_check_copy_no_workdir},
    [DFR_DF054] = {{"DF054", SEV_LOW, "correctness", "/bin/sh replaced with ln instead of SHELL",
      "Use `SHELL [\"/bin/bash\", \"-c\"]` to change the shell of RUN.", "DL4005"},
     NULL},
    [DFR_DF055] = {{"DF055", SEV_INFO, "hygiene", "useradd with a high UID without -l",
      "Add `-l` (--no-log-init): a high UID otherwise fills /var/log/faillog and lastlog.",
      "DL3046"},
     NULL},
    [DFR_DF056] = {{"DF056", SEV_INFO, "correctness", "Command that makes no sense in a build",
      "Drop interactive or service commands (ssh, vim, shutdown, service, ps, free, top, kill, "
      "mount) from RUN; the build has no terminal, no init and no running services.", "DL3001"},
     NULL},
    [DFR_DF057] = {{"DF057", SEV_INFO, "hygiene", "Archive copied, then extracted in RUN",
      "`ADD archive.tar.gz /dest/` extracts a local archive in one layer; COPY then tar keeps "
      "the archive in a layer too.", "DL3010"},
     NULL},
    [DFR_DF058] = {{"DF058", SEV_INFO, "hygiene", "wget without --progress or -q",
      "Use `wget --progress=dot:giga` (or -q / -nv): the default bar floods the build log.",
      "DL3047"},
     NULL},
    [DFR_DF059] = {{"DF059", SEV_INFO, "correctness", "Invalid label key",
      "Label keys are lower-case reverse-DNS names (letters, digits, '.', '-'), outside the "
      "com.docker.*, io.docker.* and org.dockerproject.* namespaces.", "DL3048"},
     df_check_label_key},
    [DFR_DF060] = {{"DF060", SEV_LOW, "correctness", "Label does not follow the label schema",
      "Set every label the schema (`.hadolint.yaml` label-schema) requires, in its format "
      "(url, rfc3339, spdx, hash, semver, email, text); with strict-labels, no other labels.",
      "DL3049,DL3050,DL3051,DL3052,DL3053,DL3054,DL3055,DL3056,DL3058"},
     df_check_label_schema},
    [DFR_DF061] = {{"DF061", SEV_INFO, "correctness", "FROM --platform=$TARGETPLATFORM is redundant",
      "Drop the flag: the target platform is the default.", "DL3065"},
     df_check_platform_redundant},
    [DFR_DF062] = {{"DF062", SEV_INFO, "user", "USER by name rather than numeric UID",
      "Use a numeric UID (`USER 10001:10001`): a name may not resolve on the host or in "
      "Kubernetes' runAsNonRoot check.", "DL3066"},
     df_check_user_numeric},
    [DFR_DF063] = {{"DF063", SEV_LOW, "correctness", "COPY of a whole filesystem from another stage",
      "Copy the directories the image needs; `COPY --from=x / /` brings the builder's "
      "whole filesystem, tools and secrets included.", "DL3067"},
     df_check_copy_root},
    [DFR_DF064] = {{"DF064", SEV_INFO, "hygiene", "Inline ignore pragma",
      "Prefer a config file (`.scanner.ini` disable=, `.hadolint.yaml` ignored:) to "
      "`# hadolint ignore=` comments.", "DL1001"},
     df_check_inline_ignore},
    [DFR_DF065] = {{"DF065", SEV_MEDIUM, "secret", "Secret-named ARG or ENV",
      "Pass secrets with `RUN --mount=type=secret,id=...`: ARG values are recorded in the image "
      "history and ENV values in its config.",
      "DL3064,SecretsUsedInArgOrEnv,DS-0031"},
     NULL},
    [DFR_DF066] = {{"DF066", SEV_HIGH, "network", "Debugger port exposed",
      "Do not EXPOSE or bind debuggers (Node inspector 9229, JDWP 5005, debugpy 5678, Delve "
      "2345, Chrome DevTools 9222) in an image that ships; they run code for whoever connects.",
      "CKV_DOCKER_1"},
     df_check_debug_port},
    [DFR_DF067] = {{"DF067", SEV_INFO, "user", "A build stage ends as root",
      "End each stage with a non-root USER too, or make sure no later stage is built FROM it "
      "expecting one.", "DL3002"},
     df_check_stage_root},
    [DFR_DF050] = {{"DF050", SEV_INFO, "secret", "Build secrets used through --mount=type=secret",
      "Nothing to fix: this is the right way. Listed so the report shows which secret ids the "
      "build needs.",
      NULL},
     df_check_build_secrets},
};

size_t
df_rule_count(void)
{
    return DFR_COUNT;
}

const struct rule_meta *
df_rule_at(size_t i)
{
    return i < DFR_COUNT ? &df_rules[i].meta : NULL;
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

static void df_vreport(struct df_ctx *c, const struct rule_meta *r, const struct df_instr *in,
                       int line, int col, const struct finding_extra *extra, const char *fmt,
                       va_list ap) __attribute__((format(printf, 7, 0)));

void
df_report(struct df_ctx *c, const struct rule_meta *r, const struct df_instr *in, int line, int col,
          const struct finding_extra *extra, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    df_vreport(c, r, in, line, col, extra, fmt, ap);
    va_end(ap);
}

void
df_report_as(struct df_ctx *c, const struct rule_meta *r, const char *dl, const struct df_instr *in,
             int line, int col, const struct finding_extra *extra, const char *fmt, ...)
{
    struct rule_meta m = *r;
    char aliases[512];
    size_t n = 0;
    va_list ap;

    /* dl first, then every alias of the row that is not a hadolint DL id */
    n = (size_t)snprintf(aliases, sizeof(aliases), "%s", dl != NULL ? dl : "");
    for (const char *p = r->aliases; p != NULL && *p && n < sizeof(aliases);) {
        size_t l = strcspn(p, ",");
        if (!(l >= 2 && strncmp(p, "DL", 2) == 0) && n + l + 2 < sizeof(aliases)) {
            n += (size_t)snprintf(aliases + n, sizeof(aliases) - n, "%s%.*s", n ? "," : "",
                                  (int)l, p);
        }
        p += l + (p[l] == ',');
    }
    m.aliases = n > 0 ? aliases : NULL;
    va_start(ap, fmt);
    df_vreport(c, &m, in, line, col, extra, fmt, ap);
    va_end(ap);
}

static void
df_vreport(struct df_ctx *c, const struct rule_meta *r, const struct df_instr *in, int line,
           int col, const struct finding_extra *extra, const char *fmt, va_list ap)
{
    struct finding_extra x;
    struct location loc;
    char msg[1024];

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
    vsnprintf(msg, sizeof(msg), fmt, ap);
    sanitize(msg);
    int rc = findings_add(c->f, r, &loc, &x, "%s", msg);
    if (rc < 0)
        c->rc = rc;
}
