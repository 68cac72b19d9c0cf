/* compose_scan: `scanner --compose FILE[:FILE...]`: loads the files (each YAML document of each
 * file is a layer, as Compose reads them) and the `.env` beside the first; describes each
 * service (following `extends:`), merges a service's layers the way Compose does, and runs the
 * runtime rules once per merged service. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "detect.h"
#include "scanner.h"

struct svc_slot {
    struct runtime_desc d;
};

struct project {
    struct svc_slot *svcs;
    size_t n, cap;
    const struct compose_vars *vars; /* the project's: the .env beside the first file */
    long max_file;
    const char *target;              /* the first file: the scanned target's name */
};

static int
set_dir(struct compose_file *cf, const char *path)
{
    char cwd[PATH_MAX], joined[PATH_MAX * 2 + 2];
    const char *slash = strrchr(path, '/');
    size_t dlen = slash != NULL ? (size_t)(slash - path) : 0;

    if (strcmp(path, "-") == 0 || path[0] != '/') {
        if (getcwd(cwd, sizeof(cwd)) == NULL)
            return err_set_errno(ERR_IO, "cannot get the current directory");
    } else {
        cwd[0] = '\0';
    }
    if (strcmp(path, "-") == 0)
        dlen = 0;
    if (str_format(joined, sizeof(joined), "%s/%.*s", cwd, (int)dlen, path) < 0 ||
        strlen(joined) >= sizeof(cf->dir))
        return err_set(ERR_LIMIT, "%s: path too long", path);
    rt_path_normalise(joined, cf->dir, sizeof(cf->dir));
    return 0;
}

static void
project_free(struct project *pj)
{
    for (size_t i = 0; i < pj->n; i++)
        runtime_desc_free(&pj->svcs[i].d);
    free(pj->svcs);
    memset(pj, 0, sizeof(*pj));
}

/* Takes `d` (emptied): merged over the service of the same name, or added. */
static int
project_add(struct project *pj, struct runtime_desc *d)
{
    int rc;

    for (size_t i = 0; i < pj->n; i++) {
        if (strcmp(pj->svcs[i].d.name, d->name) != 0)
            continue;
        rc = compose_desc_merge(&pj->svcs[i].d, d, 0);
        runtime_desc_free(d);
        return rc;
    }
    if (pj->n >= RT_MAX_ITEMS)
        return err_set(ERR_LIMIT, "more than %d services", RT_MAX_ITEMS);
    if (pj->n == pj->cap) {
        size_t cap = pj->cap ? pj->cap * 2 : 16;
        struct svc_slot *s = realloc(pj->svcs, cap * sizeof(*s));
        if (s == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        pj->svcs = s;
        pj->cap = cap;
    }
    pj->svcs[pj->n++].d = *d;
    memset(d, 0, sizeof(*d));
    return 0;
}

/* The `services:` mapping of the loaded document (NULL with rc 0 when there is none). */
static yaml_node_t *
services_of(struct compose_file *cf, int *rc)
{
    yaml_node_t *root = yaml_document_get_root_node(&cf->doc), *services, *k;

    *rc = 0;
    if (root == NULL)
        return NULL;
    if (root->type != YAML_MAPPING_NODE) {
        *rc = err_set(ERR_PARSE, "%s:%d:%d: a Compose file must be a mapping", cf->path,
                      cy_line(root), cy_col(root));
        return NULL;
    }
    services = cy_map_get(cf, root, "services", &k, rc);
    if (*rc == 0 && services != NULL && services->type != YAML_MAPPING_NODE)
        *rc = err_set(ERR_PARSE, "%s:%d:%d: `services:` must be a mapping", cf->path,
                      cy_line(services), cy_col(services));
    return *rc < 0 ? NULL : services;
}

static int describe(struct project *pj, struct compose_file *cf, const char *name,
                    yaml_node_t *key, yaml_node_t *svc, struct runtime_desc *d, int depth);

/* `extends: {service: NAME, file: FILE}` with `file`: the base service from another file
 * (relative paths in it resolve against its own directory). */
static int
describe_from_file(struct project *pj, struct compose_file *cf, const char *file,
                   const char *base, yaml_node_t *at, struct runtime_desc *d, int depth)
{
    struct compose_file other;
    struct buf data = {NULL, 0, 0};
    char joined[PATH_MAX * 2], shown[PATH_MAX * 2];
    const char *slash = strrchr(cf->path, '/');
    int rc, more, found = 0;

    if (file[0] == '/') {
        (void)str_format(joined, sizeof(joined), "%s", file);
        (void)str_format(shown, sizeof(shown), "%s", file);
    } else {
        (void)str_format(joined, sizeof(joined), "%s/%s", cf->dir, file);
        (void)str_format(shown, sizeof(shown), "%.*s%s%s", slash ? (int)(slash - cf->path) : 0,
                         cf->path, slash ? "/" : "", file);
    }
    memset(&other, 0, sizeof(other));
    other.path = rt_strdup(d, shown, (size_t)-1);
    if (other.path == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    other.max_file = cf->max_file;
    other.budget = COMPOSE_WORK_BUDGET;
    other.vars = *pj->vars; /* shared, not owned: never freed through `other` */
    if ((rc = set_dir(&other, joined)) < 0)
        return rc;
    /* A path from the (untrusted) file: never a final symlink. */
    rc = file_read_all(joined, (size_t)cf->max_file, FILE_READ_NOFOLLOW, &data);
    if (rc == ERR_NOTFOUND)
        rc = err_set(ERR_NOTFOUND, "%s:%d:%d: extends: file %s not found", cf->path, cy_line(at),
                     cy_col(at), file);
    if (rc == 0 && memchr(data.data ? data.data : "", '\0', data.len) != NULL)
        rc = err_set(ERR_PARSE, "%s: binary data (a NUL byte), not a Compose file", other.path);
    if (rc == 0)
        rc = compose_yaml_open(&other, data.data ? data.data : "", data.len);
    while (rc == 0 && !found && (more = compose_yaml_next(&other)) != 0) {
        yaml_node_t *services, *k, *svc;
        if (more < 0) {
            rc = more;
            break;
        }
        services = services_of(&other, &rc);
        svc = rc == 0 ? cy_map_get(&other, services, base, &k, &rc) : NULL;
        if (rc == 0 && svc != NULL) {
            found = 1;
            rc = describe(pj, &other, base, k, svc, d, depth + 1);
        }
    }
    if (rc == 0 && !found)
        rc = err_set(ERR_NOTFOUND, "%s:%d:%d: extends: no service %s in %s", cf->path,
                     cy_line(at), cy_col(at), base, file);
    compose_yaml_close(&other);
    buf_free(&data);
    return rc;
}

/* The description of one service: its `extends:` base first (bounded chain), then its own
 * settings merged over it. */
static int
describe(struct project *pj, struct compose_file *cf, const char *name, yaml_node_t *key,
         yaml_node_t *svc, struct runtime_desc *d, int depth)
{
    yaml_node_t *ext, *ek, *bn = NULL, *fn = NULL;
    struct runtime_desc self;
    const char *base, *file;
    int rc;

    ext = cy_map_get(cf, svc, "extends", &ek, &rc);
    if (rc < 0)
        return rc;
    if (ext == NULL)
        return compose_service_describe(cf, name, key, svc, d);
    if (depth >= COMPOSE_MAX_EXTENDS)
        return err_set(ERR_LIMIT, "%s:%d:%d: extends: chain longer than %d services (a cycle?)",
                       cf->path, cy_line(ek), cy_col(ek), COMPOSE_MAX_EXTENDS);
    if (ext->type == YAML_MAPPING_NODE) {
        bn = cy_map_get(cf, ext, "service", NULL, &rc);
        fn = rc == 0 ? cy_map_get(cf, ext, "file", NULL, &rc) : NULL;
        if (rc < 0)
            return rc;
    } else {
        bn = ext; /* `extends: NAME`: a service of the same file */
    }
    base = cy_scalar(bn);
    file = cy_scalar(fn);
    if (base == NULL || base[0] == '\0' || (fn != NULL && file == NULL))
        return err_set(ERR_PARSE, "%s:%d:%d: services.%s.extends needs a service name",
                       cf->path, cy_line(ext), cy_col(ext), name);
    if (file != NULL) {
        rc = describe_from_file(pj, cf, file, base, ext, d, depth);
    } else {
        yaml_node_t *services = services_of(cf, &rc), *bk, *bsvc;
        bsvc = rc == 0 ? cy_map_get(cf, services, base, &bk, &rc) : NULL;
        if (rc < 0)
            return rc;
        if (bsvc == NULL)
            return err_set(ERR_NOTFOUND, "%s:%d:%d: services.%s extends %s, which is not a "
                                         "service of this file",
                           cf->path, cy_line(ext), cy_col(ext), name, base);
        rc = describe(pj, cf, base, bk, bsvc, d, depth + 1);
    }
    if (rc < 0)
        return rc;
    runtime_desc_init(&self, RT_COMPOSE);
    rc = compose_service_describe(cf, name, key, svc, &self);
    if (rc == 0) {
        /* The result is this service, in this file; settings keep their own positions. */
        d->name = self.name;
        d->target = self.target;
        rc = compose_desc_merge(d, &self, 1);
    }
    runtime_desc_free(&self);
    return rc;
}

/* Every service of the loaded document, described and added to the project; *found is set
 * when the document has `services:`. */
static int
scan_document(struct project *pj, struct compose_file *cf, int *found)
{
    yaml_node_t *services;
    struct cy_pair *pairs = NULL;
    size_t n = 0;
    int rc;

    services = services_of(cf, &rc);
    if (rc < 0 || services == NULL)
        return rc;
    *found = 1;
    if ((rc = cy_map_pairs(cf, services, &pairs, &n)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct runtime_desc d;
        const char *name = cy_scalar(pairs[i].key);
        if (name == NULL)
            continue;
        runtime_desc_init(&d, RT_COMPOSE);
        rc = describe(pj, cf, name, pairs[i].key, pairs[i].value, &d, 0);
        if (rc == 0)
            rc = project_add(pj, &d);
        runtime_desc_free(&d);
    }
    free(pairs);
    return rc;
}

/* One file's documents, in order, each a layer over the project so far. Only the first file
 * must have services: an override file may add networks or volumes alone. */
static int
scan_layers(struct project *pj, struct compose_file *cf, const char *data, size_t len,
            int need_services)
{
    int rc, more, docs = 0, with_services = 0;

    if (memchr(data, '\0', len) != NULL)
        return err_set(ERR_PARSE, "%s: binary data (a NUL byte), not a Compose file", cf->path);
    if ((rc = compose_yaml_open(cf, data, len)) < 0)
        return rc;
    while ((more = compose_yaml_next(cf)) > 0) {
        if (yaml_document_get_root_node(&cf->doc) == NULL)
            continue;
        docs++;
        if ((rc = scan_document(pj, cf, &with_services)) < 0)
            break;
    }
    if (more < 0)
        rc = more;
    compose_yaml_close(cf);
    if (rc == 0 && docs == 0)
        rc = err_set(ERR_PARSE, "%s: empty Compose file (no YAML document)", cf->path);
    else if (rc == 0 && with_services == 0 && need_services)
        rc = err_set(ERR_PARSE, "%s: no `services:` (not a Compose file?)", cf->path);
    return rc;
}

static int
check_all(struct project *pj, const struct scanner_opts *o, struct findings *f)
{
    struct detect_engine *det = NULL;
    size_t done = 0;
    int rc;

    if ((rc = detect_open(&det)) < 0)
        return rc;
    for (size_t i = 0; i < pj->n && rc == 0; i++) {
        struct runtime_desc *d = &pj->svcs[i].d;
        if (o != NULL && o->service != NULL && strcmp(o->service, d->name) != 0)
            continue;
        d->target = pj->target;
        rc = runtime_check(d, det, o != NULL && o->show_secrets, f);
        done++;
    }
    if (rc == 0 && o != NULL && o->service != NULL && done == 0)
        rc = err_set(ERR_NOTFOUND, "%s: no service named '%s'", pj->target, o->service);
    detect_close(det);
    return rc;
}

int
compose_scan_data(struct compose_file *cf, const char *data, size_t len,
                  const struct scanner_opts *o, struct findings *f)
{
    struct project pj;
    int rc;

    memset(&pj, 0, sizeof(pj));
    pj.vars = &cf->vars;
    pj.max_file = cf->max_file;
    pj.target = cf->path;
    rc = memchr(data, '\0', len) != NULL
             ? err_set(ERR_PARSE, "%s: binary data (a NUL byte), not a Compose file", cf->path)
             : compose_dotenv_load(cf);
    if (rc == 0)
        rc = scan_layers(&pj, cf, data, len, 1);
    if (rc == 0)
        rc = check_all(&pj, o, f);
    project_free(&pj);
    compose_vars_free(&cf->vars);
    return rc;
}

int
scanner_scan_compose_files(const char *const *paths, size_t n, const struct scanner_opts *o,
                           struct findings *f)
{
    struct compose_file first;
    struct project pj;
    long max = o != NULL && o->max_file_size > 0 ? o->max_file_size : COMPOSE_MAX_FILE;
    int rc = 0;

    if (n == 0)
        return err_set(ERR_USAGE, "no Compose file given");
    memset(&first, 0, sizeof(first));
    memset(&pj, 0, sizeof(pj));
    first.path = paths[0];
    first.max_file = max;
    pj.vars = &first.vars;
    pj.max_file = max;
    pj.target = paths[0];
    if ((rc = findings_add_target(f, "compose", paths[0])) < 0)
        return rc;
    /* The project directory (its .env) is the first file's, as in Compose. */
    if ((rc = set_dir(&first, paths[0])) < 0 || (rc = compose_dotenv_load(&first)) < 0)
        goto out;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct compose_file cf;
        struct buf data = {NULL, 0, 0};

        memset(&cf, 0, sizeof(cf));
        cf.path = paths[i];
        cf.max_file = max;
        cf.budget = COMPOSE_WORK_BUDGET;
        cf.vars = first.vars; /* shared, not owned */
        if ((rc = set_dir(&cf, paths[i])) < 0)
            break;
        /* Files the user named may be symlinks; files they name (.env, env_file) may not. */
        if ((rc = file_read_all(paths[i], (size_t)max, 0, &data)) == 0)
            rc = scan_layers(&pj, &cf, data.data ? data.data : "", data.len, i == 0);
        buf_free(&data);
    }
    if (rc == 0)
        rc = check_all(&pj, o, f);
out:
    project_free(&pj);
    compose_vars_free(&first.vars);
    return rc;
}

int
scanner_scan_compose(const char *path, const struct scanner_opts *o, struct findings *f)
{
    return scanner_scan_compose_files(&path, 1, o, f);
}
