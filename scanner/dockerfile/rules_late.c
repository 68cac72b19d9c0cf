/* rules_late: checks of the rows added for hadolint's later rules and for debuggers: FROM
 * --platform=$TARGETPLATFORM (DF061), USER by name (DF062), COPY --from=x / / (DF063), inline
 * ignore pragmas (DF064), debugger ports (DF066), build stages that end as root (DF067). */
#include <stdio.h>
#include <string.h>

#include "dockerfile.h"

/* Stages other than the last whose own last USER is root (the final one is DF001's). */
void
df_check_stage_root(struct df_ctx *c, const struct rule_meta *r)
{
    const struct dockerfile *df = c->df;

    for (size_t s = 0; s + 1 < df->nstages; s++) {
        const struct df_instr *last = NULL;
        for (size_t i = df->stages[s].from + 1; i < df->stages[s].end; i++)
            if (df->instrs[i].kind == DF_USER)
                last = &df->instrs[i];
        if (last == NULL || last->first_arg >= last->nwords)
            continue;
        const char *u = last->words[last->first_arg].x;
        if (u[0] != '\0' && user_is_root(u))
            df_report(c, r, last, 0, 0, NULL, "stage %s ends with USER %s",
                      df->stages[s].name ? df->stages[s].name : "(unnamed)", u);
    }
}

void
df_check_platform_redundant(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        const struct df_flag *fl;
        int l, col;
        if (in->kind != DF_FROM || (fl = df_flag_get(in, "platform")) == NULL || fl->value == NULL)
            continue;
        if (strcmp(fl->value, "$TARGETPLATFORM") != 0 && strcmp(fl->value, "${TARGETPLATFORM}") != 0)
            continue;
        df_pos(c->df, in, fl->off, &l, &col);
        df_report(c, r, in, l, col, NULL, "FROM --platform=%s is the default", fl->value);
    }
}

void
df_check_user_numeric(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind != DF_USER || in->first_arg >= in->nwords)
            continue;
        const char *u = in->words[in->first_arg].text;
        size_t n = strcspn(u, ":");
        if (strspn(u, "0123456789") < n)
            df_report(c, r, in, 0, 0, NULL, "USER %.*s is a name: the host may not resolve it",
                      (int)n, u);
    }
}

void
df_check_copy_root(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        int n = df_nargs_json_or_words(in), root_src = 0;
        if (in->kind != DF_COPY || df_flag_get(in, "from") == NULL || n < 2 ||
            strcmp(df_arg_at(in, (size_t)n - 1), "/") != 0)
            continue;
        for (int a = 0; a + 1 < n; a++)
            root_src |= strcmp(df_arg_at(in, (size_t)a), "/") == 0;
        if (root_src)
            df_report(c, r, in, 0, 0, NULL, "COPY --from=%s / / copies that stage's whole "
                      "filesystem", df_flag_get(in, "from")->value ? df_flag_get(in, "from")->value : "");
    }
}

/* `# hadolint ignore=...` comments (not `global`, not the scanner's own). */
void
df_check_inline_ignore(struct df_ctx *c, const struct rule_meta *r)
{
    const struct dockerfile *df = c->df;

    for (size_t i = 0; i < df->nlines; i++) {
        const char *p = df->data + df->line_starts[i];
        const char *end = i + 1 < df->nlines ? df->data + df->line_starts[i + 1] : df->data + df->len;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= end || *p != '#')
            continue;
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p < 15 || strncmp(p, "hadolint", 8) != 0)
            continue;
        p += 8;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 7 && strncmp(p, "ignore", 6) == 0 && (p[6] == '=' || p[6] == ' '))
            df_report(c, r, NULL, (int)i + 1, 1, NULL, "inline `# hadolint ignore=` pragma");
    }
}

/* Debuggers: Node inspector, JDWP, debugpy, Delve, Chrome DevTools. */
static const struct {
    int port;
    const char *what;
} debug_ports[] = {
    {9229, "Node.js inspector"}, {5005, "Java JDWP"}, {5678, "Python debugpy"},
    {2345, "Go Delve"},          {9222, "Chrome DevTools"},
};

static const char *
debug_listen(const char *t)
{
    static const char *const opens[] = {
        "--inspect=0.0.0.0", "--inspect-brk=0.0.0.0", "--inspect=*", "--inspect-brk=*",
        "address=*:", "address=0.0.0.0:", "--listen 0.0.0.0", "--listen=0.0.0.0",
        "--remote-debugging-address=0.0.0.0", "dlv --listen=:", "--headless --listen=:", NULL,
    };

    for (size_t i = 0; opens[i] != NULL; i++)
        if (strstr(t, opens[i]) != NULL)
            return opens[i];
    return NULL;
}

void
df_check_debug_port(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind == DF_EXPOSE) {
            for (size_t w = in->first_arg; w < in->nwords; w++) {
                long lo, hi;
                int l, col;
                if (!df_expose_range(in->words[w].x, &lo, &hi) || hi - lo > 100)
                    continue; /* a wide range is not a debugger's port */
                for (size_t k = 0; k < sizeof(debug_ports) / sizeof(debug_ports[0]); k++)
                    if (debug_ports[k].port >= lo && debug_ports[k].port <= hi) {
                        df_word_pos(c, in, w, &l, &col);
                        df_report(c, r, in, l, col, NULL, "EXPOSE %s opens the %s port %d",
                                  in->words[w].x, debug_ports[k].what, debug_ports[k].port);
                        break;
                    }
            }
        } else if (in->kind == DF_CMD || in->kind == DF_ENTRYPOINT) {
            const char *how = debug_listen(in->text);
            if (how != NULL)
                df_report(c, r, in, 0, 0, NULL,
                          "%s starts a debugger listening on every interface (%s)", in->keyword,
                          how);
        }
    }
}
