/* k8s: Kubernetes manifests (`scanner --k8s PATH`): YAML files, multi-document, through the
 * Compose module's bounded libyaml loader; every container of every pod template turned into a
 * runtime description for the runtime rules; Secret and ConfigMap objects checked for committed
 * values. The header of scanner/k8s/. */
#ifndef SCANNER_K8S_H
#define SCANNER_K8S_H

#include <stddef.h>

#include "common.h"
#include "compose.h"
#include "runtime.h"

struct scanner_opts;
struct detect_engine;

#define K8S_MAX_DIR_DEPTH 32   /* directory levels walked below PATH */
#define K8S_MAX_FILES     100000
#define K8S_MAX_LIST      4    /* a List inside a List inside ... */
/* Containers described per --k8s target: each can add a few dozen findings, and findings are
 * kept in memory until the report; a cluster dump of this size is split by the user. */
#define K8S_MAX_CONTAINERS 20000

/* One object (a document, or an item of a List) of a manifest file. */
struct k8s_obj {
    struct compose_file *cf;  /* the loaded document; cf->path names the file */
    yaml_node_t *node;        /* the object's mapping */
    const char *kind;         /* "Deployment", ... */
    const char *name;         /* metadata.name, or "?" */
    const char *field;        /* where the object is in its document: "" or "items[3]." */
    struct detect_engine *det;
    const struct scanner_opts *o;
    struct findings *f;
    size_t *containers;       /* described so far in this scan (K8S_MAX_CONTAINERS) */
};

/* ---- scan.c ---------------------------------------------------------------------------- */
/* Scans manifest text held in memory (the fuzz target's entry); `cf` has path, max_file and
 * budget set. */
int k8s_scan_data(struct compose_file *cf, const char *data, size_t len,
                  struct detect_engine *det, const struct scanner_opts *o, struct findings *f,
                  size_t *containers);

/* ---- object.c -------------------------------------------------------------------------- */
/* One document's root node: dispatches on kind (List items too). */
int k8s_object_scan(struct compose_file *cf, yaml_node_t *root, struct detect_engine *det,
                    const struct scanner_opts *o, struct findings *f, size_t *containers);

/* ---- pod.c ----------------------------------------------------------------------------- */
/* The pod template `spec` (with its `metadata`, may be NULL) of `obj`, found at `prefix`
 * ("spec.template.spec"): each container described and checked. */
int k8s_pod_scan(struct k8s_obj *obj, yaml_node_t *spec, yaml_node_t *spec_key,
                 yaml_node_t *meta, const char *prefix);

/* ---- rules.c: objects that are not containers ------------------------------------------- */
struct k8s_rule {
    struct rule_meta meta;
    int (*check)(struct k8s_obj *obj, const struct rule_meta *rule);
};
extern const struct k8s_rule k8s_rules[];
extern const size_t k8s_rule_count;
int k8s_check_secret(struct k8s_obj *obj, const struct rule_meta *r);
int k8s_check_configmap(struct k8s_obj *obj, const struct rule_meta *r);

/* ---- yaml helpers (object.c) ----------------------------------------------------------- */
/* `key` of mapping `map` (NULL when absent); `key_out` may be NULL. ERR_LIMIT via *rc. */
yaml_node_t *k8s_get(struct compose_file *cf, yaml_node_t *map, const char *key,
                     yaml_node_t **key_out, int *rc);
/* YAML true / false as Kubernetes reads them: 1, 0, or -1 when not a boolean. */
int k8s_bool(const yaml_node_t *n);

#endif
