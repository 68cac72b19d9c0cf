/* k8s_rules: rules over Kubernetes objects that are not containers: Secret objects whose values
 * are committed in the manifest, and ConfigMaps that hold secrets. Values go through the
 * detection engine (base64 `data` decoded first) and are never shown, only redacted. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "k8s.h"
#include "scanner.h"

const struct k8s_rule k8s_rules[] = {
    {{"K8S001", SEV_HIGH, "secret", "Secret values committed in a manifest",
      "Keep Secret values out of the repository: create the Secret from a vault at deploy time, "
      "or commit a SealedSecret / an ExternalSecret reference; rotate the committed values.",
      NULL},
     k8s_check_secret},
    {{"K8S002", SEV_HIGH, "secret", "Secret in a ConfigMap",
      "Move the value to a Secret (mounted as a file) and out of the repository; rotate it.",
      "KSV109,KSV01010"},
     k8s_check_configmap},
};
const size_t k8s_rule_count = sizeof(k8s_rules) / sizeof(k8s_rules[0]);

struct first_hit {
    int hits;
    struct detect_hit hit; /* the first one, without its secret pointer */
};

static int
keep_first(const struct detect_hit *hit, void *user)
{
    struct first_hit *fh = user;

    if (fh->hits++ == 0) {
        fh->hit = *hit;
        fh->hit.secret = NULL;
    }
    return 0;
}

/* Public parts of a Secret: certificates (without a private key beside them), and the keys the
 * standard Secret types use for names rather than credentials. */
static int
public_value(const char *key, const char *value, size_t len)
{
    static const char *const names[] = {"username", "user", "namespace", "ca.crt", "tls.crt"};
    static const char cert[] = "-----BEGIN CERTIFICATE-----";
    static const char priv[] = "PRIVATE KEY-----";

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(key, names[i]) == 0)
            return 1;
    return memmem(value, len, cert, sizeof(cert) - 1) != NULL &&
           memmem(value, len, priv, sizeof(priv) - 1) == NULL;
}

/* One value: reported when the detector recognises it, or (`always`) whenever it is a literal. */
static int
report_value(struct k8s_obj *obj, const struct rule_meta *r, const char *section,
             const yaml_node_t *key, const char *value, size_t len, int always, const char *how)
{
    struct first_hit fh;
    struct location loc;
    struct finding_extra extra;
    char redacted[64], fp[65];
    int rc, named, show = obj->o != NULL && obj->o->show_secrets;

    memset(&fh, 0, sizeof(fh));
    if (len == 0 || (always && public_value(cy_scalar(key), value, len)))
        return 0;
    if (obj->det != NULL && (rc = detect_scan(obj->det, value, len, keep_first, &fh)) < 0)
        return rc;
    /* A recognised secret counts even inside a template-looking value (JSON has braces). */
    if (fh.hits == 0 && (!always || detect_value_is_placeholder(value, len)))
        return 0;
    memset(&loc, 0, sizeof(loc));
    loc.layer_index = -1;
    loc.path = obj->cf->path;
    loc.line = cy_line(key);
    loc.column = cy_col(key);
    memset(&extra, 0, sizeof(extra));
    extra.target = obj->cf->path;
    if (fh.hits > 0) {
        extra.secret_redacted = fh.hit.redacted;
        extra.secret_fingerprint = fh.hit.fingerprint;
        extra.override_severity = 1;
        extra.severity = fh.hit.is_example ? SEV_INFO : fh.hit.is_generic ? r->severity
                                                                           : SEV_CRITICAL;
    } else {
        detect_redact(value, len, redacted, sizeof(redacted));
        detect_fingerprint(value, len, fp);
        extra.secret_redacted = redacted;
        extra.secret_fingerprint = fp;
    }
    named = fh.hits > 0 && fh.hit.rule != NULL;
    return findings_add(obj->f, r, &loc, &extra, "%s/%s: %s%s.%s %s%s%s%s%s%s%s%.*s", obj->kind,
                        obj->name, obj->field, section, cy_scalar(key), how,
                        named ? ": " : "", named ? fh.hit.rule->title : "", named ? " [" : "",
                        named ? fh.hit.rule->id : "", named ? "]" : "", show ? ": " : "",
                        show ? (int)len : 0, show ? value : "");
}

/* Calls report_value for every key of mapping `section` of the object. */
static int
each_value(struct k8s_obj *obj, const struct rule_meta *r, const char *section, int base64,
           int always)
{
    yaml_node_t *map;
    struct cy_pair *pairs = NULL;
    size_t n = 0;
    int rc;

    map = k8s_get(obj->cf, obj->node, section, NULL, &rc);
    if (rc < 0 || map == NULL || map->type != YAML_MAPPING_NODE)
        return rc;
    if ((rc = cy_map_pairs(obj->cf, map, &pairs, &n)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *v = cy_scalar(pairs[i].value);
        size_t vlen, dlen = 0;
        unsigned char *dec;

        if (cy_scalar(pairs[i].key) == NULL || v == NULL)
            continue;
        vlen = pairs[i].value->data.scalar.length;
        if (!base64) {
            rc = report_value(obj, r, section, pairs[i].key, v, vlen, always,
                              always ? "holds a value committed in the manifest"
                                     : "holds a secret");
            continue;
        }
        /* Decoded only to be classified; wiped at once. */
        dec = malloc(vlen + 1);
        if (dec == NULL) {
            rc = err_set(ERR_NOMEM, "out of memory");
            break;
        }
        if (sodium_base642bin(dec, vlen + 1, v, vlen, " \t\r\n", &dlen, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
            rc = report_value(obj, r, section, pairs[i].key, v, vlen, always,
                              "holds a value committed in the manifest (not valid base64)");
        else
            rc = report_value(obj, r, section, pairs[i].key, (const char *)dec, dlen, always,
                              "holds a value committed in the manifest (base64-decoded)");
        sodium_memzero(dec, vlen + 1);
        free(dec);
    }
    free(pairs);
    return rc;
}

int
k8s_check_secret(struct k8s_obj *obj, const struct rule_meta *r)
{
    int rc;

    if (strcmp(obj->kind, "Secret") != 0)
        return 0;
    if ((rc = each_value(obj, r, "data", 1, 1)) < 0)
        return rc;
    return each_value(obj, r, "stringData", 0, 1);
}

int
k8s_check_configmap(struct k8s_obj *obj, const struct rule_meta *r)
{
    yaml_node_t *map;
    struct cy_pair *pairs = NULL;
    size_t n = 0;
    int rc;

    if (strcmp(obj->kind, "ConfigMap") != 0)
        return 0;
    /* Values the detector recognises, anywhere in a (file-sized) value ... */
    if ((rc = each_value(obj, r, "data", 0, 0)) < 0)
        return rc;
    /* ... and literal values of secret-named keys the detector did not recognise. */
    map = k8s_get(obj->cf, obj->node, "data", NULL, &rc);
    if (rc < 0 || map == NULL || map->type != YAML_MAPPING_NODE)
        return rc;
    if ((rc = cy_map_pairs(obj->cf, map, &pairs, &n)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *k = cy_scalar(pairs[i].key), *v = cy_scalar(pairs[i].value);
        struct first_hit fh;
        size_t vlen;

        if (k == NULL || v == NULL || !detect_name_is_secret(k, strlen(k)))
            continue;
        vlen = pairs[i].value->data.scalar.length;
        memset(&fh, 0, sizeof(fh));
        if (obj->det != NULL && (rc = detect_scan(obj->det, v, vlen, keep_first, &fh)) < 0)
            break;
        if (fh.hits == 0)
            rc = report_value(obj, r, "data", pairs[i].key, v, vlen, 1,
                              "is a secret-named key with a literal value");
    }
    free(pairs);
    return rc;
}
