/* container_scan: `scanner --container ID...` and `--all-containers`: inspects each container
 * through the Engine API, runs the runtime rules on it and, with --with-image, its image too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "detect.h"
#include "engine.h"
#include "scanner.h"

static int
scan_one(struct engine *e, struct detect_engine *det, const char *id,
         const struct scanner_opts *o, struct findings *f)
{
    struct runtime_desc d;
    char *esc, path[512];
    cJSON *doc = NULL;
    int rc;

    esc = engine_escape(id);
    if (esc == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    rc = str_format(path, sizeof(path), "/containers/%s/json", esc);
    free(esc);
    if (rc < 0)
        return err_set(ERR_LIMIT, "container name too long: %.64s", id);
    rc = engine_get_json(e, path, &doc);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_NOTFOUND, "no such container: %s", id);
    if (rc < 0)
        return rc;
    runtime_desc_init(&d, RT_CONTAINER);
    rc = container_describe(doc, id, &d);
    cJSON_Delete(doc);
    if (rc == 0)
        rc = findings_add_target(f, "container", d.name);
    if (rc == 0)
        rc = runtime_check(&d, det, o != NULL && o->show_secrets, f);
    if (rc == 0 && o != NULL && o->with_image && d.image != NULL && d.image[0] != '\0')
        rc = scanner_scan_image(d.image, o, f);
    runtime_desc_free(&d);
    return rc;
}

/* Every container, running or not (GET /containers/json?all=1), by id. */
static int
list_all(struct engine *e, cJSON **out)
{
    int rc = engine_get_json(e, "/containers/json?all=1", out);

    if (rc == 0 && !cJSON_IsArray(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return err_set(ERR_PARSE, "engine: container list is not a JSON array");
    }
    return rc;
}

int
scanner_scan_container(const char *id, const struct scanner_opts *o, struct findings *f)
{
    struct engine *e = NULL;
    struct detect_engine *det = NULL;
    cJSON *list = NULL;
    const cJSON *it;
    int rc;

    if (id == NULL && (o == NULL || !o->all_containers))
        return err_set(ERR_USAGE, "no container given");
    if ((rc = engine_open(&e)) < 0)
        return rc;
    if ((rc = detect_open(&det)) < 0)
        goto out;
    if (id != NULL) {
        rc = scan_one(e, det, id, o, f);
        goto out;
    }
    if ((rc = list_all(e, &list)) < 0)
        goto out;
    cJSON_ArrayForEach(it, list) {
        const cJSON *cid = cJSON_GetObjectItemCaseSensitive(it, "Id");
        if (!cJSON_IsString(cid))
            continue;
        /* One container gone between list and inspect is not an error of the scan. */
        rc = scan_one(e, det, cid->valuestring, o, f);
        if (rc == ERR_NOTFOUND)
            rc = 0;
        if (rc < 0)
            break;
    }
out:
    cJSON_Delete(list);
    if (det != NULL)
        detect_close(det);
    engine_close(e);
    return rc;
}
