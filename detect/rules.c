/* rules: the secret rule catalogue as data. One row per rule; the build-time generator compiles
 * every pattern into one Vectorscan database, the engine runs PCRE2 around each hit. */
#include "detect_internal.h"

/* Patterns are PCRE2 syntax that Vectorscan also accepts (no lookaround, no backreference);
 * group 1 holds the secret unless the row says otherwise. Shapes: the reference notes, sec. 7. */

#define REM(p)                                                                                 \
    "Revoke this " p " credential and issue a new one, remove it from the file and from its "  \
    "history, and load it at run time from a secret store or the environment."
#define ROW(id, sev, title, prov, kw, pat, pre, grp, ngrp, ent, val, fl, conf, al)             \
    {                                                                                          \
        {"secret." id, sev, "secret", title, REM(prov), al}, prov, kw, pat, pre, grp, ngrp,    \
            ent, val, fl, conf, 0                                                              \
    }
/* A token with a distinctive prefix. */
#define TOK(id, sev, title, prov, kw, pat, ent, al)                                            \
    ROW(id, sev, title, prov, kw, pat, NULL, 1, 0, ent, VAL_NONE, 0, 0.9, al)
/* A password hash in crypt(3) notation: '$id$salt$hash'. */
#define HASH(id, sev, title, kw, pat, al)                                                      \
    ROW(id, sev, title, "password hash", kw, pat, NULL, 1, 0, 3.0, VAL_NONE, DR_LITERAL, 0.9, al)
#define TOKV(id, sev, title, prov, kw, pat, ent, val, al)                                      \
    ROW(id, sev, title, prov, kw, pat, NULL, 1, 0, ent, val, 0, 0.9, al)
/* The separators between a name and its value, in every syntax (Vectorscan takes it too, so
 * no lookaround): = := ::= :::= ?= += .= : => (env, YAML, JSON and JSON-in-JSON \", TOML, HCL,
 * PHP, Go, Makefile, C#, Java, Kotlin), whitespace (.properties, fish `set -x`, flags), an XML
 * element (<name>value or its value on the next line), <add key="name" value="...">, a YAML
 * block scalar (name: | then the value on the next indented line), a call ("NAME", "value"). */
#define ASEP                                                                                   \
    "(?:\\\\?[\"'])?(?:[ \\t]{0,3}(?:[:?+.]{0,3}=|=>|:)[ \\t]{0,3}|[ \\t]+(?:value[ \\t]*=[ \\t]*)?"   \
    "|>[ \\t\\r\\n]{0,40}|[ \\t]*:[ \\t]*[|>][-+0-9]{0,2}[ \\t]*\\r?\\n[ \\t]{1,40}|[ \\t]*,[ \\t]*)"       \
    "(?:\\\\?[\"'`])?"
/* A value without a prefix: it needs the provider's name in the variable or key before it. */
/* The name may run on (PROVIDER_API_TOKEN) before one of ASEP's separators; the value ends at
 * a quote, a blank, a delimiter of the surrounding syntax or an escape. */
#define ASSIGN(kwre) "(?i)(?:" kwre ")[\\w.-]{0,25}" ASEP
#define AEND "(?:[\"'`\\s;,&<>)\\]}|\\\\]|$)"
#define CTX(id, sev, title, prov, kw, kwre, val, ent, al)                                      \
    ROW(id, sev, title, prov, kw, ASSIGN(kwre) "(" val ")" AEND, NULL, 1, 0, ent,              \
        VAL_NOT_WORD, DR_CONTEXT, 0.7, al)
/* The same, for providers whose name is a common word ("linear", "github"). */
#define CTXW(id, sev, title, prov, kw, kwre, val, ent, al)                                     \
    ROW(id, sev, title, prov, kw, ASSIGN(kwre) "(" val ")" AEND, NULL, 1, 0, ent,              \
        VAL_NOT_WORD, DR_CONTEXT | DR_WHOLE, 0.7, al)
/* Not followed by another character of the token's alphabet. */
#define NX(cls) "(?:[^" cls "]|$)"
#define B62 "A-Za-z0-9"
#define URLS "A-Za-z0-9_\\-"

/* PEM-style private key blocks: Vectorscan finds the header, PCRE2 the body up to the footer.
 * The body may be JSON-escaped (\n as two characters). */
#define PEMBODY "((?:[A-Za-z0-9+/=\\s]|\\\\[nr]){64,}?)"
#define PEM(id, title, label, al)                                                              \
    ROW(id, SEV_CRITICAL, title, "private key", "-----begin " label,                         \
        "-----BEGIN " label "-----(?:\\s|\\\\[nr])*" PEMBODY "-----END " label "-----",        \
        "-----BEGIN " label "-----", 1, 0, 3.0, VAL_PEM_BODY, DR_KEYBLOCK, 0.95, al)

#define GL(x) "gitleaks:" x
#define GLSL(x, y) "gitleaks:" x ",secretlint:" y
#define TH(x) "trufflehog:" x
#define GLTH(x, y) "gitleaks:" x ",trufflehog:" y
/* A token with a distinctive shape but no literal prefix: Vectorscan gets the whole pattern. */
#define TOKW(id, sev, title, prov, kw, pat, ent, val, al)                                      \
    ROW(id, sev, title, prov, kw, pat, NULL, 1, 0, ent, val, DR_WHOLE, 0.85, al)
/* A token whose only literal is short ("pk_", "VF.") but rare in text: PCRE2 behind that
 * literal costs less than one more short literal in Vectorscan's literal matcher. */
#define TOKK(id, sev, title, prov, kw, pat, ent, val, al)                                      \
    ROW(id, sev, title, prov, kw, pat, NULL, 1, 0, ent, val, DR_NOVS, 0.9, al)
/* A context rule whose keywords are short words (etsy, sumo): behind them, not in Vectorscan. */
#define CTXK(id, sev, title, prov, kw, kwre, val, ent, al)                                     \
    ROW(id, sev, title, prov, kw, ASSIGN(kwre) "(" val ")" AEND, NULL, 1, 0, ent,              \
        VAL_NOT_WORD, DR_CONTEXT | DR_NOVS, 0.7, al)
/* An identifier rather than a secret (client ids, public keys) in its provider's context. */
#define CTXID(id, title, prov, kw, kwre, val, ent, al)                                         \
    ROW(id, SEV_LOW, title, prov, kw, ASSIGN(kwre) "(" val ")" AEND, NULL, 1, 0, ent,          \
        VAL_NOT_WORD, DR_CONTEXT, 0.5, al)
/* The twin of a rule whose tokens carry a published checksum: the same pattern, reported at
 * low when the checksum fails (a typo, a truncated or an invented token, not a live one). */
#define CHK(id, title, prov, kw, pat, al)                                                      \
    ROW(id "-checksum-mismatch", SEV_LOW, title " (checksum mismatch)", prov, kw, pat, NULL,   \
        1, 0, 3.0, VAL_CHECKSUM_MISMATCH, 0, 0.5, al)

/* ---- Generic name = value forms ----
 * Vectorscan runs a loose prefilter (a keyword, then a separator and the value's first bytes);
 * PCRE2 then runs the pattern below in a window from `lookback` bytes before the hit. Groups:
 * 1 the name, 2 the operator, 3 the quote (or an empty group when something else delimits the
 * value: an XML tag, an escaped newline, the end of a flag's argument), 4 a delimited value,
 * 5 a bare value, which must end its line. Alternatives that can start at the same byte come
 * in order: the first one that matches wins. */
#define GN "[A-Za-z0-9_.-]"
#define GNAME(kw) "(" GN "{0,40}(?:" kw ")" GN "{0,20})"
#define GOP "(:::=|::=|:=|\\?=|\\+=|\\.=|=>|=|:)"
#define GQ "\\\\?[\"'`]"
#define GNOQ "(?:(?!)()())?" /* groups 3 and 4, never set: the value is bare */
#define GVAL(qv, bv)                                                                           \
    "(?|(" GQ ")(" qv ")" GQ "|" GNOQ "[|>][-+0-9]{0,2}[ \\t]*\\r?\\n[ \\t]{1,40}(" bv ")|" GNOQ    \
    "(" bv "))"
#define GENERIC_RE(kw, qv, bv, dv)                                                             \
    "(?i)(?|"                                                                                  \
    /* "X-Api-Key: value" inside quotes (curl -H, a headers list; a blank after the colon) */                           \
    "(?<=[\"'])" GNAME(kw) "[ \\t]{0,3}(:)[ \\t]{1,3}()(" dv ")(?=\\\\?[\"'])"                 \
    /* a line of an escaped string: "A=1\nPASSWORD=value\n" */                                 \
    "|(?<=\\\\[nrt])(?:export[ \\t]+)?" GNAME(kw) "[ \\t]{0,3}(=|:)[ \\t]{0,3}(?|(" GQ ")(" qv  \
    ")" GQ "|()(" dv ")(?=\\\\[nrt]|\\\\?[\"']))"                                              \
    /* command-line flags: --name value, --name=value, -name value (not a lower-case word:
     * "the --password option" is prose) */                          \
    "|(?<=[\\s\"'])--?" GNAME(kw) "([ \\t]{1,16}|=)(?|([\"'])(" qv ")[\"']|()(?![a-z]+(?:[\\s\"']|$))(" dv                  \
    ")(?=[\\s\"']|$))"                                                                         \
    /* fish: set -x NAME value, set -gx NAME value */                                          \
    "|\\bset[ \\t]+(?:-[A-Za-z]{1,3}[ \\t]+){1,3}" GNAME(kw) "([ \\t]{1,16})(?|([\"'])(" qv         \
    ")[\"']|()(" dv ")(?=\\s|$))"                                                              \
    /* .properties: a.b.password value (a dotted or underscored name at the start of a line,
     * the value ends the line and is not a number: C's #define lines are not settings) */ \
    "|(?<![^\\n])[ \\t]{0,16}(?=[A-Za-z0-9-]*[._])" GNAME(kw) "([ \\t]{1,16})"                 \
    "(?![0-9]+[ \\t]*(?:\\r?\\n|$)|0[xX])" GNOQ "(" dv                 \
    ")(?=[ \\t]*(?:\\r?\\n|$))"                                                                \
    /* name = value: env, INI, YAML (and block scalars), JSON, TOML, HCL, PHP, Go, Makefile,   \
     * C#, Java, Kotlin, Python keyword arguments, PowerShell $env:NAME */                     \
    "|(?<![A-Za-z0-9_.\\\\-])" GNAME(kw) "(?:\\\\?[\"'])?[ \\t]{0,3}" GOP "[ \\t]{0,3}"        \
    GVAL(qv, bv)                                                                               \
    /* XML element: <password>value</password> (the same closing tag), the value possibly on
     * its own line */          \
    "|<" GNAME(kw) "(>)[ \\t\\r\\n]{0,40}()(" dv ")[ \\t\\r\\n]{0,40}</\\1>"                         \
    /* <add key="ApiKey" value="..."/>, <property name="password" value="..."/> */             \
    "|\\b(?:key|name)[ \\t]*=[ \\t]*[\"']" GNAME(kw) "[\"'][ \\t]{1,16}value[ \\t]*(=)[ \\t]*([\"'])(" \
    qv ")[\"'])"
/* The Vectorscan side: a superset of GENERIC_RE, as cheap as it can be: one keyword prefix,
 * then an operator and the value's first bytes, a tag end, `" value=`, or blanks (flags, fish,
 * .properties: PCRE2 checks what comes before the name). */
#define GENERIC_PRE(kw, first, wsfirst)                                                        \
    "(?i)(?:" kw ")" GN "{0,20}(?:(?:\\\\?[\"'])?[ \\t]{0,3}(?:[:?+.]{0,3}=|=>|:)[ \\t]{0,3}" first   \
    "|>|[\"'][ \\t]{1,16}value|[ \\t]{1,16}" wsfirst ")"
/* The generic rows: a match starts at most GENERIC_BACK bytes before the identifier holding
 * its keyword (`set -x -g `, `key="`, `<`, `\nexport `), and its Vectorscan hit ends less than
 * DETECT_KW_REACH (64) bytes after the keyword: the prefilter has no unbounded repeat, and its
 * longest match is a 14-byte keyword, 20 name bytes, 12 of separator and 10 of value. */
#define GENERIC_BACK 24u
#define GROW(id, sev, title, kw, kwre, first, wsfirst, qv, bv, dv, ent, val, conf, al)         \
    {                                                                                          \
        {"secret." id, sev, "secret", title, REM("generic"), al}, "generic", kw,              \
            GENERIC_RE(kwre, qv, bv, dv), GENERIC_PRE(kwre, first, wsfirst), 4, 1, ent, val,   \
            DR_GENERIC, conf, GENERIC_BACK                                                     \
    }
#define GKW_PASSWORD "passw(?:or)?d|passwd|pwd|passphrase|contrase(?:n|\\xc3\\xb1)a"
#define GKW_SECRET                                                                             \
    "secret|token|api[_.-]?key|access[_.-]?key|auth[_.-]?key|private[_.-]?key|client[_.-]?key|" \
    "service[_.-]?key|master[_.-]?key|encryption[_.-]?key|signing[_.-]?key|credentials?|auth"
/* What Vectorscan looks for in the URL rules: a scheme list before :// costs more than the
 * rest of the pattern, so PCRE2 checks the scheme. */
#define URLCRED_PRE "://[^\\s:/?#@\"'<>]{0,64}:[^\\s/?#@\"'<>]{1,128}@"
#define GV_SECRET "[A-Za-z0-9+/=_.~!@#$%^&*-]{8,500}"

const struct detect_rule detect_rules[] = {
    /* ---- AWS ---- */
    TOK("aws-access-key-id", SEV_CRITICAL, "AWS access key ID", "AWS", "akia,asia,abia,acca,a3t",
        "\\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})\\b", 3.0,
        GLSL("aws-access-token", "@secretlint/secretlint-rule-aws") ",trufflehog:AWS,"
        "trufflehog:AWSSessionKey,detect-secrets:AWSKeyDetector"),
    ROW("aws-secret-access-key", SEV_CRITICAL, "AWS secret access key", "AWS", "aws",
        ASSIGN("aws[\\w.-]{0,20}?(?:secret|key|pwd|pw|pass|token|credential)|secret[_-]?access[_-]?key")
        "([A-Za-z0-9/+]{40})" AEND,
        NULL, 1, 0, 3.5, VAL_NOT_WORD, DR_CONTEXT, 0.85,
        "secretlint:@secretlint/secretlint-rule-aws,detect-secrets:AWSKeyDetector,trufflehog:AWS"),
    /* A 40-character secret a few lines after an access key id: the pair AWS hands out. */
    ROW("aws-secret-access-key-near-id", SEV_CRITICAL, "AWS secret access key (next to its key id)",
        "AWS", "akia,asia,abia,acca,a3t",
        "\\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\\b[^\\n]{0,100}?(?:\\n[^\\n]{0,120}?){0,3}?"
        "[^A-Za-z0-9/+]([A-Za-z0-9/+]{40})" NX("A-Za-z0-9/+="),
        "\\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\\b", 1, 0, 4.0, VAL_NOT_WORD,
        DR_CONTEXT, 0.8, TH("AWS")),
    ROW("aws-session-token", SEV_HIGH, "AWS session token", "AWS",
        "session_token,session-token,sessiontoken,x-amz-security-token",
        ASSIGN("aws[_-]?session[_-]?token|x-amz-security-token") "([A-Za-z0-9/+=]{100,900})" AEND, NULL,
        1, 0, 4.0, VAL_NONE, DR_CONTEXT, 0.8, NULL),
    TOK("aws-bedrock-api-key", SEV_CRITICAL, "Amazon Bedrock API key", "AWS", "absk",
        "\\b(ABSK[A-Za-z0-9+/]{109,269}={0,2})" NX("A-Za-z0-9+/="), 4.0,
        GL("aws-amazon-bedrock-api-key-long-lived")),
    TOK("aws-bedrock-short-lived-key", SEV_HIGH, "Amazon Bedrock API key (short-lived)", "AWS",
        "bedrock-api-key-",
        "\\b(bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{20,4000}={0,2})"
        NX("A-Za-z0-9+/="), 4.0, GL("aws-amazon-bedrock-api-key-short-lived")),
    TOK("aws-mws-key", SEV_HIGH, "Amazon MWS auth token", "AWS", "amzn.mws",
        "\\b(amzn\\.mws\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\b", 3.0,
        NULL),

    /* ---- GitHub ---- */
    TOKV("github-pat", SEV_CRITICAL, "GitHub personal access token (classic)", "GitHub", "ghp_",
         "\\b(ghp_[" B62 "]{36})\\b", 3.0, VAL_GITHUB_CRC32,
         GLSL("github-pat", "@secretlint/secretlint-rule-github")),
    TOKV("github-oauth-token", SEV_CRITICAL, "GitHub OAuth access token", "GitHub", "gho_",
         "\\b(gho_[" B62 "]{36})\\b", 3.0, VAL_GITHUB_CRC32,
         GLSL("github-oauth", "@secretlint/secretlint-rule-github")),
    TOKV("github-user-to-server-token", SEV_CRITICAL, "GitHub App user-to-server token", "GitHub",
         "ghu_", "\\b(ghu_[" B62 "]{36})\\b", 3.0, VAL_GITHUB_CRC32,
         GLSL("github-app-token", "@secretlint/secretlint-rule-github")),
    TOKV("github-server-to-server-token", SEV_CRITICAL, "GitHub App installation token",
         "GitHub", "ghs_", "\\b(ghs_[" B62 "]{36})\\b", 3.0, VAL_GITHUB_CRC32,
         GLSL("github-app-token", "@secretlint/secretlint-rule-github")),
    TOKV("github-refresh-token", SEV_CRITICAL, "GitHub refresh token", "GitHub", "ghr_",
         "\\b(ghr_(?:[" B62 "]{76}|[" B62 "]{36}))\\b", 3.0, VAL_GITHUB_CRC32,
         GL("github-refresh-token")),
    CHK("github-pat", "GitHub personal access token (classic)", "GitHub", "ghp_",
        "\\b(ghp_[" B62 "]{36})\\b", GLTH("github-pat", "Github")),
    CHK("github-oauth-token", "GitHub OAuth access token", "GitHub", "gho_",
        "\\b(gho_[" B62 "]{36})\\b", GLTH("github-oauth", "Github")),
    CHK("github-user-to-server-token", "GitHub App user-to-server token", "GitHub", "ghu_",
        "\\b(ghu_[" B62 "]{36})\\b", GLTH("github-app-token", "Github")),
    CHK("github-server-to-server-token", "GitHub App installation token", "GitHub", "ghs_",
        "\\b(ghs_[" B62 "]{36})\\b", GLTH("github-app-token", "Github")),
    CHK("github-refresh-token", "GitHub refresh token", "GitHub", "ghr_",
        "\\b(ghr_[" B62 "]{36})\\b", GLTH("github-refresh-token", "Github")),
    TOK("github-fine-grained-pat", SEV_CRITICAL, "GitHub fine-grained personal access token",
        "GitHub", "github_pat_", "\\b(github_pat_[A-Za-z0-9_]{82})\\b", 3.0,
        GLSL("github-fine-grained-pat", "@secretlint/secretlint-rule-github")),
    CTXW("github-client-secret", SEV_HIGH, "GitHub OAuth app client secret", "GitHub", "github",
        "github[\\w.-]{0,20}(?:client_?)?secret", "[0-9a-f]{40}", 3.0, NULL),

    /* ---- GitLab ---- */
    TOK("gitlab-pat", SEV_CRITICAL, "GitLab personal access token", "GitLab", "glpat-",
        "\\b(glpat-[" URLS "=]{20,22})" NX(URLS ".="), 3.0,
        GLSL("gitlab-pat", "@secretlint/secretlint-rule-gitlab")),
    TOK("gitlab-pat-routable", SEV_CRITICAL, "GitLab personal access token (routable)", "GitLab",
        "glpat-", "\\b(glpat-[" URLS "]{27,300}\\.[0-9a-z]{2}\\.?[0-9a-z]{7,9})" NX(URLS "."), 4.0,
        GL("gitlab-pat-routable")),
    TOK("gitlab-deploy-token", SEV_HIGH, "GitLab deploy token", "GitLab", "gldt-",
        "\\b(gldt-[" URLS "]{20})" NX(URLS), 3.0, GL("gitlab-deploy-token")),
    TOK("gitlab-runner-token", SEV_HIGH, "GitLab runner authentication token", "GitLab", "glrt-",
        "\\b(glrt-[" URLS "]{20,300}(?:\\.[0-9a-z]{2}[0-9a-z]{7})?)" NX(URLS "."), 3.0,
        GL("gitlab-runner-authentication-token")
        ",gitleaks:gitlab-runner-authentication-token-routable"),
    TOK("gitlab-session-cookie", SEV_MEDIUM, "GitLab session cookie", "GitLab", "_gitlab_session=",
        "_gitlab_session=([0-9a-z]{32})\\b", 3.0, GL("gitlab-session-cookie")),
    TOK("gitlab-runner-registration-token", SEV_HIGH, "GitLab runner registration token",
        "GitLab", "gr1348941", "\\b(GR1348941[" URLS "]{20})" NX(URLS), 3.0, GL("gitlab-rrt")),
    TOK("gitlab-cicd-job-token", SEV_HIGH, "GitLab CI/CD job token", "GitLab", "glcbt-",
        "\\b(glcbt-(?:[" B62 "]{1,5}_)?[" URLS "]{20})" NX(URLS), 3.0, GL("gitlab-cicd-job-token")),
    TOK("gitlab-pipeline-trigger-token", SEV_HIGH, "GitLab pipeline trigger token", "GitLab",
        "glptt-", "\\b(glptt-[0-9a-f]{40})\\b", 3.0, GL("gitlab-ptt")),
    TOK("gitlab-feed-token", SEV_MEDIUM, "GitLab feed token", "GitLab", "glft-",
        "\\b(glft-[" URLS "]{20})" NX(URLS), 3.0, GL("gitlab-feed-token")),
    TOK("gitlab-incoming-mail-token", SEV_MEDIUM, "GitLab incoming mail token", "GitLab", "glimt-",
        "\\b(glimt-[" URLS "]{25})" NX(URLS), 3.0, GL("gitlab-incoming-mail-token")),
    TOK("gitlab-kubernetes-agent-token", SEV_HIGH, "GitLab Kubernetes agent token", "GitLab",
        "glagent-", "\\b(glagent-[" URLS "]{50})" NX(URLS), 3.0,
        GL("gitlab-kubernetes-agent-token")),
    TOK("gitlab-oauth-app-secret", SEV_HIGH, "GitLab OAuth application secret", "GitLab",
        "gloas-", "\\b(gloas-[" URLS "]{64})" NX(URLS), 3.0,
        GLTH("gitlab-oauth-app-secret", "GitLabOauth2")),
    TOK("gitlab-scim-token", SEV_HIGH, "GitLab SCIM token", "GitLab", "glsoat-",
        "\\b(glsoat-[" URLS "]{20})" NX(URLS), 3.0, GL("gitlab-scim-token")),
    TOK("gitlab-feature-flag-token", SEV_MEDIUM, "GitLab feature flag client token", "GitLab",
        "glffct-", "\\b(glffct-[" URLS "]{20})" NX(URLS), 3.0,
        GL("gitlab-feature-flag-client-token")),

    /* ---- Slack ---- */
    TOK("slack-bot-token", SEV_HIGH, "Slack bot token", "Slack", "xoxb-",
        "\\b(xoxb-[0-9]{10,13}-[0-9]{10,13}(?:-[A-Za-z0-9-]{8,64})?)" NX("A-Za-z0-9-"), 3.0,
        GLSL("slack-bot-token", "@secretlint/secretlint-rule-slack") ",trufflehog:Slack,"
        "detect-secrets:SlackDetector"),
    TOK("slack-legacy-bot-token", SEV_HIGH, "Slack legacy bot token", "Slack", "xoxb-",
        "\\b(xoxb-[0-9]{8,14}-[" B62 "]{18,26})" NX("A-Za-z0-9-"), 3.0,
        GL("slack-legacy-bot-token")),
    TOK("slack-user-token", SEV_HIGH, "Slack user token", "Slack", "xoxp-,xoxe-",
        "\\b(xox[pe]-[0-9]{10,13}-[0-9]{10,13}(?:-[0-9]{10,13})?-[A-Za-z0-9-]{20,64})"
        NX("A-Za-z0-9-"), 3.0,
        GLSL("slack-user-token", "@secretlint/secretlint-rule-slack") ",trufflehog:Slack"),
    TOK("slack-workspace-access-token", SEV_HIGH, "Slack workspace access token", "Slack",
        "xoxa-", "\\b(xoxa-(?:[0-9]{1,13}-){0,3}[" B62 "][A-Za-z0-9-]{7,64})" NX("A-Za-z0-9-"),
        3.0, GLTH("slack-legacy-workspace-token", "Slack")),
    TOK("slack-workspace-refresh-token", SEV_HIGH, "Slack workspace refresh token", "Slack",
        "xoxr-", "\\b(xoxr-(?:[0-9]{1,13}-){0,3}[" B62 "][A-Za-z0-9-]{7,64})" NX("A-Za-z0-9-"),
        3.0, GLTH("slack-legacy-workspace-token", "Slack")),
    TOK("slack-app-token", SEV_HIGH, "Slack app-level token", "Slack", "xapp-",
        "(?i)\\b(xapp-[0-9]-[A-Z0-9]{6,40}-[0-9]{6,40}-[A-Z0-9]{20,100})" NX("A-Za-z0-9-"), 3.0,
        GLSL("slack-app-token", "@secretlint/secretlint-rule-slack")),
    TOK("slack-config-access-token", SEV_HIGH, "Slack configuration access token", "Slack",
        "xoxe.xox", "(?i)\\b(xoxe\\.xox[bp]-[0-9]-[A-Z0-9]{163,166})\\b", 3.0,
        GL("slack-config-access-token")),
    TOK("slack-config-refresh-token", SEV_HIGH, "Slack configuration refresh token", "Slack",
        "xoxe-", "(?i)\\b(xoxe-[0-9]-[A-Z0-9]{146})\\b", 3.0, GL("slack-config-refresh-token")),
    ROW("slack-token-other", SEV_HIGH, "Slack token (other shape)", "Slack",
        "xoxa-,xoxb-,xoxp-,xoxo-,xoxs-,xoxr-",
        "(?i)\\b(xox[abposr]-(?:[0-9]{1,30}-){1,4}[a-z0-9]{6,80})" NX("A-Za-z0-9-"), NULL, 1, 0,
        3.0, VAL_NOT_WORD, 0, 0.75, "detect-secrets:SlackDetector"),
    TOK("slack-legacy-token", SEV_HIGH, "Slack legacy token", "Slack", "xoxo-,xoxs-",
        "\\b(xox[os]-(?:[0-9]{1,30}-){1,3}[" B62 "]{8,64})" NX("A-Za-z0-9-"), 3.0,
        GL("slack-legacy-token")),
    ROW("slack-webhook-url", SEV_HIGH, "Slack incoming webhook URL", "Slack", "hooks.slack.com",
        "(?i)((?:https?://)?hooks\\.slack\\.com/(?:services|workflows|triggers)/"
        "[A-Za-z0-9_]{6,14}/[A-Za-z0-9_+/]{20,90})" NX("A-Za-z0-9_+/"),
        NULL, 1, 0, 3.0, VAL_WEBHOOK, 0, 0.9,
        GLSL("slack-webhook-url", "@secretlint/secretlint-rule-slack") ",trufflehog:SlackWebhook"),

    /* ---- Stripe and payments ---- */
    TOK("stripe-secret-key", SEV_CRITICAL, "Stripe secret key", "Stripe", "sk_live,sk_test,sk_prod",
        "\\b(sk_(?:live|test|prod)_[" B62 "]{10,99})\\b", 3.0,
        GLSL("stripe-access-token", "@secretlint/secretlint-rule-stripe")),
    TOK("stripe-restricted-key", SEV_HIGH, "Stripe restricted key", "Stripe",
        "rk_live,rk_test,rk_prod", "\\b(rk_(?:live|test|prod)_[" B62 "]{10,99})\\b", 3.0,
        GLSL("stripe-access-token", "@secretlint/secretlint-rule-stripe")),
    TOK("stripe-webhook-secret", SEV_HIGH, "Stripe webhook signing secret", "Stripe", "whsec_",
        "\\b(whsec_[" B62 "]{32,64})\\b", 3.0, NULL),
    TOK("square-access-token", SEV_CRITICAL, "Square access token", "Square", "eaaa",
        "\\b(EAAA[" URLS "]{22,60})" NX(URLS), 3.5, GL("square-access-token")),
    TOK("square-legacy-access-token", SEV_CRITICAL, "Square legacy access token", "Square",
        "sq0atp-", "\\b(sq0atp-[" URLS "]{22})" NX(URLS), 3.0, GL("square-access-token")),
    TOK("square-oauth-secret", SEV_CRITICAL, "Square OAuth secret", "Square", "sq0c",
        "\\b((?:sandbox-)?sq0c[a-z]{2}-[" URLS "]{40,50})" NX(URLS), 3.0,
        "detect-secrets:SquareOAuthDetector,trufflehog:SquareApp"),
    TOK("braintree-access-token", SEV_CRITICAL, "Braintree / PayPal access token", "PayPal",
        "access_token$production",
        "\\b(access_token\\$production\\$[0-9a-z]{16}\\$[0-9a-f]{32})\\b", 3.0, NULL),
    TOK("shippo-api-token", SEV_HIGH, "Shippo API token", "Shippo", "shippo_",
        "\\b(shippo_(?:live|test)_[a-fA-F0-9]{40})\\b", 3.0, GL("shippo-api-token")),
    TOK("flutterwave-secret-key", SEV_HIGH, "Flutterwave secret key", "Flutterwave", "flwseck",
        "\\b(FLWSECK(?:_TEST)?-[" B62 "]{32}-X)\\b", 3.0,
        GLTH("flutterwave-secret-key", "Flutterwave")),
    TOK("flutterwave-encryption-key", SEV_HIGH, "Flutterwave encryption key", "Flutterwave",
        "flwseck_test", "\\b(FLWSECK_TEST-?[" B62 "]{12})" NX(B62 "-"), 3.0,
        GL("flutterwave-encryption-key")),
    TOK("flutterwave-public-key", SEV_LOW, "Flutterwave public key", "Flutterwave", "flwpubk",
        "\\b(FLWPUBK(?:_TEST)?-[" B62 "]{32}-X)\\b", 3.0, GL("flutterwave-public-key")),
    TOKW("stripe-payment-intent-secret", SEV_LOW, "Stripe PaymentIntent client secret", "Stripe",
        "_secret_", "\\b(pi_[" B62 "]{24}_secret_[" B62 "]{25})\\b", 3.0, VAL_NONE,
        TH("StripePaymentIntent")),
    TOK("pagarme-api-key", SEV_HIGH, "Pagar.me API key", "Pagar.me", "ak_live_,ak_test_",
        "\\b(ak_(?:live|test)_[" B62 "]{30})\\b", 3.0, TH("Pagarme")),
    TOK("razorpay-key-id", SEV_MEDIUM, "Razorpay key id", "Razorpay", "rzp_live_,rzp_test_",
        "\\b(rzp_(?:live|test)_[" B62 "]{14})\\b", 3.0, TH("RazorPay")),
    CTX("razorpay-key-secret", SEV_HIGH, "Razorpay key secret", "Razorpay", "razorpay",
        "razorpay", "[A-Za-z0-9]{24}", 3.5, TH("RazorPay")),
    TOK("ramp-client-secret", SEV_HIGH, "Ramp API client secret", "Ramp", "ramp_sec_",
        "\\b(ramp_sec_[" B62 "]{48})\\b", 3.5, TH("Ramp")),
    TOK("ramp-client-id", SEV_LOW, "Ramp API client id", "Ramp", "ramp_id_",
        "\\b(ramp_id_[" B62 "]{40})\\b", 3.5, TH("Ramp")),
    TOK("robinhood-crypto-api-key", SEV_HIGH, "Robinhood Crypto API key", "Robinhood", "rh-api-",
        "\\b(rh-api-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\\b",
        3.0, TH("RobinhoodCrypto")),
    TOKW("lob-api-key", SEV_HIGH, "Lob API key", "Lob", "live_,test_",
        "\\b((?:live|test)_[a-f0-9]{35})\\b", 3.0, VAL_NONE, GLTH("lob-api-key", "Lob")),
    TOKW("lob-publishable-key", SEV_LOW, "Lob publishable API key", "Lob", "_pub_",
        "\\b((?:live|test)_pub_[a-f0-9]{31})\\b", 3.0, VAL_NONE, GL("lob-pub-api-key")),
    TOKW("klaviyo-private-key", SEV_HIGH, "Klaviyo private API key", "Klaviyo", "pk_",
        "\\b(pk_(?:[a-f0-9]{34}|[" B62 "]{6}_[a-f0-9]{34}))\\b", 3.0, VAL_NONE, TH("Klaviyo")),
    CTX("kucoin-access-token", SEV_MEDIUM, "KuCoin API key", "KuCoin", "kucoin", "kucoin",
        "[a-f0-9]{24}", 3.0, GLTH("kucoin-access-token", "KuCoin")),
    CTX("bittrex-access-key", SEV_HIGH, "Bittrex API key or secret", "Bittrex", "bittrex",
        "bittrex", "[a-z0-9]{32}", 3.0, GL("bittrex-access-key") ",gitleaks:bittrex-secret-key"),
    CTX("finicity-client-secret", SEV_HIGH, "Finicity client secret", "Finicity", "finicity",
        "finicity", "[a-z0-9]{20}", 3.0, GL("finicity-client-secret")),
    CTX("finicity-api-token", SEV_HIGH, "Finicity API token", "Finicity", "finicity", "finicity",
        "[a-f0-9]{32}", 3.0, GL("finicity-api-token")),
    CTX("finnhub-access-token", SEV_MEDIUM, "Finnhub API token", "Finnhub", "finnhub", "finnhub",
        "[a-z0-9]{20}", 3.0, GL("finnhub-access-token")),
    CTX("plaid-secret-key", SEV_HIGH, "Plaid secret key", "Plaid", "plaid", "plaid",
        "[a-z0-9]{30}", 3.0, GL("plaid-secret-key")),
    CTXID("plaid-client-id", "Plaid client id", "Plaid", "plaid", "plaid", "[a-z0-9]{24}", 3.0,
          GL("plaid-client-id")),
    TOKW("gemini-api-key", SEV_HIGH, "Gemini (exchange) API key", "Gemini", "master-,account-",
        "\\b((?:master|account)-[" B62 "]{20})\\b", 3.5, VAL_NONE, TH("Gemini")),
    TOK("duffel-api-token", SEV_HIGH, "Duffel API token", "Duffel", "duffel_",
        "\\b(duffel_(?:test|live)_[A-Za-z0-9_=-]{43})" NX("A-Za-z0-9_=-"), 3.0,
        GL("duffel-api-token")),
    TOK("easypost-api-token", SEV_HIGH, "EasyPost API key", "EasyPost", "ezak,eztk",
        "\\b(EZ[AT]K[" B62 "]{54})\\b", 3.0, GL("easypost-api-token")),
    TOK("plaid-access-token", SEV_HIGH, "Plaid access token", "Plaid", "access-sandbox,access-development,access-production",
        "\\b(access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
        "[0-9a-f]{4}-[0-9a-f]{12})\\b",
        3.0, GL("plaid-api-token")),
    CTX("coinbase-access-token", SEV_HIGH, "Coinbase access token", "Coinbase", "coinbase",
        "coinbase", "[A-Za-z0-9_-]{64}", 3.5, GL("coinbase-access-token")),
    CTX("kraken-access-token", SEV_HIGH, "Kraken access token", "Kraken", "kraken", "kraken",
        "[A-Za-z0-9/=_+-]{80,90}", 3.5, GL("kraken-access-token")),
    CTX("gocardless-api-token", SEV_HIGH, "GoCardless API token", "GoCardless", "gocardless",
        "gocardless", "live_[A-Za-z0-9_=-]{40}", 3.0, GL("gocardless-api-token")),
    ROW("gocardless-api-token-bare", SEV_HIGH, "GoCardless live access token", "GoCardless",
        "live_", "\\b(live_[A-Za-z0-9_-]{40})(?:[\"'`\\s;,]|\\\\[nr]|$)", NULL, 1, 0, 3.5,
        VAL_NOT_WORD, DR_NOVS, 0.6, TH("GoCardless")),

    /* ---- Google ---- */
    TOK("gcp-api-key", SEV_HIGH, "Google API key", "Google", "aiza",
        "\\b(AIza[" URLS "]{35})" NX(URLS), 3.5,
        GLSL("gcp-api-key", "@secretlint/secretlint-rule-gcp")),
    ROW("gcp-service-account-key", SEV_CRITICAL, "Google Cloud service account key (JSON)",
        "Google", "private_key_id", "\"private_key_id\"\\s*:\\s*\"([0-9a-f]{40})\"", NULL, 1, 0,
        3.0, VAL_NONE, DR_CONTEXT, 0.9, "secretlint:@secretlint/secretlint-rule-gcp"),
    TOK("google-oauth-client-secret", SEV_HIGH, "Google OAuth client secret", "Google", "gocspx-",
        "\\b(GOCSPX-[" URLS "]{28})" NX(URLS), 3.0, NULL),
    TOK("google-oauth-access-token", SEV_HIGH, "Google OAuth access token", "Google", "ya29.",
        "\\b(ya29\\.[" URLS "]{30,400})" NX(URLS), 3.5, NULL),
    TOK("firebase-cloud-messaging-key", SEV_HIGH, "Firebase Cloud Messaging server key",
        "Google", "aaaa", "\\b(AAAA[" URLS "]{7}:APA91b[" URLS "]{134})" NX(URLS), 3.5, NULL),

    /* ---- Azure / Microsoft ---- */
    ROW("azure-storage-account-key", SEV_CRITICAL, "Azure storage account key", "Azure",
        "accountkey,account_key,account-key,account.key,storagekey,storage_key,storage-key,"
        "storage.key,accesskey,access_key,access-key,access.key",
        "(?i)(?:access|account|storage)[_.-]?key[\"']?(?:[^\\r\\n]|\\r?\\n){0,25}?"
        "(?<![A-Za-z0-9+/-])([A-Za-z0-9+/-]{86,88}={0,2})" NX("A-Za-z0-9+/="), NULL, 1, 0, 4.0,
        VAL_NOT_WORD, DR_NOVS, 0.9,
        "detect-secrets:AzureStorageKeyDetector,secretlint:@secretlint/secretlint-rule-azure,"
        "trufflehog:AzureStorage"),
    ROW("azure-app-config-connection-string", SEV_CRITICAL,
        "Azure App Configuration connection string", "Azure", ".azconfig.io",
        "Endpoint=https://[A-Za-z0-9-]+\\.azconfig\\.io;Id=[^;\\s\"']{1,100};Secret=([A-Za-z0-9+/=]{20,100})",
        NULL, 1, 0, 3.5, VAL_NONE, 0, 0.9, TH("AzureAppConfigConnectionString")),
    TOKW("azure-container-registry-password", SEV_HIGH, "Azure Container Registry password",
         "Azure", "+acr", "\\b([A-Za-z0-9+/]{42}\\+ACR[" B62 "]{6})\\b", 4.0, VAL_NONE,
         TH("AzureContainerRegistry")),
    TOK("azure-ad-client-secret", SEV_CRITICAL, "Azure AD (Entra ID) client secret", "Azure",
        "q~", "(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})"
        "(?![A-Za-z0-9_~.-])", 3.0, GL("azure-ad-client-secret")),
    /* ^ lookaround: Vectorscan refuses it, so this rule runs through PCRE2 behind "q~". */
    ROW("azure-sas-token", SEV_HIGH, "Azure shared access signature", "Azure", "sig=",
        "(?i)\\bsv=[0-9]{4}-[0-9]{2}-[0-9]{2}&[^\\s\"'<>]{0,300}?\\bsig=([A-Za-z0-9%+/]{40,100}"
        "(?:%3D|=)*)",
        NULL, 1, 0, 3.5, VAL_NONE, DR_CONTEXT, 0.85, NULL),
    ROW("azure-shared-access-key", SEV_CRITICAL, "Azure Service Bus / Event Hubs shared access key",
        "Azure", "sharedaccesskey", "(?i)SharedAccessKey\\s*=\\s*([A-Za-z0-9+/]{43}=)", NULL, 1, 0,
        4.0, VAL_NONE, 0, 0.9, NULL),
    CTX("azure-devops-pat", SEV_HIGH, "Azure DevOps personal access token", "Azure",
        "azure,devops,ado,vsts", "(?:azure|devops|ado|vsts)[\\w.-]{0,20}(?:pat|token)",
        "[a-z2-7]{52}|[A-Za-z0-9]{84}", 3.5, NULL),
    TOK("microsoft-teams-webhook", SEV_MEDIUM, "Microsoft Teams incoming webhook", "Microsoft",
        "webhook.office.com",
        "(https://[a-z0-9-]+\\.webhook\\.office\\.com/webhookb2/[a-z0-9-]{36}@[a-z0-9-]{36}"
        "/IncomingWebhook/[a-z0-9]{32}/[a-z0-9-]{36})",
        3.0, GL("microsoft-teams-webhook")),
    TOK("nuget-api-key", SEV_HIGH, "NuGet API key", "NuGet", "oy2",
        "\\b(oy2[a-z0-9]{43})\\b", 3.5, NULL),

    /* ---- Private keys ---- */
    PEM("private-key-rsa", "RSA private key (PKCS#1)", "RSA PRIVATE KEY",
        GLSL("private-key", "@secretlint/secretlint-rule-privatekey")),
    PEM("private-key-ec", "EC private key (SEC1)", "EC PRIVATE KEY",
        GLSL("private-key", "@secretlint/secretlint-rule-privatekey")),
    PEM("private-key-dsa", "DSA private key", "DSA PRIVATE KEY",
        GLSL("private-key", "@secretlint/secretlint-rule-privatekey")),
    PEM("private-key-pkcs8", "Private key (PKCS#8)", "PRIVATE KEY",
        GLSL("private-key", "@secretlint/secretlint-rule-privatekey")),
    PEM("private-key-pkcs8-encrypted", "Encrypted private key (PKCS#8)", "ENCRYPTED PRIVATE KEY",
        GL("private-key")),
    PEM("private-key-openssh", "OpenSSH private key", "OPENSSH PRIVATE KEY",
        GLSL("private-key", "@secretlint/secretlint-rule-privatekey")),
    ROW("private-key-pgp", SEV_CRITICAL, "PGP private key block", "private key",
        "-----begin pgp private key block",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----(?:\\s|\\\\[nr])*(?:[A-Za-z-]+: [^\\r\\n]*"
        "(?:\\s|\\\\[nr])+)*" PEMBODY "-----END PGP PRIVATE KEY BLOCK-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----", 1, 0, 3.0, VAL_NONE, DR_KEYBLOCK, 0.95,
        GL("private-key")),
    ROW("private-key-pem-encrypted", SEV_HIGH, "Encrypted PEM private key (legacy Proc-Type)",
        "private key", "proc-type: 4,encrypted",
        "-----BEGIN (?:RSA|EC|DSA) PRIVATE KEY-----(?:\\s|\\\\[nr])*Proc-Type:\\s*4,ENCRYPTED"
        "(?:\\s|\\\\[nr])*DEK-Info:\\s*[A-Z0-9-]+,[0-9A-Fa-f]{8,64}" PEMBODY
        "-----END (?:RSA|EC|DSA) PRIVATE KEY-----",
        "Proc-Type:\\s*4,ENCRYPTED", 1, 0, 3.0, VAL_NONE, DR_KEYBLOCK, 0.95, GL("private-key")),
    ROW("private-key-ssh2-encrypted", SEV_HIGH, "SSH2 (SECSH) encrypted private key",
        "private key", "begin ssh2 encrypted private key",
        "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----(?:\\s|\\\\[nr])*(?:[A-Za-z-]+: [^\\r\\n]*"
        "(?:\\s|\\\\[nr])+)*((?:[A-Za-z0-9+/=\\s]|\\\\[nr]){64,}?)---- END SSH2 ENCRYPTED "
        "PRIVATE KEY ----",
        "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----", 1, 0, 3.0, VAL_NONE, DR_KEYBLOCK, 0.95,
        "detect-secrets:PrivateKeyDetector"),
    ROW("private-key-putty", SEV_CRITICAL, "PuTTY private key (.ppk)", "private key",
        "putty-user-key-file-",
        "PuTTY-User-Key-File-[23]: [^\\r\\n]{1,64}[\\s\\S]{0,4000}?Private-Lines: [0-9]{1,3}\\r?\\n"
        "((?:[A-Za-z0-9+/=]{1,64}\\r?\\n){1,200})",
        "PuTTY-User-Key-File-[23]: ", 1, 0, 3.0, VAL_NONE, DR_KEYBLOCK, 0.95,
        "detect-secrets:PrivateKeyDetector"),
    ROW("private-key-other", SEV_HIGH, "Private key block (other PEM label)", "private key",
        "private key-----",
        "-----BEGIN ([A-Z0-9 _-]{1,40} )?PRIVATE KEY-----(?:\\s|\\\\[nr])*" PEMBODY
        "-----END [A-Z0-9 _-]{0,40}PRIVATE KEY-----",
        "-----BEGIN [A-Z0-9 _-]{1,40} PRIVATE KEY-----", 2, 0, 3.0, VAL_NONE,
        DR_KEYBLOCK | DR_GENERIC, 0.8, GL("private-key")),
    TOK("age-secret-key", SEV_CRITICAL, "age secret key", "age", "age-secret-key-1",
        "\\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\\b", 3.0,
        GL("age-secret-key")),
    ROW("wireguard-private-key", SEV_CRITICAL, "WireGuard private key", "WireGuard", "privatekey",
        "(?m)^[ \\t]*PrivateKey[ \\t]*=[ \\t]*([A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)" NX("A-Za-z0-9+/="),
        NULL, 1, 0, 3.5, VAL_NONE, DR_CONTEXT | DR_WHOLE, 0.9, NULL),

    /* ---- Tokens in documents ---- */
    /* Compact or pretty-printed JSON header ("ewogIC" = base64 of "{\n  "), padding tolerated,
     * an empty signature for alg "none". */
    ROW("jwt", SEV_MEDIUM, "JSON Web Token", "JWT", "eyj",
        "\\b((?:ey|ewogIC|ewoi)[A-Za-z0-9_-]{15,4000}={0,2}\\.(?:(?:ey|ewo)[A-Za-z0-9_/\\\\-]{15,8000}"
        "={0,2}|e30)\\.(?:[A-Za-z0-9_/\\\\-]{10,1000}={0,2})?)"
        /* the token ends before anything of its alphabet, or before an escape (\n, \") of the
         * JSON string it sits in: `\/` inside it is an escaped slash */
        "(?:[^A-Za-z0-9_.=/\\\\-]|\\\\[nrt\"]|$)",
        NULL, 1, 0, 3.0, VAL_JWT, DR_KEYBLOCK, 0.8,
        GL("jwt") ",trufflehog:JWT,detect-secrets:JwtTokenDetector"),
    TOKV("jwt-base64", SEV_MEDIUM, "JSON Web Token, base64-encoded", "JWT", "zxlk",
         "\\b(ZXlK[A-Za-z0-9+/]{40,8000}={0,2})" NX("A-Za-z0-9+/="), 3.0, VAL_JWT_B64,
         GL("jwt-base64")),

    /* ---- Package registries ---- */
    /* npm tokens share GitHub's format, CRC32 included (npm's announcement, 2021-09-23). */
    TOKV("npm-access-token", SEV_CRITICAL, "npm access token", "npm", "npm_",
         "\\b(npm_[" B62 "]{36})\\b", 3.0, VAL_GITHUB_CRC32,
         GLSL("npm-access-token", "@secretlint/secretlint-rule-npm") ",trufflehog:NpmToken"),
    CHK("npm-access-token", "npm access token", "npm", "npm_", "\\b(npm_[" B62 "]{36})\\b",
        GLTH("npm-access-token", "NpmToken")),
    ROW("npmrc-auth-token", SEV_CRITICAL, "npm registry auth token in .npmrc", "npm", "_authtoken",
        "(?i)//[^\\s]{1,200}?:_authToken\\s*=\\s*[\"']?([A-Za-z0-9_.-]{20,200})" NX("A-Za-z0-9_.-"),
        NULL, 1, 0, 3.0, VAL_NOT_WORD, DR_CONTEXT, 0.85,
        "secretlint:@secretlint/secretlint-rule-npm"),
    ROW("npmrc-auth", SEV_CRITICAL, "npm basic auth (_auth) in .npmrc", "npm", "_auth",
        "(?im)^[ \\t]*(?://[^\\s]{1,200}?:)?_auth[ \\t]*=[ \\t]*[\"']?([A-Za-z0-9+/]{12,300}={0,2})"
        NX("A-Za-z0-9+/="),
        NULL, 1, 0, 3.0, VAL_BASE64_CREDS, DR_CONTEXT | DR_WHOLE, 0.85, NULL),
    /* A PyPI token is a macaroon: its structure (sections, 32-byte signature) is the check. */
    TOKV("pypi-upload-token", SEV_CRITICAL, "PyPI upload token", "PyPI", "pypi-ageichlwas5vcmc",
         "\\b(pypi-AgEIcHlwaS5vcmc[" URLS "]{50,1000})" NX(URLS), 3.0, VAL_GITHUB_CRC32,
         GL("pypi-upload-token") ",trufflehog:PyPI,detect-secrets:PypiTokenDetector"),
    CHK("pypi-upload-token", "PyPI upload token", "PyPI", "pypi-ageichlwas5vcmc",
        "\\b(pypi-AgEIcHlwaS5vcmc[" URLS "]{50,1000})" NX(URLS),
        GLTH("pypi-upload-token", "PyPI")),
    TOKV("testpypi-upload-token", SEV_HIGH, "TestPyPI upload token", "PyPI",
         "pypi-agendgvzdc5wexbplm9yzw",
         "\\b(pypi-AgENdGVzdC5weXBpLm9yZw[" URLS "]{50,1000})" NX(URLS), 3.0, VAL_GITHUB_CRC32,
         "detect-secrets:PypiTokenDetector"),
    CHK("testpypi-upload-token", "TestPyPI upload token", "PyPI", "pypi-agendgvzdc5wexbplm9yzw",
        "\\b(pypi-AgENdGVzdC5weXBpLm9yZw[" URLS "]{50,1000})" NX(URLS),
        "detect-secrets:PypiTokenDetector"),
    TOK("rubygems-api-token", SEV_HIGH, "RubyGems API key", "RubyGems", "rubygems_",
        "\\b(rubygems_[" B62 "]{48})\\b", 3.0, GL("rubygems-api-token")),
    TOK("clojars-api-token", SEV_HIGH, "Clojars deploy token", "Clojars", "clojars_",
        "(?i)\\b(CLOJARS_[a-z0-9]{60})\\b", 3.0, GL("clojars-api-token")),
    TOK("dockerhub-pat", SEV_CRITICAL, "Docker Hub personal access token", "Docker", "dckr_pat_",
        "\\b(dckr_pat_[" URLS "]{27})" NX(URLS), 3.0, "secretlint:@secretlint/secretlint-rule-docker"),
    TOK("dockerhub-oat", SEV_CRITICAL, "Docker Hub organization access token", "Docker",
        "dckr_oat_", "\\b(dckr_oat_[" URLS "]{32})" NX(URLS), 3.0,
        "secretlint:@secretlint/secretlint-rule-docker"),
    /* Also JSON-escaped inside another string (\"auth\": \"...\"). */
    ROW("docker-config-auth", SEV_CRITICAL, "Registry credentials in a Docker config.json", "Docker",
        "auth\"", "\\\\?\"auth\\\\?\"\\s*:\\s*\\\\?\"([A-Za-z0-9+/]{8,600}={0,2})\\\\?\"", NULL, 1, 0,
        2.5, VAL_BASE64_CREDS, DR_CONTEXT, 0.9, "trivy:dockerconfig-secret,trufflehog:Docker"),
    CTX("dockerhub-legacy-token", SEV_HIGH, "Docker Hub access token (legacy UUID)", "Docker",
        "docker", "docker[\\w.-]{0,20}(?:token|pat|password|pass|pwd|secret)",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0, TH("Dockerhub")),
    TOK("artifactory-api-key", SEV_HIGH, "JFrog Artifactory API key", "JFrog", "akcp",
        "\\b(AKCp[" B62 "]{69})\\b", 4.5,
        GLTH("artifactory-api-key", "ArtifactoryAccessToken")
        ",detect-secrets:ArtifactoryDetector"),
    TOK("artifactory-reference-token", SEV_HIGH, "JFrog Artifactory reference token", "JFrog",
        "cmvmd", "\\b(cmVmd[" B62 "]{59})\\b", 4.5,
        GLTH("artifactory-reference-token", "ArtifactoryReferenceToken")),
    CTX("jfrog-api-key", SEV_HIGH, "JFrog API key", "JFrog", "jfrog,artifactory,bintray",
        "jfrog|artifactory|bintray", "[a-z0-9]{73}", 3.5, GL("jfrog-api-key")),
    CTX("jfrog-identity-token", SEV_HIGH, "JFrog identity token", "JFrog",
        "jfrog,artifactory,bintray", "jfrog|artifactory|bintray", "[a-z0-9]{64}", 3.5,
        GL("jfrog-identity-token")),

    /* ---- Messaging and e-mail ---- */
    TOKV("twilio-api-key", SEV_HIGH, "Twilio API key", "Twilio", "sk",
         "\\b(SK[0-9a-fA-F]{32})\\b", 3.0, VAL_NONE,
         GLTH("twilio-api-key", "TwilioApiKey") ",detect-secrets:TwilioKeyDetector"),
    CTX("twilio-auth-token", SEV_HIGH, "Twilio auth token", "Twilio", "twilio",
        "twilio[\\w.-]{0,20}(?:auth|token|secret)", "[0-9a-f]{32}", 3.0, NULL),
    TOK("sendgrid-api-key", SEV_HIGH, "SendGrid API key", "SendGrid", "sg.",
        "\\b(SG\\.(?:[A-Za-z0-9=_-]{20,24}\\.[A-Za-z0-9=_-]{39,50}|[A-Za-z0-9=_.-]{66}))"
        NX(URLS "=."), 3.0,
        GLSL("sendgrid-api-token", "@secretlint/secretlint-rule-sendgrid")),
    TOK("mailgun-api-key", SEV_HIGH, "Mailgun private API key", "Mailgun", "key-",
        "\\b(key-[0-9a-f]{32})\\b", 3.0, GL("mailgun-private-api-token")),
    CTX("mailgun-signing-key", SEV_HIGH, "Mailgun webhook signing key", "Mailgun", "mailgun",
        "mailgun", "[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}", 3.0, GL("mailgun-signing-key")),
    TOK("mailchimp-api-key", SEV_HIGH, "Mailchimp API key", "Mailchimp", "-us",
        "\\b([0-9a-z]{32}-us[0-9]{1,2})\\b", 3.0,
        GL("mailchimp-api-key") ",detect-secrets:MailchimpDetector"),
    TOK("sendinblue-api-key", SEV_HIGH, "Brevo (Sendinblue) API key", "Brevo", "xkeysib-,xsmtpsib-",
        "\\b(x(?:keysib|smtpsib)-(?:[a-f0-9]{64}-[" B62 "]{16}|[" URLS "]{81}))" NX(URLS), 3.0,
        GL("sendinblue-api-token")),
    CTX("postmark-server-token", SEV_HIGH, "Postmark server token", "Postmark", "postmark",
        "postmark", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0, NULL),
    CTX("mailjet-api-secret", SEV_HIGH, "Mailjet API secret", "Mailjet", "mailjet",
        "mailjet[\\w.-]{0,20}(?:secret|private)", "[0-9a-f]{32}", 3.0, NULL),
    /* The secret half of a bot token starts with "AA" in every token Telegram issues; other
     * shapes need the word telegram near. */
    TOKW("telegram-bot-token", SEV_HIGH, "Telegram bot token", "Telegram", ":a",
         "\\b([0-9]{5,16}:A[" URLS "]{34})" NX(URLS), 3.5, VAL_NOT_WORD,
         GL("telegram-bot-api-token") ",trufflehog:TelegramBotToken,"
         "detect-secrets:TelegramBotTokenDetector"),
    CTX("telegram-bot-token-context", SEV_HIGH, "Telegram bot token", "Telegram",
        "telegr,tgram", "telegr|tgram", "[0-9]{5,16}:[" URLS "]{35}", 3.5,
        GL("telegram-bot-api-token") ",trufflehog:TelegramBotToken"),
    CTX("discord-bot-token", SEV_HIGH, "Discord bot token", "Discord", "discord,bot_token,bottoken",
        "discord|bot_?token", "[" URLS "]{23,28}\\.[" URLS "]{6,7}\\.[" URLS "]{27,40}", 3.5,
        "detect-secrets:DiscordBotTokenDetector,trufflehog:DiscordBotToken"),
    /* Anywhere: the first segment is base64 of the bot's user id, ASCII digits, so each
     * group of four characters is [MNO][DTjz][AEIMQUYcgk][w-z0-5]; the validator decodes it. */
    ROW("discord-bot-token-bare", SEV_HIGH, "Discord bot token", "Discord", "discord",
        "\\b((?:[MNO][DTjz][AEIMQUYcgk][w-z0-5]){5,6}(?:[MNO][DTjz][AEIMQUYcgk]|[MNO][AQgw])?"
        "\\.[" URLS "]{6}\\.[" URLS "]{27,38})" NX(URLS "."),
        "[MNO][DTjz][AEIMQUYcgk][w-z0-5][MNO][DTjz][AEIMQUYcgk][w-z0-5][MNO][DTjz]"
        "[AEIMQUYcgk][w-z0-5]", 1,
        0, 3.5, VAL_DISCORD_BOT, DR_WHOLE, 0.85,
        "detect-secrets:DiscordBotTokenDetector,trufflehog:DiscordBotToken"),
    ROW("discord-webhook-url", SEV_MEDIUM, "Discord webhook URL", "Discord", "/api/webhooks/",
        "(?i)((?:https?://)?(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/"
        "[" URLS "]{60,68})" NX(URLS),
        NULL, 1, 0, 3.0, VAL_WEBHOOK, 0, 0.9, TH("DiscordWebhook")),
    CTX("discord-client-secret", SEV_HIGH, "Discord client secret", "Discord", "discord",
        "discord", "[" URLS "=]{32}", 3.0, GL("discord-client-secret")),
    CTX("discord-api-token", SEV_HIGH, "Discord API key", "Discord", "discord", "discord",
        "[a-f0-9]{64}", 3.0, GL("discord-api-token")),
    CTXID("discord-client-id", "Discord client id", "Discord", "discord", "discord", "[0-9]{18}",
          2.0, GL("discord-client-id")),
    TOK("google-chat-webhook", SEV_MEDIUM, "Google Chat webhook URL", "Google", "chat.googleapis.com",
        "(chat\\.googleapis\\.com/v1/spaces/[" URLS "]{8,20}/messages\\?key=[" URLS "]{39}"
        "&token=[" URLS "=%]{40,60})",
        3.0, NULL),
    TOK("zapier-webhook", SEV_MEDIUM, "Zapier webhook URL", "Zapier", "hooks.zapier.com",
        "(hooks\\.zapier\\.com/hooks/catch/[0-9]{5,12}/[a-z0-9]{5,12})/?", 2.5, NULL),
    CTX("mattermost-access-token", SEV_HIGH, "Mattermost access token", "Mattermost", "mattermost",
        "mattermost", "[a-z0-9]{26}", 3.0, GL("mattermost-access-token")),
    CTX("messagebird-api-token", SEV_HIGH, "MessageBird API token", "MessageBird",
        "messagebird,message-bird,message_bird", "message[_-]?bird", "[A-Za-z0-9_-]{25}", 3.0,
        GLTH("messagebird-api-token", "MessageBird")),
    CTXID("messagebird-client-id", "MessageBird client id", "MessageBird",
          "messagebird,message-bird,message_bird", "message[_-]?bird",
          "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0,
          GL("messagebird-client-id")),
    CTX("sendbird-access-token", SEV_HIGH, "Sendbird access token", "Sendbird", "sendbird",
        "sendbird", "[0-9a-f]{40}", 3.0, GLTH("sendbird-access-token", "Sendbird")),
    CTXID("sendbird-access-id", "Sendbird application id", "Sendbird", "sendbird", "sendbird",
          "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0,
          GLTH("sendbird-access-id", "Sendbird")),
    CTX("sendbird-organization-api-token", SEV_HIGH, "Sendbird organization API token",
        "Sendbird", "sendbird", "sendbird", "[0-9a-f]{24}", 3.0, TH("SendbirdOrganizationAPI")),
    CTX("webex-bot-token", SEV_HIGH, "Webex bot token", "Webex", "webex", "webex",
        "[" B62 "]{64}_[" B62 "]{4}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        3.5, TH("WebexBot")),
    ROW("tines-webhook-url", SEV_MEDIUM, "Tines webhook URL", "Tines", ".tines.com/webhook/",
        "(https://[\\w-]+\\.tines\\.com/webhook/[a-z0-9]{32}/[a-z0-9]{32})\\b", NULL, 1, 0, 3.0,
        VAL_WEBHOOK, 0, 0.9, TH("TinesWebhook")),
    CTX("gitter-access-token", SEV_MEDIUM, "Gitter access token", "Gitter", "gitter", "gitter",
        "[a-z0-9_-]{40}", 3.0, GL("gitter-access-token")),

    /* ---- AI providers ---- */
    TOK("openai-api-key", SEV_CRITICAL, "OpenAI API key", "OpenAI", "t3blbkfj",
        "\\b(sk-(?:proj-|svcacct-|admin-)?[" URLS "]{20,74}T3BlbkFJ[" URLS "]{20,74})" NX(URLS),
        3.0, GLSL("openai-api-key", "@secretlint/secretlint-rule-openai")),
    TOK("anthropic-api-key", SEV_CRITICAL, "Anthropic API key", "Anthropic", "sk-ant-api",
        "\\b(sk-ant-api0[0-9]-[" URLS "]{86,120}AA)" NX(URLS), 3.0,
        GLSL("anthropic-api-key", "@secretlint/secretlint-rule-anthropic")),
    TOK("anthropic-admin-key", SEV_CRITICAL, "Anthropic admin API key", "Anthropic",
        "sk-ant-admin", "\\b(sk-ant-admin0[0-9]-[" URLS "]{86,120}AA)" NX(URLS), 3.0,
        GL("anthropic-admin-api-key")),
    TOK("huggingface-token", SEV_HIGH, "Hugging Face access token", "Hugging Face", "hf_",
        "\\b(hf_[" B62 "]{34,40})\\b", 3.5,
        GLSL("huggingface-access-token", "@secretlint/secretlint-rule-huggingface")),
    TOK("huggingface-org-token", SEV_HIGH, "Hugging Face organization API token", "Hugging Face",
        "api_org_", "\\b(api_org_[" B62 "]{34})\\b", 3.5,
        GL("huggingface-organization-api-token")),
    TOK("groq-api-key", SEV_HIGH, "Groq API key", "Groq", "gsk_", "\\b(gsk_[" B62 "]{52})\\b", 3.5,
        "secretlint:@secretlint/secretlint-rule-groq"),
    TOK("xai-api-key", SEV_HIGH, "xAI API key", "xAI", "xai-", "\\b(xai-[" B62 "]{80})\\b", 3.5,
        NULL),
    TOK("replicate-api-token", SEV_HIGH, "Replicate API token", "Replicate", "r8_",
        "\\b(r8_[" B62 "]{37})\\b", 3.5, NULL),
    TOK("perplexity-api-key", SEV_HIGH, "Perplexity API key", "Perplexity", "pplx-",
        "\\b(pplx-[" B62 "]{48})\\b", 4.0, GL("perplexity-api-key")),
    TOK("langsmith-api-key", SEV_HIGH, "LangSmith API key", "LangChain", "lsv2_",
        "\\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})\\b", 3.0, NULL),
    TOK("pinecone-api-key", SEV_HIGH, "Pinecone API key", "Pinecone", "pcsk_",
        "\\b(pcsk_[" B62 "]{5,6}_[" B62 "]{60,70})\\b", 3.5, NULL),
    CTX("cohere-api-token", SEV_HIGH, "Cohere API key", "Cohere", "cohere,co_api", "cohere|co_api",
        "[a-zA-Z0-9]{40}", 4.0, GL("cohere-api-token")),
    CTX("mistral-api-key", SEV_HIGH, "Mistral AI API key", "Mistral", "mistral", "mistral",
        "[a-zA-Z0-9]{32}", 3.5, NULL),
    CTX("deepseek-api-key", SEV_HIGH, "DeepSeek API key", "DeepSeek", "deepseek", "deepseek",
        "sk-[a-f0-9]{32}", 3.0, NULL),

    /* ---- Cloud and hosting ---- */
    TOK("databricks-token", SEV_HIGH, "Databricks personal access token", "Databricks", "dapi",
        "\\b(dapi[a-f0-9]{32}(?:-[0-9])?)\\b", 3.0,
        GLSL("databricks-api-token", "@secretlint/secretlint-rule-databricks")),
    TOK("digitalocean-pat", SEV_CRITICAL, "DigitalOcean personal access token", "DigitalOcean",
        "dop_v1_", "\\b(dop_v1_[a-f0-9]{64})\\b", 3.0, GL("digitalocean-pat")),
    TOK("digitalocean-oauth-token", SEV_CRITICAL, "DigitalOcean OAuth token", "DigitalOcean",
        "doo_v1_", "\\b(doo_v1_[a-f0-9]{64})\\b", 3.0, GL("digitalocean-access-token")),
    TOK("digitalocean-refresh-token", SEV_HIGH, "DigitalOcean refresh token", "DigitalOcean",
        "dor_v1_", "\\b(dor_v1_[a-f0-9]{64})\\b", 3.0, GL("digitalocean-refresh-token")),
    TOK("heroku-api-key-v2", SEV_HIGH, "Heroku API key", "Heroku", "hrku-aa",
        "\\b(HRKU-AA[" URLS "]{58})" NX(URLS), 4.0, GL("heroku-api-key-v2")),
    ROW("heroku-api-key", SEV_HIGH, "Heroku API key (legacy UUID)", "Heroku", "heroku",
        ASSIGN("heroku") "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})" AEND,
        NULL, 1, 0, 3.0, VAL_NONE, DR_CONTEXT, 0.7, GL("heroku-api-key")),
    TOK("alibaba-access-key-id", SEV_HIGH, "Alibaba Cloud AccessKey ID", "Alibaba", "ltai",
        "\\b(LTAI[" B62 "]{17,21})\\b", 3.0, GL("alibaba-access-key-id")),
    CTX("alibaba-secret-key", SEV_CRITICAL, "Alibaba Cloud AccessKey secret", "Alibaba", "alibaba,alicloud",
        "alibaba|alicloud", "[a-zA-Z0-9]{30}", 3.5,
        GL("alibaba-secret-key")),
    TOK("yandex-api-key", SEV_HIGH, "Yandex Cloud API key", "Yandex", "aqvn",
        "\\b(AQVN[" URLS "]{35,38})" NX(URLS), 3.5, GL("yandex-api-key")),
    TOK("yandex-iam-token", SEV_HIGH, "Yandex Cloud IAM token", "Yandex", "t1.",
        "\\b(t1\\.[A-Z0-9a-z_-]+={0,2}\\.[A-Z0-9a-z_-]{86}={0,2})", 3.5, GL("yandex-access-token")),
    CTX("yandex-aws-access-token", SEV_HIGH, "Yandex Cloud static access key", "Yandex", "yandex",
        "yandex", "YC[a-zA-Z0-9_-]{38}", 3.5, GL("yandex-aws-access-token")),
    TOK("cloudflare-origin-ca-key", SEV_HIGH, "Cloudflare Origin CA key", "Cloudflare", "v1.0-",
        "\\b(v1\\.0-[a-f0-9]{24}-[a-f0-9]{146})\\b", 3.0, GL("cloudflare-origin-ca-key")),
    CTX("cloudflare-api-token", SEV_HIGH, "Cloudflare API token", "Cloudflare", "cloudflare,cf_api",
        "cloudflare|cf_api", "[A-Za-z0-9_-]{40}", 3.5,
        GLSL("cloudflare-api-key", "@secretlint/secretlint-rule-cloudflare")),
    CTX("cloudflare-global-api-key", SEV_CRITICAL, "Cloudflare global API key", "Cloudflare",
        "cloudflare", "cloudflare", "[a-f0-9]{37}",
        3.0, GL("cloudflare-global-api-key")),
    TOK("flyio-access-token", SEV_HIGH, "Fly.io access token", "Fly.io", "fo1_,fm1,fm2",
        "\\b((?:fo1_[" URLS "]{43}|fm[0-9]{1,30}[ar]?_[A-Za-z0-9+/,_-]{100,}={0,3}))"
        NX("A-Za-z0-9+/=,_-"),
        3.5, GL("flyio-access-token")),
    TOK("vercel-token", SEV_HIGH, "Vercel access token", "Vercel", "vercel_,vcp_",
        "\\b((?:vercel_|vc[pkia]_)[" B62 "]{24,60})\\b", 3.5,
        "secretlint:@secretlint/secretlint-rule-vercel"),
    CTX("vercel-legacy-token", SEV_HIGH, "Vercel token (legacy)", "Vercel", "vercel", "vercel",
        "[A-Za-z0-9]{24}", 3.5, "secretlint:@secretlint/secretlint-rule-vercel"),
    TOK("netlify-pat", SEV_HIGH, "Netlify personal access token", "Netlify", "nfp_",
        "\\b(nfp_[" B62 "]{36,40})\\b", 3.5, GL("netlify-access-token")),
    CTX("netlify-access-token", SEV_HIGH, "Netlify access token (legacy)", "Netlify", "netlify",
        "netlify", "[A-Za-z0-9=_-]{40,46}", 3.5, GL("netlify-access-token")),
    TOK("render-api-key", SEV_HIGH, "Render API key", "Render", "rnd_", "\\b(rnd_[" B62 "]{32})\\b",
        3.5, NULL),
    TOK("supabase-access-token", SEV_HIGH, "Supabase access token", "Supabase", "sbp_",
        "\\b(sbp_[a-z0-9]{40})\\b", 3.0, TH("SupabaseToken")),
    TOK("supabase-secret-key", SEV_CRITICAL, "Supabase secret API key", "Supabase", "sb_secret_",
        "\\b(sb_secret_[" URLS "]{31,40})" NX(URLS), 3.5, NULL),
    TOK("deno-deploy-token", SEV_HIGH, "Deno Deploy token", "Deno", "ddp_,ddw_",
        "\\b(dd[pw]_[" B62 "]{36})\\b", 3.5, NULL),
    TOK("planetscale-password", SEV_CRITICAL, "PlanetScale password", "PlanetScale", "pscale_pw_",
        "\\b(pscale_pw_[A-Za-z0-9_.=-]{32,64})" NX("A-Za-z0-9_.=-"), 3.0,
        GL("planetscale-password")),
    TOK("planetscale-api-token", SEV_HIGH, "PlanetScale API token", "PlanetScale", "pscale_tkn_",
        "\\b(pscale_tkn_[A-Za-z0-9_.=-]{32,64})" NX("A-Za-z0-9_.=-"), 3.0,
        GL("planetscale-api-token")),
    TOK("planetscale-oauth-token", SEV_HIGH, "PlanetScale OAuth token", "PlanetScale",
        "pscale_oauth_", "\\b(pscale_oauth_[A-Za-z0-9_.=-]{32,64})" NX("A-Za-z0-9_.=-"), 3.0,
        GL("planetscale-oauth-token")),
    TOK("clickhouse-cloud-api-secret", SEV_HIGH, "ClickHouse Cloud API secret key", "ClickHouse",
        "4b1d", "\\b(4b1d[" B62 "]{38})\\b", 3.5, GL("clickhouse-cloud-api-secret-key")),
    TOK("scalingo-api-token", SEV_HIGH, "Scalingo API token", "Scalingo", "tk-us-",
        "\\b(tk-us-[" URLS "]{48})" NX(URLS), 3.0, GL("scalingo-api-token")),
    TOK("openshift-user-token", SEV_HIGH, "OpenShift user token", "Red Hat", "sha256~",
        "\\b(sha256~[" URLS "]{43})" NX(URLS), 3.5, GL("openshift-user-token")),
    ROW("kubernetes-bootstrap-token", SEV_HIGH, "Kubernetes bootstrap token", "Kubernetes",
        "token", "(?i)(?:bootstrap[_-]?token[\"']?[ \\t]*[:=]|--token[ \\t=]|\\btoken[\"']?[ \\t]*[:=])"
        "[ \\t]*[\"']?([a-z0-9]{6}\\.[a-z0-9]{16})\\b",
        NULL, 1, 0, 3.0, VAL_NONE, DR_CONTEXT | DR_WHOLE, 0.75, NULL),
    TOK("hashicorp-tf-api-token", SEV_HIGH, "Terraform Cloud / Enterprise API token", "HashiCorp",
        "atlasv1", "\\b([" B62 "]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70})" NX("A-Za-z0-9_=-"), 3.5,
        GL("hashicorp-tf-api-token")),
    TOK("vault-service-token", SEV_CRITICAL, "HashiCorp Vault service token", "HashiCorp", "hvs.",
        "\\b(hvs\\.[" URLS "]{90,120})" NX(URLS), 3.5,
        GLSL("vault-service-token", "@secretlint/secretlint-rule-hashicorp-vault")),
    TOK("vault-batch-token", SEV_HIGH, "HashiCorp Vault batch token", "HashiCorp", "hvb.",
        "\\b(hvb\\.[" URLS "]{138,300})" NX(URLS), 3.5, GL("vault-batch-token")),
    CTX("vault-legacy-token", SEV_HIGH, "HashiCorp Vault token (legacy s.)", "HashiCorp", "vault",
        "vault", "s\\.[A-Za-z0-9]{24}", 3.5, NULL),
    TOK("doppler-token", SEV_HIGH, "Doppler token", "Doppler", "dp.pt.,dp.st.,dp.sa.,dp.ct.,dp.scim.,dp.audit.",
        "\\b(dp\\.(?:pt|st|sa|ct|scim|audit)\\.[" B62 "]{40,44})\\b", 3.5, GL("doppler-api-token")),
    TOK("pulumi-api-token", SEV_HIGH, "Pulumi access token", "Pulumi", "pul-",
        "\\b(pul-[a-z0-9]{40})\\b", 3.0, GL("pulumi-api-token")),
    TOK("prefect-api-token", SEV_HIGH, "Prefect API key", "Prefect", "pnu_",
        "\\b(pnu_[" B62 "]{36})\\b", 3.0, GL("prefect-api-token")),
    TOK("defined-networking-api-token", SEV_HIGH, "Defined Networking API token", "Defined Networking",
        "dnkey-", "\\b(dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52})" NX("a-z0-9=_-"), 3.0,
        GL("defined-networking-api-token")),

    /* ---- Developer tools and SaaS ---- */
    TOK("1password-service-account-token", SEV_CRITICAL, "1Password service account token",
        "1Password", "ops_eyj", "\\b(ops_eyJ[A-Za-z0-9+/]{250,4000}={0,3})" NX("A-Za-z0-9+/="), 4.0,
        GLSL("1password-service-account-token", "@secretlint/secretlint-rule-1password")),
    TOK("1password-secret-key", SEV_CRITICAL, "1Password account secret key", "1Password", "a3-",
        "\\b(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}"
        "-[A-Z0-9]{5})\\b",
        3.0, GL("1password-secret-key")),
    TOK("notion-api-token", SEV_HIGH, "Notion integration token", "Notion", "ntn_",
        "\\b(ntn_[0-9]{11}[" B62 "]{35})\\b", 3.5,
        GLSL("notion-api-token", "@secretlint/secretlint-rule-notion")),
    ROW("notion-legacy-token", SEV_HIGH, "Notion integration token (legacy secret_)", "Notion",
        "secret_", "\\b(secret_[" B62 "]{43})\\b", NULL, 1, 0, 4.0, VAL_NONE, DR_WHOLE, 0.9,
        "secretlint:@secretlint/secretlint-rule-notion"),
    TOK("linear-api-key", SEV_HIGH, "Linear API key", "Linear", "lin_api_",
        "\\b(lin_api_[" B62 "]{40})\\b", 3.5,
        GLSL("linear-api-key", "@secretlint/secretlint-rule-linear")),
    CTXW("linear-client-secret", SEV_HIGH, "Linear OAuth client secret", "Linear", "linear",
        "linear", "[a-f0-9]{32}", 3.0, GL("linear-client-secret")),
    TOK("postman-api-token", SEV_HIGH, "Postman API key", "Postman", "pmak-",
        "\\b(PMAK-(?:[a-fA-F0-9]{24}-[a-fA-F0-9]{34}|[A-Za-z0-9-]{59}))" NX("A-Za-z0-9-"), 3.0,
        GL("postman-api-token")),
    TOK("sentry-user-token", SEV_HIGH, "Sentry user auth token", "Sentry", "sntryu_",
        "\\b(sntryu_[a-f0-9]{64})\\b", 3.5, GL("sentry-user-token")),
    TOK("sentry-org-token", SEV_HIGH, "Sentry organization auth token", "Sentry", "sntrys_",
        "\\b(sntrys_eyJ[A-Za-z0-9+/_=-]{80,600})" NX("A-Za-z0-9+/_="), 4.5,
        GL("sentry-org-token")),
    CTX("sentry-access-token", SEV_HIGH, "Sentry access token (legacy)", "Sentry", "sentry",
        "sentry", "[a-f0-9]{64}", 3.0, GL("sentry-access-token")),
    TOK("grafana-service-account-token", SEV_HIGH, "Grafana service account token", "Grafana",
        "glsa_", "\\b(glsa_[A-Za-z0-9_]{41})\\b", 3.0,
        GLSL("grafana-service-account-token", "@secretlint/secretlint-rule-grafana")),
    TOK("grafana-cloud-api-token", SEV_HIGH, "Grafana Cloud API token", "Grafana", "glc_",
        "\\b(glc_[A-Za-z0-9+/]{32,400}={0,2})" NX("A-Za-z0-9+/="), 3.5,
        GL("grafana-cloud-api-token")),
    TOK("grafana-api-key", SEV_HIGH, "Grafana API key (legacy)", "Grafana", "eyjrijoi",
        "\\b(eyJrIjoi[A-Za-z0-9]{70,400}={0,2})" NX("A-Za-z0-9="), 3.5, GL("grafana-api-key")),
    TOK("atlassian-api-token", SEV_HIGH, "Atlassian API token", "Atlassian", "atatt",
        "\\b(ATATT[A-Za-z0-9_=+/-]{150,300}|ATATT[A-Za-z0-9_+/-]{20,300}=[" B62 "]{8})"
        NX("A-Za-z0-9_=+/-"), 3.5,
        GLTH("atlassian-api-token", "JiraToken")),
    TOK("atlassian-admin-api-key", SEV_HIGH, "Atlassian organization admin API key", "Atlassian",
        "atctt3", "\\b(ATCTT3xFfG[A-Za-z0-9+/=_-]{20,400}=[" B62 "]{8})\\b", 3.5, TH("Atlassian")),
    TOK("bitbucket-datacenter-token", SEV_HIGH, "Bitbucket Data Center HTTP access token",
        "Atlassian", "bbdc-", "\\b(BBDC-[A-Za-z0-9+/@_-]{40,50})" NX("A-Za-z0-9+/@_-"), 3.5,
        TH("JiraDataCenterPAT")),
    CTX("atlassian-legacy-token", SEV_HIGH, "Atlassian / Jira / Confluence API token (legacy)",
        "Atlassian", "atlassian,confluence,jira", "atlassian|confluence|jira", "[a-zA-Z0-9]{24}",
        3.5, GL("atlassian-api-token")),
    TOK("bitbucket-app-password", SEV_HIGH, "Bitbucket app password", "Bitbucket", "atbb",
        "\\b(ATBB[" B62 "]{32})\\b", 3.5, NULL),
    CTX("bitbucket-client-secret", SEV_HIGH, "Bitbucket OAuth client secret", "Bitbucket",
        "bitbucket", "bitbucket", "[a-zA-Z0-9=_-]{64}", 3.5,
        GL("bitbucket-client-secret")),
    TOK("buildkite-agent-token", SEV_HIGH, "Buildkite API access token", "Buildkite", "bkua_",
        "\\b(bkua_[a-z0-9]{40})\\b", 3.0, TH("Buildkite")),
    TOK("circleci-pat", SEV_HIGH, "CircleCI personal API token", "CircleCI", "ccipat_",
        "\\b(CCIPAT_[" B62 "]{22}_[a-fA-F0-9]{40})\\b", 3.0, TH("Circle")),
    CTX("travisci-access-token", SEV_HIGH, "Travis CI access token", "Travis CI", "travis",
        "travis", "[a-z0-9]{22}", 3.0, GL("travisci-access-token")),
    CTX("droneci-access-token", SEV_HIGH, "Drone CI access token", "Drone", "drone", "drone",
        "[a-z0-9]{32}", 3.0, GL("droneci-access-token")),
    CTX("codecov-access-token", SEV_MEDIUM, "Codecov upload token", "Codecov", "codecov",
        "codecov", "[a-z0-9]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0,
        GL("codecov-access-token")),
    TOK("sonar-token", SEV_HIGH, "SonarQube / SonarCloud token", "Sonar", "squ_,sqp_,sqa_",
        "\\b(sq[upa]_[a-f0-9]{40})\\b", 3.0, GL("sonar-api-token")),
    TOK("sourcegraph-access-token", SEV_HIGH, "Sourcegraph access token", "Sourcegraph", "sgp_",
        "\\b(sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40})\\b", 3.0,
        GL("sourcegraph-access-token")),
    CTX("snyk-api-token", SEV_HIGH, "Snyk API token", "Snyk", "snyk", "snyk",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0, GL("snyk-api-token")),
    TOK("dynatrace-api-token", SEV_HIGH, "Dynatrace API token", "Dynatrace", "dt0c01.",
        "(?i)\\b(dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64})\\b", 3.5, GL("dynatrace-api-token")),
    TOK("newrelic-user-api-key", SEV_HIGH, "New Relic user API key", "New Relic", "nrak-",
        "(?i)\\b(NRAK-[A-Z0-9]{27})\\b", 3.0, GL("new-relic-user-api-key")),
    TOK("newrelic-insert-key", SEV_HIGH, "New Relic insert key", "New Relic", "nrii-",
        "\\b(NRII-[" URLS "]{25,32})" NX(URLS), 3.0, GL("new-relic-insert-key")),
    TOK("newrelic-browser-api-token", SEV_MEDIUM, "New Relic browser API token", "New Relic",
        "nrjs-", "\\b(NRJS-[a-f0-9]{19})\\b", 3.0, GL("new-relic-browser-api-token")),
    TOK("newrelic-license-key", SEV_HIGH, "New Relic license key", "New Relic", "nral",
        "\\b([a-f0-9]{36}NRAL)\\b", 3.0, NULL),
    CTX("datadog-api-key", SEV_HIGH, "Datadog API key", "Datadog", "datadog,dd_api",
        "datadog[\\w.-]{0,20}api|dd_api", "[a-f0-9]{32}", 3.0, GL("datadog-access-token")),
    CTX("datadog-app-key", SEV_HIGH, "Datadog application key", "Datadog", "datadog,dd_app",
        "datadog|dd_app", "[a-z0-9]{40}", 3.0, GL("datadog-access-token")),
    CTX("fastly-api-token", SEV_HIGH, "Fastly API token", "Fastly", "fastly", "fastly",
        "[A-Za-z0-9_-]{32}", 3.5, GL("fastly-api-token")),
    CTX("pagerduty-api-key", SEV_HIGH, "PagerDuty API key", "PagerDuty", "pagerduty,pd_",
        "pagerduty|pd_(?:api|token)", "[A-Za-z0-9_+-]{20}", 3.0, NULL),
    CTX("honeycomb-api-key", SEV_HIGH, "Honeycomb API key", "Honeycomb", "honeycomb", "honeycomb",
        "[A-Za-z0-9]{22}|hc[a-z]{2}[a-z]{2}_[a-z0-9]{58}", 3.5, NULL),
    CTX("splunk-hec-token", SEV_HIGH, "Splunk HTTP Event Collector token", "Splunk", "splunk,hec",
        "splunk|hec_?token",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0, NULL),
    CTX("launchdarkly-access-token", SEV_HIGH, "LaunchDarkly access token", "LaunchDarkly",
        "launchdarkly", "launchdarkly",
        "(?:api|sdk)-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}|[a-z0-9=_-]{40}",
        3.0, GL("launchdarkly-access-token")),
    CTX("algolia-api-key", SEV_HIGH, "Algolia admin API key", "Algolia", "algolia", "algolia",
        "[a-z0-9]{32}", 3.0, GL("algolia-api-key")),
    TOK("contentful-pat", SEV_HIGH, "Contentful personal access token", "Contentful", "cfpat-",
        "\\b(CFPAT-[" URLS "]{43})" NX(URLS), 3.5, NULL),
    CTX("contentful-delivery-api-token", SEV_MEDIUM, "Contentful delivery API token", "Contentful",
        "contentful", "contentful", "[A-Za-z0-9=_-]{43}", 3.5, GL("contentful-delivery-api-token")),
    TOK("figma-pat", SEV_HIGH, "Figma personal access token", "Figma", "figd_",
        "\\b(figd_[" URLS "]{40})" NX(URLS), 3.5, "secretlint:@secretlint/secretlint-rule-figma"),
    TOK("tailscale-key", SEV_HIGH, "Tailscale auth or API key", "Tailscale", "tskey-",
        "\\b(tskey-[a-z]{3,30}-[A-Za-z0-9_]{6,40}-[A-Za-z0-9_]{20,60})\\b", 3.5,
        "secretlint:@secretlint/secretlint-rule-tailscale"),
    TOK("typeform-api-token", SEV_HIGH, "Typeform personal access token", "Typeform", "tfp_",
        "\\b(tfp_[A-Za-z0-9_.=-]{40,59})" NX("A-Za-z0-9_.=-"), 3.5, GL("typeform-api-token")),
    TOK("readme-api-token", SEV_HIGH, "ReadMe API key", "ReadMe", "rdme_",
        "\\b(rdme_[a-z0-9]{70})\\b", 3.5, GL("readme-api-token")),
    TOK("adafruit-api-key", SEV_MEDIUM, "Adafruit IO key", "Adafruit", "aio_",
        "\\b(aio_[" B62 "]{28})\\b", 3.5, GLTH("adafruit-api-key", "AdafruitIO")),
    CTX("adafruit-api-key-context", SEV_MEDIUM, "Adafruit IO key", "Adafruit", "adafruit",
        "adafruit", "[a-z0-9_-]{32}", 3.0, GL("adafruit-api-key")),
    CTX("mapbox-public-token", SEV_LOW, "Mapbox public access token", "Mapbox", "mapbox", "mapbox",
        "pk\\.[a-z0-9]{60}\\.[a-z0-9]{22}", 3.0, GL("mapbox-api-token")),
    CTX("sonar-token-context", SEV_HIGH, "SonarQube / SonarCloud token (legacy)", "Sonar",
        "sonar", "sonar[_.-]?(?:login|token)", "[a-z0-9=_-]{40}", 3.0, GL("sonar-api-token")),
    TOK("airtable-pat", SEV_HIGH, "Airtable personal access token", "Airtable", "pat",
        "\\b(pat[" B62 "]{14}\\.[a-f0-9]{64})\\b", 3.5, GL("airtable-personnal-access-token")),
    CTX("airtable-api-key", SEV_HIGH, "Airtable API key (legacy)", "Airtable", "airtable",
        "airtable", "key[a-zA-Z0-9]{14}|[a-z0-9]{17}", 3.0, GL("airtable-api-key")),
    CTX("asana-client-secret", SEV_HIGH, "Asana client secret", "Asana", "asana", "asana",
        "[a-z0-9]{32}", 3.0, GL("asana-client-secret")),
    CTXID("asana-client-id", "Asana client id", "Asana", "asana", "asana", "[0-9]{16}", 2.5,
          GL("asana-client-id")),
    TOK("asana-pat", SEV_HIGH, "Asana personal access token", "Asana", "/0:,/1:,2/",
        "\\b([12]/[0-9]{16,20}(?:/[0-9]{16,20})?:[a-f0-9]{32})\\b", 3.0,
        TH("AsanaPersonalAccessToken")),
    CTX("asana-oauth-token", SEV_HIGH, "Asana OAuth or personal access token", "Asana", "asana",
        "asana", "[a-z/:0-9]{51}|[0-9]{1,2}/[0-9]{16,20}(?:/[0-9]{16,20})?:[A-Za-z0-9]{32,40}",
        3.0, TH("AsanaOauth") ",trufflehog:AsanaPersonalAccessToken"),
    TOK("authress-service-client-key", SEV_HIGH, "Authress service client access key",
        "Authress", "acc_,acc-",
        "\\b((?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\\.[a-z0-9]{4,6}\\.acc[_-][a-z0-9-]{10,32}"
        "\\.[a-z0-9+/_=-]{30,120})" NX("a-z0-9+/_=-"),
        3.0, GL("authress-service-client-access-key")),
    CTX("beamer-api-token", SEV_MEDIUM, "Beamer API token", "Beamer", "beamer", "beamer",
        "b_[a-z0-9=_-]{44}", 3.0, GL("beamer-api-token")),
    CTX("confluent-secret-key", SEV_HIGH, "Confluent Cloud API secret", "Confluent", "confluent",
        "confluent", "[a-zA-Z0-9+/]{64}", 4.0, GL("confluent-secret-key")),
    TOK("dropbox-short-lived-token", SEV_HIGH, "Dropbox short-lived access token", "Dropbox",
        "sl.", "\\b(sl\\.[" URLS "]{130,152})" NX(URLS), 4.0, GL("dropbox-short-lived-api-token")),
    CTX("dropbox-api-token", SEV_HIGH, "Dropbox API token", "Dropbox", "dropbox", "dropbox",
        "[a-z0-9]{11}AAAAAAAAAA[a-z0-9_=-]{43}|[a-z0-9]{15}", 3.0, GL("dropbox-api-token")),
    TOK("facebook-access-token", SEV_HIGH, "Facebook / Meta access token", "Meta", "eaam,eaac",
        "\\b(EAA[MC][" B62 "]{100,300})\\b", 4.0, GL("facebook-page-access-token")),
    CTX("facebook-app-secret", SEV_HIGH, "Facebook / Meta app secret", "Meta", "facebook,fb_app,fbapp",
        "facebook|fb_?app_?secret", "[a-f0-9]{32}", 3.0, GL("facebook-secret")),
    TOK("twitter-bearer-token", SEV_HIGH, "X (Twitter) bearer token", "X", "aaaaaaaaaaaaaaaaaaaaa",
        "\\b(A{22}[A-Za-z0-9%]{80,120})" NX("A-Za-z0-9%"), 3.5, GL("twitter-bearer-token")),
    CTX("twitter-bearer-token-context", SEV_HIGH, "X (Twitter) bearer token", "X", "twitter",
        "twitter", "[A-Za-z0-9]{20,59}%[A-Za-z0-9%]{30,200}", 3.5, TH("Twitter")),
    CTX("twitter-api-secret", SEV_HIGH, "X (Twitter) API secret", "X", "twitter", "twitter",
        "[a-zA-Z0-9]{50}", 3.5, GL("twitter-api-secret") ",trufflehog:TwitterConsumerkey"),
    CTX("twitter-api-key", SEV_HIGH, "X (Twitter) API key", "X", "twitter", "twitter",
        "[a-zA-Z0-9]{25}", 3.5, GL("twitter-api-key") ",trufflehog:TwitterConsumerkey"),
    CTX("twitter-access-secret", SEV_HIGH, "X (Twitter) access token secret", "X", "twitter",
        "twitter", "[a-zA-Z0-9]{45}", 3.5, GL("twitter-access-secret")),
    CTX("twitter-access-token", SEV_HIGH, "X (Twitter) access token", "X", "twitter", "twitter",
        "[0-9]{15,25}-[a-zA-Z0-9]{20,40}", 3.0, GL("twitter-access-token")),
    CTX("twitch-api-token", SEV_MEDIUM, "Twitch API token", "Twitch", "twitch", "twitch",
        "[a-z0-9]{30}", 3.0, GL("twitch-api-token")),
    CTX("linkedin-client-secret", SEV_HIGH, "LinkedIn client secret", "LinkedIn",
        "linkedin,linked_in,linked-in", "linked[_-]?in", "[a-zA-Z0-9]{16}", 3.0,
        GL("linkedin-client-secret")),
    CTX("okta-access-token", SEV_HIGH, "Okta API token", "Okta", "okta", "okta",
        "00[A-Za-z0-9_-]{40}", 3.5, GL("okta-access-token")),
    CTX("auth0-client-secret", SEV_HIGH, "Auth0 client secret", "Auth0", "auth0",
        "auth0[\\w.-]{0,20}secret", "[A-Za-z0-9_-]{64}", 3.5, NULL),
    CTX("zendesk-secret-key", SEV_HIGH, "Zendesk API token", "Zendesk", "zendesk", "zendesk",
        "[a-zA-Z0-9]{40}", 3.5, GL("zendesk-secret-key")),
    CTX("hubspot-api-key", SEV_HIGH, "HubSpot API key", "HubSpot", "hubspot", "hubspot",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|pat-(?:na|eu)1-[0-9a-f-]{36}",
        3.0, GL("hubspot-api-key")),
    CTX("intercom-api-key", SEV_HIGH, "Intercom access token", "Intercom", "intercom", "intercom",
        "[a-zA-Z0-9=_-]{60}", 3.5, GL("intercom-api-key")),
    TOK("mapbox-secret-token", SEV_HIGH, "Mapbox secret access token", "Mapbox", "sk.eyj",
        "\\b(sk\\.eyJ[" URLS "]{50,400}\\.[" URLS "]{20,40})" NX(URLS), 3.5, GL("mapbox-api-token")),
    TOK("maxmind-license-key", SEV_MEDIUM, "MaxMind license key", "MaxMind", "_mmk",
        "\\b([" B62 "]{6}_[" B62 "]{29}_mmk)\\b", 3.5, GL("maxmind-license-key")),
    TOKV("octopus-deploy-api-key", SEV_HIGH, "Octopus Deploy API key", "Octopus Deploy", "api-",
         "\\b(API-[A-Z0-9]{26,34})\\b", 3.0, VAL_NOT_WORD,
         GLTH("octopus-deploy-api-key", "OctopusDeploy")),
    TOK("harness-api-key", SEV_HIGH, "Harness API key", "Harness", "pat.,sat.",
        "\\b((?:pat|sat)\\.[" URLS "]{22}\\.[" B62 "]{24}\\.[" B62 "]{20})\\b", 3.0,
        GL("harness-api-key")),
    TOK("infracost-api-token", SEV_MEDIUM, "Infracost API token", "Infracost", "ico-",
        "\\b(ico-[" B62 "]{32})\\b", 3.5, GL("infracost-api-token")),
    TOK("intra42-client-secret", SEV_MEDIUM, "42 Intra client secret", "42", "s-s4t2",
        "\\b(s-s4t2(?:ud|af)-[a-f0-9]{64})\\b", 3.0, GL("intra42-client-secret")),
    TOK("frameio-api-token", SEV_MEDIUM, "Frame.io API token", "Frame.io", "fio-u-",
        "\\b(fio-u-[A-Za-z0-9_=-]{64})" NX("A-Za-z0-9_=-"), 3.5, GL("frameio-api-token")),
    TOK("settlemint-token", SEV_HIGH, "SettleMint access token", "SettleMint", "sm_pat_,sm_aat_,sm_sat_",
        "\\b(sm_(?:pat|aat|sat)_[" B62 "]{16})\\b", 3.0,
        GL("settlemint-personal-access-token")),
    TOK("riot-api-key", SEV_MEDIUM, "Riot Games API key", "Riot Games", "rgapi-",
        "\\b(RGAPI-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\b", 3.0, NULL),
    TOK("sidekiq-sensitive-url", SEV_HIGH, "Sidekiq Enterprise credentials in a URL", "Sidekiq",
        "contribsys.com",
        "(?i)\\b(https?://[a-f0-9]{8}:[a-f0-9]{8}@(?:gems|enterprise)\\.contribsys\\.com)", 3.0,
        GL("sidekiq-sensitive-url")),
    CTX("sidekiq-secret", SEV_HIGH, "Sidekiq Enterprise credentials", "Sidekiq", "contribsys",
        "bundle_enterprise__contribsys__com|bundle_gems__contribsys__com",
        "[a-f0-9]{8}:[a-f0-9]{8}", 3.0, GL("sidekiq-secret")),
    TOK("django-insecure-secret-key", SEV_HIGH, "Django SECRET_KEY (startproject default)",
        "Django", "django-insecure-", "(django-insecure-[^\\s\"'`]{40,60})", 3.5, NULL),
    ROW("laravel-app-key", SEV_HIGH, "Laravel APP_KEY", "Laravel", "app_key",
        "(?i)\\bAPP_KEY[\"']?[ \\t]*[:=][ \\t]*[\"']?base64:([A-Za-z0-9+/]{43}=)", NULL, 1, 0, 3.5,
        VAL_NONE, DR_CONTEXT, 0.9, NULL),
    CTX("kucoin-secret-key", SEV_HIGH, "KuCoin API secret", "KuCoin", "kucoin", "kucoin",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0, GL("kucoin-secret-key")),
    CTX("nytimes-access-token", SEV_LOW, "New York Times API key", "New York Times",
        "nytimes,york", "nytimes|new[_-]?york[_-]?times", "[a-z0-9=_-]{32}",
        3.0, GL("nytimes-access-token")),
    CTX("rapidapi-access-token", SEV_HIGH, "RapidAPI key", "RapidAPI", "rapidapi", "rapidapi",
        "[a-z0-9_-]{50}", 3.5, GL("rapidapi-access-token")),
    CTX("shopify-api-secret", SEV_HIGH, "Shopify app API secret", "Shopify", "shopify",
        "shopify[\\w.-]{0,20}secret", "[a-f0-9]{32}", 3.0, NULL),
    TOK("shopify-access-token", SEV_CRITICAL, "Shopify access token", "Shopify", "shpat_",
        "\\b(shpat_[a-fA-F0-9]{32})\\b", 3.0,
        GLSL("shopify-access-token", "@secretlint/secretlint-rule-shopify")),
    TOK("shopify-custom-access-token", SEV_CRITICAL, "Shopify custom app access token", "Shopify",
        "shpca_", "\\b(shpca_[a-fA-F0-9]{32})\\b", 3.0, GL("shopify-custom-access-token")),
    TOK("shopify-private-app-access-token", SEV_CRITICAL, "Shopify private app access token",
        "Shopify", "shppa_", "\\b(shppa_[a-fA-F0-9]{32})\\b", 3.0,
        GL("shopify-private-app-access-token")),
    TOK("shopify-shared-secret", SEV_HIGH, "Shopify shared secret", "Shopify", "shpss_",
        "\\b(shpss_[a-fA-F0-9]{32})\\b", 3.0, GL("shopify-shared-secret")),

    /* ---- More providers with a documented shape ---- */
    CTX("squarespace-access-token", SEV_HIGH, "Squarespace API key", "Squarespace",
        "squarespace", "squarespace", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.0,
        GLTH("squarespace-access-token", "Squarespace")),
    TOKW("tableau-pat", SEV_HIGH, "Tableau personal access token secret", "Tableau", "==:",
         "\\b([A-Za-z0-9+/]{22}==:[" B62 "]{32})\\b", 3.5, VAL_NONE,
         TH("TableauPersonalAccessToken")),
    CTX("scrapingbee-api-key", SEV_HIGH, "ScrapingBee API key", "ScrapingBee",
        "scrapingbee,scraping_bee,scraping-bee,scraping bee", "scraping[ _-]?bee",
        "[A-Z0-9]{80}", 3.5, TH("ScrapingBee")),
    TOK("bannerbear-api-key", SEV_HIGH, "Bannerbear API key", "Bannerbear", "bb_pr_,bb_ma_",
        "\\b(bb_(?:pr|ma)_[a-f0-9]{30})\\b", 3.0, TH("Bannerbear")),
    CTX("bannerbear-api-key-legacy", SEV_HIGH, "Bannerbear API key (legacy)", "Bannerbear",
        "bannerbear", "bannerbear", "[0-9a-zA-Z]{22}tt", 3.5, TH("Bannerbear")),
    CTX("softlayer-api-key", SEV_HIGH, "IBM SoftLayer API key", "SoftLayer",
        "softlayer,slapi,slkey,slpwd,slpass,sltoken,sl_api,sl_key,sl_pwd,sl_pass,sl_token,"
        "sl-api,sl-key,sl-pwd,sl-pass,sl-token",
        "softlayer|\\bsl[_-]?(?:api)?[_-]?(?:key|pwd|password|pass|token)", "[a-z0-9]{64}", 3.5,
        "detect-secrets:SoftlayerDetector"),
    TOK("softlayer-api-url", SEV_HIGH, "IBM SoftLayer API key in an API URL", "SoftLayer",
        "api.softlayer.com/soap/",
        "(?i)https?://api\\.softlayer\\.com/soap/v3(?:\\.1)?/([a-z0-9]{64})\\b", 3.5,
        "detect-secrets:SoftlayerDetector"),
    CTX("ibm-cloud-iam-key", SEV_HIGH, "IBM Cloud IAM API key", "IBM Cloud", "ibm",
        "ibm[\\w.-]{0,20}(?:key|pwd|password|pass|token)", "[A-Za-z0-9_-]{44}", 4.0,
        "detect-secrets:IbmCloudIamDetector,trufflehog:IBMCloudUserKey"),
    CTX("ibm-cos-hmac-secret", SEV_HIGH, "IBM Cloud Object Storage HMAC secret", "IBM Cloud",
        "secret_access_key,secret-access-key,secretaccesskey,secret_key,secret-key,secretkey",
        "secret[_-]?(?:access[_-]?)?key", "[a-f0-9]{48}", 3.0,
        "detect-secrets:IbmCosHmacDetector"),
    CTX("cloudant-password", SEV_HIGH, "IBM Cloudant password or API key", "IBM Cloudant",
        "cloudant", "cloudant[_-]?(?:api)?[_-]?(?:key|pwd|password|pass|token)",
        "[0-9a-f]{64}|[a-z]{24}", 3.0, "detect-secrets:CloudantDetector"),
    TOK("cloudant-url-credentials", SEV_HIGH, "IBM Cloudant credentials in a URL", "IBM Cloudant",
        "cloudant.com", "(?i)https?://[\\w-]+:([0-9a-f]{64}|[a-z]{24})@[\\w-]+\\.cloudant\\.com",
        3.0, "detect-secrets:CloudantDetector"),
    TOK("adobe-client-secret", SEV_HIGH, "Adobe client secret", "Adobe", "p8e-",
        "(?i)\\b(p8e-[a-z0-9]{32})\\b", 3.0, GLTH("adobe-client-secret", "AdobeIO")),
    CTXID("adobe-client-id", "Adobe client id", "Adobe", "adobe", "adobe", "[a-f0-9]{32}", 3.0,
          GL("adobe-client-id")),
    TOK("apify-api-token", SEV_HIGH, "Apify API token", "Apify", "apify_api_",
        "\\b(apify_api_[" B62 "-]{36})\\b", 3.5, TH("Apify")),
    TOK("cloudflare-api-token-v2", SEV_HIGH, "Cloudflare API token (cfut_/cfat_)", "Cloudflare",
        "cfut_,cfat_", "\\b(cf[ua]t_[" B62 "]{40}[a-f0-9]{8})\\b", 3.5, TH("CloudflareApiToken")),
    TOK("cloudflare-global-api-key-v2", SEV_CRITICAL, "Cloudflare global API key (cfk_)",
        "Cloudflare", "cfk_", "\\b(cfk_[" B62 "]{40}[a-f0-9]{8})\\b", 3.5,
        TH("CloudflareGlobalApiKey")),
    /* "sk_" alone is everywhere in code (task_, mask_): the name must say ElevenLabs. */
    CTX("elevenlabs-api-key", SEV_HIGH, "ElevenLabs API key", "ElevenLabs",
        "elevenlabs,eleven_labs,eleven-labs,xi-api-key,xi_api_key",
        "eleven[_-]?labs|xi[_-]api[_-]key", "sk_[a-f0-9]{48}|[a-f0-9]{32}", 3.0,
        TH("ElevenLabs")),
    TOK("endorlabs-api-key", SEV_HIGH, "Endor Labs API key", "Endor Labs", "endr+",
        "\\b(endr\\+[A-Za-z0-9-]{16})" NX("A-Za-z0-9-"), 3.0, TH("EndorLabs")),
    TOK("figma-pat-v3", SEV_HIGH, "Figma personal access token (figp_)", "Figma", "figp_",
        "\\b(figp_[A-Za-z0-9_=-]{40,54})" NX("A-Za-z0-9_=-"), 3.5, TH("FigmaPersonalAccessToken")),
    TOKW("finage-api-key", SEV_HIGH, "Finage API key", "Finage", "api_key",
        "\\b(API_KEY[0-9A-Z]{32})\\b", 3.0, VAL_NONE, TH("Finage")),
    TOK("fleetbase-api-key", SEV_HIGH, "Fleetbase API key", "Fleetbase", "flb_live_",
        "\\b(flb_live_[" B62 "]{20})\\b", 3.0, TH("Fleetbase")),
    TOK("flexport-api-key", SEV_HIGH, "Flexport API key", "Flexport", "shltm_",
        "\\b(shltm_[" URLS "]{40})" NX(URLS), 3.5, TH("Flexport")),
    TOK("fullstory-api-key", SEV_HIGH, "FullStory API key", "FullStory", "na1.",
        "\\b(na1\\.[A-Za-z0-9+/]{100})" NX("A-Za-z0-9+/="), 4.0, TH("Fullstory")),
    TOK("hubspot-private-app-token", SEV_HIGH, "HubSpot private app access token", "HubSpot",
        "pat-na1-,pat-eu1-,pat-na2-,pat-eu2-",
        "\\b(pat-(?:na|eu)[12]-[" B62 "]{8}-[" B62 "]{4}-[" B62 "]{4}-[" B62 "]{4}-"
        "[" B62 "]{12})\\b", 3.0, GLTH("hubspot-api-key", "HubSpotApiKey")),
    TOK("intra42-user-secret", SEV_MEDIUM, "42 Intra user secret", "42", "u-s4t2",
        "\\b(u-s4t2(?:ud|af)-[a-f0-9]{64})\\b", 3.0, TH("Intra42")),
    TOKW("locationiq-api-key", SEV_MEDIUM, "LocationIQ access token", "LocationIQ", "pk.",
        "\\b(pk\\.[" B62 "]{32})\\b", 3.0, VAL_NONE, TH("LocationIQ")),
    TOK("newrelic-insights-query-key", SEV_HIGH, "New Relic Insights query key", "New Relic",
        "nriq-", "\\b(NRIQ-[" URLS "]{25,32})" NX(URLS), 3.0, TH("NewRelicInsightsQueryKey")),
    TOK("newrelic-mobile-app-token", SEV_MEDIUM, "New Relic mobile app token", "New Relic",
        "-nrma", "\\b((?:AA[0-9a-f]{40}|eu01xx[0-9a-f]{36})-NRMA)\\b", 3.0,
        TH("NewRelicMobileAppToken")),
    TOK("newrelic-browser-key", SEV_MEDIUM, "New Relic browser key", "New Relic", "nrbr-",
        "\\b(NRBR-[a-f0-9]{19})\\b", 3.0, TH("NewRelicBrowserKey")),
    CTX("newrelic-user-api-id", SEV_LOW, "New Relic user API id", "New Relic",
        "new-relic,newrelic,new_relic", "new[_-]?relic", "[a-z0-9]{64}", 3.0,
        GL("new-relic-user-api-id")),
    TOKW("nightfall-api-key", SEV_HIGH, "Nightfall API key", "Nightfall", "nf-",
        "\\b(NF-[" B62 "]{32})\\b", 3.5, VAL_NONE, TH("Nightfall")),
    TOK("nvidia-api-key", SEV_HIGH, "NVIDIA API key", "NVIDIA", "nvapi-",
        "\\b(nvapi-[" URLS "]{64})" NX(URLS), 3.5, TH("NVAPI")),
    TOK("openrouter-api-key", SEV_HIGH, "OpenRouter API key", "OpenRouter", "sk-or-v1-",
        "\\b(sk-or-v1-[0-9a-f]{64})\\b", 3.0, TH("OpenRouter")),
    TOK("posthog-personal-api-key", SEV_HIGH, "PostHog personal API key", "PostHog", "phx_",
        "\\b(phx_[A-Za-z0-9_]{43,48})\\b", 3.5, TH("PosthogApp")),
    TOK("pubnub-publish-key", SEV_MEDIUM, "PubNub publish key", "PubNub", "pub-c-",
        "\\b(pub-c-[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12})\\b", 3.0,
        TH("PubNubPublishKey")),
    TOK("pubnub-subscribe-key", SEV_LOW, "PubNub subscribe key", "PubNub", "sub-c-",
        "\\b(sub-c-[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12})\\b", 3.0,
        TH("PubNubSubscriptionKey")),
    TOK("rootly-api-key", SEV_HIGH, "Rootly API key", "Rootly", "rootly_",
        "\\b(rootly_[a-f0-9]{64})\\b", 3.0, TH("Rootly")),
    TOK("saladcloud-api-key", SEV_HIGH, "SaladCloud API key", "SaladCloud", "salad_cloud_",
        "\\b(salad_cloud_[" B62 "]{1,7}_[" B62 "]{7,235})\\b", 3.5, TH("SaladCloudApiKey")),
    CTX("salesforce-access-token", SEV_HIGH, "Salesforce access token", "Salesforce",
        "salesforce,sfdc", "salesforce|sfdc", "00[" B62 "]{13}![A-Za-z0-9_.]{96}", 3.5,
        TH("Salesforce")),
    TOK("salesforce-refresh-token", SEV_HIGH, "Salesforce refresh token", "Salesforce", "5aep861",
        "\\b(5AEP861[A-Za-z0-9._=]{80,300})" NX("A-Za-z0-9._="), 3.5,
        TH("SalesforceRefreshToken")),
    TOK("salesforce-consumer-key", SEV_LOW, "Salesforce connected app consumer key", "Salesforce",
        "3mvg9", "\\b(3MVG9[0-9a-zA-Z._+/=]{80,251})" NX("0-9a-zA-Z._+/="), 3.5,
        TH("SalesforceOauth2")),
    TOK("sonarcloud-token", SEV_HIGH, "SonarQube Cloud token", "Sonar", "sqco_",
        "\\b(sqco_[" B62 "]{59})\\b", 3.5, TH("SonarCloud")),
    TOK("sourcegraph-cody-token", SEV_HIGH, "Sourcegraph Cody gateway key", "Sourcegraph", "slk_",
        "\\b(slk_[a-f0-9]{64})\\b", 3.0, TH("SourcegraphCody")),
    TOK("trufflehog-enterprise-secret", SEV_HIGH, "TruffleHog Enterprise secret", "TruffleHog",
        "thog-secret-", "\\b(thog-secret-[0-9a-f]{32})\\b", 3.0, TH("TrufflehogEnterprise")),
    TOK("ubidots-token", SEV_HIGH, "Ubidots token", "Ubidots", "bbff-",
        "\\b(BBFF-[" B62 "]{30})\\b", 3.5, TH("Ubidots")),
    TOKW("voiceflow-api-key", SEV_HIGH, "Voiceflow API key", "Voiceflow", "vf.",
        "\\b(VF\\.(?:(?:DM|WS)\\.)?[a-fA-F0-9]{24}\\.[" B62 "]{16})\\b", 3.5, VAL_NONE,
        TH("Voiceflow")),
    TOKW("zoho-crm-token", SEV_HIGH, "Zoho CRM OAuth token", "Zoho", "1000.",
        "\\b(1000\\.[a-f0-9]{32}\\.[a-f0-9]{32})\\b", 3.0, VAL_NONE, TH("ZohoCRM")),
    TOK("mailgun-public-key", SEV_LOW, "Mailgun public validation key", "Mailgun", "pubkey-",
        "\\b(pubkey-[a-f0-9]{32})\\b", 3.0, GL("mailgun-pub-key")),
    CTX("facebook-app-access-token", SEV_HIGH, "Facebook / Meta app access token", "Meta",
        "facebook,fb_,fb-", "facebook|\\bfb[_-]", "[0-9]{15,16}(?:\\||%7C|%)[0-9a-z_-]{27,40}", 3.0,
        GL("facebook-access-token")),
    ROW("freemius-secret-key", SEV_HIGH, "Freemius secret key", "Freemius", "secret_key",
        "(?i)[\"']secret_key[\"']\\s*=>\\s*[\"'](sk_[^\\s\"']{29})[\"']", NULL, 1, 0, 3.0,
        VAL_NONE, DR_CONTEXT, 0.85, GL("freemius-secret-key")),
    ROW("nuget-config-password", SEV_HIGH, "Password in a NuGet.config", "NuGet", "<add key=",
        "(?i)<add key=\"(?:ClearText)?Password\"\\s*value=\"([^\"]{8,})\"\\s*/>", NULL, 1, 0, 1.0,
        VAL_URL_PASSWORD, DR_CONTEXT, 0.85, GL("nuget-config-password")),
    CTX("cisco-meraki-api-key", SEV_HIGH, "Cisco Meraki API key", "Cisco", "meraki",
        "(?-i:MERAKI|[Mm]eraki)", "[0-9a-f]{40}", 3.0, GL("cisco-meraki-api-key")),
    CTX("confluent-access-token", SEV_MEDIUM, "Confluent Cloud API key", "Confluent",
        "confluent", "confluent", "[a-z0-9]{16}", 3.0, GL("confluent-access-token")),
    CTX("etsy-access-token", SEV_HIGH, "Etsy API key", "Etsy", "etsy", "(?-i:ETSY|[Ee]tsy)",
        "[a-z0-9]{24}", 3.0, GL("etsy-access-token")),
    CTX("flickr-access-token", SEV_MEDIUM, "Flickr API key", "Flickr", "flickr", "flickr",
        "[a-z0-9]{32}", 3.0, GL("flickr-access-token")),
    CTX("freshbooks-access-token", SEV_HIGH, "FreshBooks access token", "FreshBooks",
        "freshbooks", "freshbooks", "[a-z0-9]{64}", 3.0, GL("freshbooks-access-token")),
    CTXID("linkedin-client-id", "LinkedIn client id", "LinkedIn", "linkedin,linked_in,linked-in",
          "linked[_-]?in", "[a-z0-9]{14}", 3.0, GL("linkedin-client-id")),
    CTX("looker-client-secret", SEV_HIGH, "Looker client secret", "Looker", "looker", "looker",
        "[a-z0-9]{24}", 3.0, GL("looker-client-secret")),
    CTXID("looker-client-id", "Looker client id", "Looker", "looker", "looker", "[a-z0-9]{20}",
          3.0, GL("looker-client-id")),
    CTX("privateai-api-token", SEV_HIGH, "Private AI API key", "Private AI",
        "privateai,private_ai,private-ai", "private[_-]?ai", "[a-z0-9]{32}", 3.0,
        GL("privateai-api-token")),
    CTX("sumologic-access-token", SEV_HIGH, "Sumo Logic access key", "Sumo Logic", "sumo",
        "(?-i:SUMO|[Ss]umo)", "[a-z0-9]{64}", 3.0, GL("sumologic-access-token")),
    ROW("sumologic-access-id", SEV_LOW, "Sumo Logic access id", "Sumo Logic", "sumo",
        ASSIGN("(?-i:SUMO|[Ss]umo)") "(su[a-zA-Z0-9]{12})" AEND, NULL, 1, 0, 3.0, VAL_NOT_WORD,
        DR_CONTEXT, 0.5, GL("sumologic-access-id")),
    CTXID("bitbucket-client-id", "Bitbucket OAuth client id", "Bitbucket", "bitbucket",
          "bitbucket", "[a-z0-9]{32}", 3.0, GL("bitbucket-client-id")),

    /* A Kubernetes Secret manifest: values under data: are base64 of the secret. */
    ROW("kubernetes-secret-yaml", SEV_HIGH, "Secret value in a Kubernetes Secret manifest",
        "Kubernetes", "kind: secret,kind: \"secret\",kind: 'secret'",
        "(?i)\\bkind:[ \\t]*[\"']?secret[\"']?[ \\t]*\\r?\\n(?:[^\\n]{0,200}\\n){0,30}?"
        "(?:data|stringData):[ \\t]*\\r?\\n(?:[ \\t]+[\\w.-]+:[^\\n]*\\n){0,20}?[ \\t]+[\\w.-]+:[ \\t]*"
        "[\"']?([A-Za-z0-9+/]{8,}={0,3})[\"']?[ \\t]*(?:\\r?\\n|$)",
        NULL, 1, 0, 3.0, VAL_NOT_WORD, DR_CONTEXT | DR_KEYBLOCK, 0.8,
        GL("kubernetes-secret-yaml")),

    /* ---- Credentials in URLs, connection strings, headers ---- */
    ROW("database-connection-string", SEV_CRITICAL, "Password in a database connection URL",
        "database", "://",
        "(?i)\\b(?:postgres(?:ql)?|mysql|mysqlx|mariadb|mongodb(?:\\+srv)?|redis|rediss|amqps?|"
        "mssql|sqlserver|oracle|cockroachdb|clickhouse|couchdb|neo4j|cassandra)(?:\\+[a-z0-9]+)?"
        "://[^\\s:/?#@\"'<>]{0,64}:([^\\s/?#@\"'<>]{1,128})@[A-Za-z0-9._\\[\\]-]+",
        URLCRED_PRE, 1, 0, 0, VAL_URL_PASSWORD, 0, 0.85,
        "secretlint:@secretlint/secretlint-rule-database-connection-string"),
    ROW("url-credentials", SEV_HIGH, "Password in a URL (user:password@host)", "URL", "://",
        "(?i)\\b[a-z][a-z0-9+.-]{1,30}"
        "://[^\\s:/?#@\"'<>]{1,64}:([^\\s/?#@\"'<>]{1,128})@[A-Za-z0-9._\\[\\]-]+",
        URLCRED_PRE, 1, 0, 0, VAL_URL_PASSWORD, DR_GENERIC, 0.8,
        "secretlint:@secretlint/secretlint-rule-basicauth,detect-secrets:BasicAuthDetector"),
    ROW("jdbc-password", SEV_CRITICAL, "Password in a JDBC URL", "database", "jdbc:",
        "(?i)\\bjdbc:[a-z0-9]+:[^\\s\"'<>]{0,200}?[;?&]password=([^;&\\s\"'<>]{1,128})", NULL, 1,
        0, 0, VAL_URL_PASSWORD, 0, 0.85, NULL),
    ROW("odbc-connection-password", SEV_CRITICAL, "Password in an ODBC / ADO.NET connection string",
        "database", "password,pwd",
        "(?i)\\b(?:server|data source|host|address)\\s*=[^;\\r\\n]{1,100};[^\\r\\n]{0,300}?"
        "\\b(?:password|pwd)\\s*=\\s*([^;\"'\\r\\n]{1,128})",
        NULL, 1, 0, 0, VAL_URL_PASSWORD, 0, 0.8, NULL),
    ROW("curl-basic-auth", SEV_HIGH, "Credentials in a curl command line", "curl", "curl",
        "\\bcurl\\b[^\\r\\n]{0,200}?\\s(?:-u|--user)[ \\t=]*[\"']?[^\\s:\"']{1,64}:"
        "([^\\s\"']{1,128})",
        NULL, 1, 0, 0, VAL_URL_PASSWORD, 0, 0.75, GL("curl-auth-user")),
    ROW("authorization-bearer", SEV_HIGH, "Bearer token in an Authorization header", "HTTP",
        "authorization", "(?i)\\bauthorization\\\\?[\"']?(?:\\s*[:=]|[ \\t])\\s*\\\\?[\"']?(?:bearer|token)\\s+"
        "([A-Za-z0-9._~+/-]{20,2000}=*)",
        NULL, 1, 0, 3.0, VAL_NOT_WORD, DR_GENERIC, 0.75, GL("curl-auth-header")),
    ROW("authorization-basic", SEV_HIGH, "Basic credentials in an Authorization header", "HTTP",
        "authorization", "(?i)\\bauthorization\\\\?[\"']?(?:\\s*[:=]|[ \\t])\\s*\\\\?[\"']?basic\\s+"
        "([A-Za-z0-9+/]{8,600}={0,2})",
        NULL, 1, 0, 2.5, VAL_BASE64_CREDS, DR_WHOLE, 0.8, GL("curl-auth-header")),
    ROW("netrc-password", SEV_HIGH, "Password in a .netrc file", "netrc", "machine",
        "(?i)\\bmachine[ \\t]+[^\\s]{1,200}[\\s]+login[ \\t]+[^\\s]{1,200}[\\s]+password[ \\t]+"
        "([^\\s]{1,200})",
        NULL, 1, 0, 0, VAL_URL_PASSWORD, DR_WHOLE, 0.85, NULL),

    ROW("cli-password", SEV_HIGH, "Password on a database or SSH command line", "command line",
        "mysql,mariadb,sqlcmd,osql,bcp,sshpass,redis-cli",
        "\\b(?:(?:mysql(?:dump|admin|import|slap|check)?|mariadb(?:-dump|-admin)?)\\b[^\\r\\n]{0,200}?"
        "[ \\t]-p|(?:sqlcmd|osql|bcp)\\b[^\\r\\n]{0,200}?[ \\t]-P[ \\t]*|sshpass[ \\t]+"
        "(?:-[a-oq-zA-Z][ \\t]+)*-p[ \\t]*|redis-cli\\b[^\\r\\n]{0,200}?[ \\t]-a[ \\t]+)[\"']?"
        "([^\\s\"'`$<>|&;-][^\\s\"'`;|&]{2,127})",
        NULL, 1, 0, 0, VAL_URL_PASSWORD, DR_GENERIC, 0.75, NULL),

    /* ---- Password hashes ---- */
    HASH("password-hash-bcrypt", SEV_LOW, "bcrypt password hash", "$2",
        "(\\$2[aby]?\\$[0-9]{2}\\$[./A-Za-z0-9]{53})", NULL),
    HASH("password-hash-sha512crypt", SEV_MEDIUM, "sha512crypt password hash (/etc/shadow)",
        "$6$", "(\\$6\\$(?:rounds=[0-9]{4,9}\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{86})", NULL),
    HASH("password-hash-sha256crypt", SEV_MEDIUM, "sha256crypt password hash",
        "$5$", "(\\$5\\$(?:rounds=[0-9]{4,9}\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{43})", NULL),
    HASH("password-hash-md5crypt", SEV_MEDIUM, "md5crypt / apr1 password hash",
        "$1$,$apr1$", "(\\$(?:1|apr1)\\$[./A-Za-z0-9]{1,8}\\$[./A-Za-z0-9]{22})", NULL),
    HASH("password-hash-yescrypt", SEV_MEDIUM, "yescrypt password hash", "$y$",
        "(\\$y\\$[./A-Za-z0-9]{1,40}\\$[./A-Za-z0-9]{1,86}\\$[./A-Za-z0-9]{43})", NULL),
    HASH("password-hash-argon2", SEV_LOW, "Argon2 password hash", "$argon2",
        "(\\$argon2(?:id|i|d)\\$v=[0-9]{2}\\$m=[0-9]{1,8},t=[0-9]{1,4},p=[0-9]{1,3}\\$"
        "[A-Za-z0-9+/]{11,64}\\$[A-Za-z0-9+/]{16,128})", NULL),

    /* ---- Generic ---- */
    GROW("generic-password", SEV_HIGH, "Hardcoded password", "pass,pwd,contrase",
         GKW_PASSWORD, "[^\\s]", "[^\\s=:-]", "[^\"'`\\r\\n\\\\]{1,200}", "[^\\s\"'`;,#)(}{\\]\\[\\\\]{1,200}",
         "[^\\s\"'`<>|&;=:\\\\-][^\\s\"'`<>|&;\\\\]{0,199}", 0, VAL_GENERIC_PASSWORD, 0.6,
         "gitleaks:generic-api-key,detect-secrets:KeywordDetector"),
    GROW("generic-secret", SEV_MEDIUM, "Hardcoded secret, token or API key",
         "secret,token,key,credential,auth", GKW_SECRET,
         "(?:\\\\?[\"'`])?(?:[A-Za-z0-9+/=_.~!@#$%^&*-]{8}|[|>])",
         "[\"']?[A-Za-z0-9+/_.~!@#$%^&*][A-Za-z0-9+/=_.~!@#$%^&*-]{7}", GV_SECRET, GV_SECRET,
         "[A-Za-z0-9+/_.~!@#$%^&*][A-Za-z0-9+/=_.~!@#$%^&*-]{7,499}", 3.0, VAL_GENERIC_SECRET, 0.5,
         "gitleaks:generic-api-key,detect-secrets:KeywordDetector"),
};

const size_t detect_rules_count = sizeof(detect_rules) / sizeof(detect_rules[0]);
