/* rules_dump: prints every rule table of both programs as JSON lines, one rule a line, for
 * docs/gen/rules_md.py (`make docs`) and the test that docs/rules.md is not stale. It links
 * libsuite.a and reads the tables themselves, so a rule cannot exist undocumented. */
#include <stdio.h>

#include "detect_internal.h"
#include "dockerfile.h"
#include "envcheck_internal.h"
#include "image.h"
#include "k8s.h"
#include "packages.h"
#include "runtime.h"
#include "vault.h"

static void
put_str(const char *s)
{
    if (s == NULL) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* The columns every family has, then `extra` (already JSON, starting with ',' or empty). */
static void
put_rule(const char *family, const struct rule_meta *m, const char *name)
{
    printf("{\"family\":");
    put_str(family);
    printf(",\"id\":");
    put_str(m->id);
    printf(",\"sev\":%d,\"category\":", (int)m->severity);
    put_str(m->category);
    printf(",\"title\":");
    put_str(m->title);
    printf(",\"fix\":");
    put_str(m->remediation);
    printf(",\"aliases\":");
    put_str(m->aliases);
    printf(",\"name\":");
    put_str(name);
}

int
main(void)
{
    const struct rule_meta *m;

    for (size_t i = 0; i < detect_rules_count; i++) {
        const struct detect_rule *r = &detect_rules[i];
        put_rule("secret", &r->meta, NULL);
        printf(",\"provider\":");
        put_str(r->provider);
        printf(",\"keywords\":");
        put_str(r->keywords);
        printf(",\"flags\":%u,\"val\":%d,\"ent\":%g,\"conf\":%g}\n", r->flags, (int)r->validator,
               r->min_entropy, r->confidence);
    }
    for (size_t i = 0; i < R_COUNT; i++) {
        put_rule("env", &envcheck_rules[i], envcheck_rule_names[i]);
        puts("}");
    }
    for (size_t i = 0; (m = df_rule_at(i)) != NULL; i++) {
        put_rule("dockerfile", m, NULL);
        puts("}");
    }
    for (size_t i = 0; (m = img_rule_at(i)) != NULL; i++) {
        put_rule("image", m, NULL);
        puts("}");
    }
    for (size_t i = 0; i < runtime_rule_count; i++) {
        put_rule("runtime", &runtime_rules[i].meta, NULL);
        puts("}");
    }
    for (size_t i = 0; i < k8s_rule_count; i++) {
        put_rule("k8s", &k8s_rules[i].meta, NULL);
        puts("}");
    }
    for (size_t i = 0; (m = pkg_rule_at(i)) != NULL; i++) {
        put_rule("vuln", m, NULL);
        puts("}");
    }
    for (size_t i = 0; (m = vault_check_rule_at(i)) != NULL; i++) {
        put_rule("vault", m, NULL);
        puts("}");
    }
    return ferror(stdout) ? 1 : 0;
}
