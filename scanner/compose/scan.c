/* compose_scan: `scanner --compose FILE [--service NAME]`: loads the file and the `.env` beside
 * it, describes each service and runs the runtime rules on it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "detect.h"
#include "scanner.h"


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

static int
scan_service(struct compose_file *cf, const char *name, yaml_node_t *key, yaml_node_t *svc,
             struct detect_engine *det, const struct scanner_opts *o, struct findings *f)
{
    struct runtime_desc d;
    int rc;

    runtime_desc_init(&d, RT_COMPOSE);
    rc = compose_service_describe(cf, name, key, svc, &d);
    if (rc == 0)
        rc = runtime_check(&d, det, o != NULL && o->show_secrets, f);
    runtime_desc_free(&d);
    return rc;
}

static int
scan_services(struct compose_file *cf, const struct scanner_opts *o, struct findings *f)
{
    yaml_node_t *root = yaml_document_get_root_node(&cf->doc), *services, *k;
    struct detect_engine *det = NULL;
    struct cy_pair *pairs = NULL;
    size_t n = 0, done = 0;
    int rc;

    if (root->type != YAML_MAPPING_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: a Compose file must be a mapping", cf->path,
                       cy_line(root), cy_col(root));
    services = cy_map_get(cf, root, "services", &k, &rc);
    if (rc < 0)
        return rc;
    if (services == NULL)
        return err_set(ERR_PARSE, "%s: no `services:` (not a Compose file?)", cf->path);
    if (services->type != YAML_MAPPING_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: `services:` must be a mapping", cf->path,
                       cy_line(services), cy_col(services));
    if ((rc = cy_map_pairs(cf, services, &pairs, &n)) < 0)
        return rc;
    if ((rc = detect_open(&det)) < 0)
        goto out;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *name = cy_scalar(pairs[i].key);
        if (name == NULL || (o != NULL && o->service != NULL && strcmp(o->service, name) != 0))
            continue;
        rc = scan_service(cf, name, pairs[i].key, pairs[i].value, det, o, f);
        done++;
    }
    if (rc == 0 && o != NULL && o->service != NULL && done == 0)
        rc = err_set(ERR_NOTFOUND, "%s: no service named '%s'", cf->path, o->service);
out:
    if (det != NULL)
        detect_close(det);
    free(pairs);
    return rc;
}

int
compose_scan_data(struct compose_file *cf, const char *data, size_t len,
                  const struct scanner_opts *o, struct findings *f)
{
    int rc = 0;

    if (memchr(data, '\0', len) != NULL)
        rc = err_set(ERR_PARSE, "%s: binary data (a NUL byte), not a Compose file", cf->path);
    if (rc == 0)
        rc = compose_dotenv_load(cf);
    if (rc == 0)
        rc = compose_yaml_load(cf, data, len);
    if (rc == 0)
        rc = scan_services(cf, o, f);
    compose_yaml_free(cf);
    compose_vars_free(&cf->vars);
    return rc;
}

int
scanner_scan_compose(const char *path, const struct scanner_opts *o, struct findings *f)
{
    struct compose_file cf;
    struct buf data = {NULL, 0, 0};
    long max = o != NULL && o->max_file_size > 0 ? o->max_file_size : COMPOSE_MAX_FILE;
    int rc;

    memset(&cf, 0, sizeof(cf));
    cf.path = path;
    cf.max_file = max;
    cf.budget = COMPOSE_WORK_BUDGET;
    if ((rc = findings_add_target(f, "compose", path)) < 0)
        return rc;
    if ((rc = set_dir(&cf, path)) < 0)
        return rc;
    /* The file the user named may be a symlink; files it names (.env, env_file) may not. */
    if ((rc = file_read_all(path, (size_t)max, 0, &data)) < 0)
        return rc;
    rc = compose_scan_data(&cf, data.data ? data.data : "", data.len, o, f);
    buf_free(&data);
    return rc;
}
