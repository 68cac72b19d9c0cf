/* k8s_object: one Kubernetes object: its kind picks where the pod template is (Pod, Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate), a List
 * is walked item by item, and every object goes through the object rules (Secret, ConfigMap).
 * Documents without a `kind` (Helm values, other YAML) are not Kubernetes objects: skipped. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "k8s.h"

yaml_node_t *
k8s_get(struct compose_file *cf, yaml_node_t *map, const char *key, yaml_node_t **key_out,
        int *rc)
{
    return cy_map_get(cf, map, key, key_out, rc);
}

int
k8s_bool(const yaml_node_t *n)
{
    /* Kubernetes reads YAML 1.1 (sigs.k8s.io/yaml): yes/no and on/off are booleans too. */
    static const char *const yes[] = {"true", "yes", "on", "y"};
    static const char *const no[] = {"false", "no", "off", "n"};
    const char *t = cy_scalar(n);

    if (t == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(t, yes[i]) == 0)
            return 1;
        if (strcasecmp(t, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Where each kind keeps its pod template, as a path of keys from the object. */
static const struct {
    const char *kind;
    const char *path[6]; /* ends with "spec"; the "metadata" beside it is the template's */
} workloads[] = {
    {"Pod", {"spec", NULL}},
    {"PodTemplate", {"template", "spec", NULL}},
    {"Deployment", {"spec", "template", "spec", NULL}},
    {"StatefulSet", {"spec", "template", "spec", NULL}},
    {"DaemonSet", {"spec", "template", "spec", NULL}},
    {"ReplicaSet", {"spec", "template", "spec", NULL}},
    {"ReplicationController", {"spec", "template", "spec", NULL}},
    {"Job", {"spec", "template", "spec", NULL}},
    {"CronJob", {"spec", "jobTemplate", "spec", "template", "spec", NULL}},
};

static int
scan_workload(struct k8s_obj *obj, const char *const *path)
{
    yaml_node_t *n = obj->node, *parent = NULL, *key = NULL, *meta;
    char prefix[256];
    size_t used;
    int rc = 0;

    /* The field path of the pod spec: "spec.template.spec", "items[2].spec" ... */
    used = (size_t)snprintf(prefix, sizeof(prefix), "%s", obj->field);
    for (size_t i = 0; path[i] != NULL && used < sizeof(prefix); i++)
        used += (size_t)snprintf(prefix + used, sizeof(prefix) - used, "%s%s", i > 0 ? "." : "",
                                 path[i]);
    if (used >= sizeof(prefix))
        return err_set(ERR_LIMIT, "%s:%d:%d: field path too long", obj->cf->path,
                       cy_line(obj->node), cy_col(obj->node));
    for (size_t i = 0; path[i] != NULL; i++) {
        parent = n;
        n = k8s_get(obj->cf, n, path[i], &key, &rc);
        if (rc < 0)
            return rc;
        if (n == NULL) {
            /* A patch (kustomize) or an empty template: nothing runs from it. */
            diag_warn("%s:%d:%d: %s/%s has no pod template (%s); not checked", obj->cf->path,
                      cy_line(obj->node), cy_col(obj->node), obj->kind, obj->name, prefix);
            return 0;
        }
    }
    meta = k8s_get(obj->cf, parent, "metadata", NULL, &rc);
    if (rc < 0)
        return rc;
    return k8s_pod_scan(obj, n, key, meta, prefix);
}

static int scan_object(struct k8s_obj *obj, int depth);

static int
scan_list(struct k8s_obj *obj, int depth)
{
    yaml_node_t *items;
    size_t i = 0;
    int rc;

    items = k8s_get(obj->cf, obj->node, "items", NULL, &rc);
    if (rc < 0 || items == NULL)
        return rc;
    if (items->type != YAML_SEQUENCE_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: %sitems of a List must be a list", obj->cf->path,
                       cy_line(items), cy_col(items), obj->field);
    if (depth >= K8S_MAX_LIST)
        return err_set(ERR_LIMIT, "%s:%d:%d: Lists nested deeper than %d levels", obj->cf->path,
                       cy_line(items), cy_col(items), K8S_MAX_LIST);
    for (yaml_node_item_t *it = items->data.sequence.items.start;
         it < items->data.sequence.items.top && rc == 0; it++, i++) {
        struct k8s_obj item = *obj;
        char field[256];
        (void)str_format(field, sizeof(field), "%sitems[%zu].", obj->field, i);
        item.node = cy_node(obj->cf, *it);
        item.field = field;
        rc = scan_object(&item, depth + 1);
    }
    return rc;
}

static int
scan_object(struct k8s_obj *obj, int depth)
{
    yaml_node_t *kind, *meta, *name;
    int rc;

    if (obj->node == NULL || obj->node->type != YAML_MAPPING_NODE)
        return 0;
    kind = k8s_get(obj->cf, obj->node, "kind", NULL, &rc);
    if (rc < 0 || (obj->kind = cy_scalar(kind)) == NULL)
        return rc;
    meta = k8s_get(obj->cf, obj->node, "metadata", NULL, &rc);
    name = rc == 0 ? k8s_get(obj->cf, meta, "name", NULL, &rc) : NULL;
    if (rc < 0)
        return rc;
    obj->name = cy_scalar(name) != NULL ? cy_scalar(name) : "?";
    if (strcmp(obj->kind, "List") == 0 || (strlen(obj->kind) > 4 &&
                                           strcmp(obj->kind + strlen(obj->kind) - 4, "List") == 0))
        return scan_list(obj, depth);
    for (size_t i = 0; i < k8s_rule_count; i++)
        if ((rc = k8s_rules[i].check(obj, &k8s_rules[i].meta)) < 0)
            return rc;
    for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
        if (strcmp(obj->kind, workloads[i].kind) == 0)
            return scan_workload(obj, workloads[i].path);
    return 0;
}

int
k8s_object_scan(struct compose_file *cf, yaml_node_t *root, struct detect_engine *det,
                const struct scanner_opts *o, struct findings *f, size_t *containers)
{
    struct k8s_obj obj;

    memset(&obj, 0, sizeof(obj));
    obj.cf = cf;
    obj.node = root;
    obj.field = "";
    obj.det = det;
    obj.o = o;
    obj.f = f;
    obj.containers = containers;
    return scan_object(&obj, 0);
}
