/* compose_yaml: loads YAML (Compose files, Kubernetes manifests) with libyaml. One event pass
 * over the whole stream first bounds nesting, anchors and the size each document would have with
 * every alias expanded (the "billion laughs" bomb); then documents are loaded one at a time and
 * read through merge-aware, budgeted mapping look-ups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"

struct anchor {
    char *name;
    size_t size;
};

struct anchors {
    struct anchor *slots;
    size_t cap, n;
};

static uint64_t
hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct anchor *
anchors_find(struct anchors *a, const char *name)
{
    size_t i;

    if (a->cap == 0)
        return NULL;
    for (i = hash_name(name) & (a->cap - 1); a->slots[i].name != NULL; i = (i + 1) & (a->cap - 1))
        if (strcmp(a->slots[i].name, name) == 0)
            return &a->slots[i];
    return &a->slots[i]; /* the empty slot where it would go */
}

static int
anchors_put(struct anchors *a, const char *name, size_t size)
{
    struct anchor *slot;

    if (a->n + 1 > a->cap / 2) {
        struct anchors bigger = {NULL, a->cap ? a->cap * 2 : 256, 0};
        bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
        if (bigger.slots == NULL)
            return ERR_NOMEM;
        for (size_t i = 0; i < a->cap; i++) {
            if (a->slots[i].name == NULL)
                continue;
            *anchors_find(&bigger, a->slots[i].name) = a->slots[i];
            bigger.n++;
        }
        free(a->slots);
        *a = bigger;
    }
    slot = anchors_find(a, name);
    if (slot->name == NULL) {
        slot->name = strdup(name);
        if (slot->name == NULL)
            return ERR_NOMEM;
        a->n++;
    }
    slot->size = size; /* YAML lets an anchor be redefined; later aliases see the new node */
    return 0;
}

static void
anchors_free(struct anchors *a)
{
    for (size_t i = 0; i < a->cap; i++)
        free(a->slots[i].name);
    free(a->slots);
}

static size_t
sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static int
yaml_error(const struct compose_file *cf, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return err_set(ERR_NOMEM, "%s: out of memory while parsing YAML", cf->path);
    if (p->context != NULL)
        return err_set(ERR_PARSE, "%s:%zu:%zu: invalid YAML: %s (%s at line %zu)", cf->path,
                       p->problem_mark.line + 1, p->problem_mark.column + 1,
                       p->problem ? p->problem : "syntax error", p->context,
                       p->context_mark.line + 1);
    return err_set(ERR_PARSE, "%s:%zu:%zu: invalid YAML: %s", cf->path, p->problem_mark.line + 1,
                   p->problem_mark.column + 1, p->problem ? p->problem : "syntax error");
}

struct frame {
    size_t size;
    char *anchor;
};

/* The bounds pass: no tree is built, so nothing here grows with aliases. */
static int
check_bounds(struct compose_file *cf, const char *data, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct frame stack[COMPOSE_MAX_DEPTH + 1];
    struct anchors anchors = {NULL, 0, 0};
    size_t depth = 0, total = 0, stream = 0;
    int rc = 0, done = 0;

    if (!yaml_parser_initialize(&p))
        return err_set(ERR_NOMEM, "%s: cannot initialise the YAML parser", cf->path);
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    while (rc == 0 && !done) {
        size_t size = 0;
        const char *anchor = NULL;
        int add = 0;

        if (!yaml_parser_parse(&p, &ev)) {
            rc = yaml_error(cf, &p);
            break;
        }
        switch (ev.type) {
        case YAML_SCALAR_EVENT:
            size = 1;
            anchor = (const char *)ev.data.scalar.anchor;
            add = 1;
            break;
        case YAML_ALIAS_EVENT: {
            struct anchor *a = anchors_find(&anchors, (const char *)ev.data.alias.anchor);
            if (a == NULL || a->name == NULL) {
                rc = err_set(ERR_PARSE, "%s:%zu:%zu: invalid YAML: alias *%s has no anchor",
                             cf->path, ev.start_mark.line + 1, ev.start_mark.column + 1,
                             (const char *)ev.data.alias.anchor);
                break;
            }
            size = a->size;
            add = 1;
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth >= COMPOSE_MAX_DEPTH) {
                rc = err_set(ERR_LIMIT, "%s:%zu:%zu: YAML nested deeper than %d levels", cf->path,
                             ev.start_mark.line + 1, ev.start_mark.column + 1, COMPOSE_MAX_DEPTH);
                break;
            }
            anchor = ev.type == YAML_SEQUENCE_START_EVENT
                         ? (const char *)ev.data.sequence_start.anchor
                         : (const char *)ev.data.mapping_start.anchor;
            stack[depth].size = 1;
            stack[depth].anchor = anchor != NULL ? strdup(anchor) : NULL;
            if (anchor != NULL && stack[depth].anchor == NULL)
                rc = err_set(ERR_NOMEM, "out of memory");
            depth++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            size = stack[depth].size;
            if (stack[depth].anchor != NULL) {
                if (anchors.n >= COMPOSE_MAX_ANCHORS)
                    rc = err_set(ERR_LIMIT, "%s:%zu:%zu: more than %d YAML anchors", cf->path,
                                 ev.start_mark.line + 1, ev.start_mark.column + 1,
                                 COMPOSE_MAX_ANCHORS);
                else
                    rc = anchors_put(&anchors, stack[depth].anchor, size);
                free(stack[depth].anchor);
                stack[depth].anchor = NULL;
            }
            add = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            /* Anchors belong to one document (libyaml's loader forgets them too); the bound on
             * expansion is per document, and the stream as a whole has a larger one. */
            anchors_free(&anchors);
            memset(&anchors, 0, sizeof(anchors));
            stream = sat_add(stream, total);
            total = 0;
            if (stream > COMPOSE_MAX_STREAM)
                rc = err_set(ERR_LIMIT,
                             "%s:%zu:%zu: YAML documents expand to more than %d nodes in all; "
                             "refusing to load them",
                             cf->path, ev.start_mark.line + 1, ev.start_mark.column + 1,
                             COMPOSE_MAX_STREAM);
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        if (rc == 0 && add && anchor != NULL && ev.type == YAML_SCALAR_EVENT) {
            if (anchors.n >= COMPOSE_MAX_ANCHORS)
                rc = err_set(ERR_LIMIT, "%s:%zu:%zu: more than %d YAML anchors", cf->path,
                             ev.start_mark.line + 1, ev.start_mark.column + 1, COMPOSE_MAX_ANCHORS);
            else
                rc = anchors_put(&anchors, anchor, size);
        }
        if (rc == 0 && add) {
            size_t *into = depth > 0 ? &stack[depth - 1].size : &total;
            *into = sat_add(*into, size);
            if (*into > COMPOSE_MAX_EXPANDED)
                rc = err_set(ERR_LIMIT,
                             "%s:%zu:%zu: YAML aliases expand to more than %d nodes (an alias "
                             "bomb?); refusing to load it",
                             cf->path, ev.start_mark.line + 1, ev.start_mark.column + 1,
                             COMPOSE_MAX_EXPANDED);
        }
        yaml_event_delete(&ev);
    }
    while (depth > 0)
        free(stack[--depth].anchor);
    anchors_free(&anchors);
    yaml_parser_delete(&p);
    return rc;
}

int
compose_yaml_open(struct compose_file *cf, const char *data, size_t len)
{
    int rc;

    if ((rc = check_bounds(cf, data, len)) < 0)
        return rc;
    if (!yaml_parser_initialize(&cf->parser))
        return err_set(ERR_NOMEM, "%s: cannot initialise the YAML parser", cf->path);
    yaml_parser_set_input_string(&cf->parser, (const unsigned char *)data, len);
    cf->parsing = 1;
    return 0;
}

int
compose_yaml_next(struct compose_file *cf)
{
    int rc;

    compose_yaml_free(cf);
    if (!cf->parsing)
        return 0;
    if (!yaml_parser_load(&cf->parser, &cf->doc))
        return yaml_error(cf, &cf->parser);
    cf->loaded = 1;
    if (yaml_document_get_root_node(&cf->doc) == NULL) {
        /* The end of the stream (an empty document in the middle has a null root node). */
        if (cf->parser.stream_end_produced) {
            compose_yaml_free(cf);
            return 0;
        }
    }
    cf->docs++;
    rc = 1;
    /* Reading services costs a few visits per node; merge keys repeat them. The budget grows
     * with the document so big honest files pass and expansion through merges stays linear. */
    {
        size_t nodes = (size_t)(cf->doc.nodes.top - cf->doc.nodes.start);
        cf->budget = nodes > (SIZE_MAX - cf->budget) / 100 ? SIZE_MAX : cf->budget + nodes * 100;
    }
    return rc;
}

void
compose_yaml_close(struct compose_file *cf)
{
    compose_yaml_free(cf);
    if (cf->parsing)
        yaml_parser_delete(&cf->parser);
    cf->parsing = 0;
}

int
compose_yaml_load(struct compose_file *cf, const char *data, size_t len)
{
    int rc = compose_yaml_open(cf, data, len);

    if (rc == 0)
        rc = compose_yaml_next(cf);
    if (rc == 0)
        rc = err_set(ERR_PARSE, "%s: empty Compose file (no YAML document)", cf->path);
    if (rc > 0 && yaml_document_get_root_node(&cf->doc) == NULL)
        rc = err_set(ERR_PARSE, "%s: empty Compose file (no YAML document)", cf->path);
    return rc < 0 ? rc : 0;
}

void
compose_yaml_free(struct compose_file *cf)
{
    if (cf->loaded)
        yaml_document_delete(&cf->doc);
    cf->loaded = 0;
}

yaml_node_t *
cy_node(struct compose_file *cf, int index)
{
    return yaml_document_get_node(&cf->doc, index);
}

const char *
cy_scalar(const yaml_node_t *n)
{
    return n != NULL && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int
cy_line(const yaml_node_t *n)
{
    return n != NULL ? (int)n->start_mark.line + 1 : 0;
}

int
cy_col(const yaml_node_t *n)
{
    return n != NULL ? (int)n->start_mark.column + 1 : 0;
}

static int
spend(struct compose_file *cf)
{
    if (cf->budget == 0)
        return err_set(ERR_LIMIT, "%s: YAML merge keys and aliases expand beyond the work bound; "
                                  "refusing to read further (an alias bomb?)",
                       cf->path);
    cf->budget--;
    return 0;
}

/* Depth is bounded by COMPOSE_MAX_MERGE, whatever the input. */
static yaml_node_t *
map_get(struct compose_file *cf, yaml_node_t *map, const char *key, yaml_node_t **key_out,
        int depth, int *rc)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = cy_node(cf, pr->key);
        const char *ks = cy_scalar(k);
        if ((*rc = spend(cf)) < 0)
            return NULL;
        if (ks != NULL && strcmp(ks, key) == 0) {
            if (key_out != NULL)
                *key_out = k;
            return cy_node(cf, pr->value);
        }
    }
    if (depth >= COMPOSE_MAX_MERGE)
        return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        const char *ks = cy_scalar(cy_node(cf, pr->key));
        yaml_node_t *v, *found = NULL;
        if (ks == NULL || strcmp(ks, "<<") != 0)
            continue;
        v = cy_node(cf, pr->value);
        if (v != NULL && v->type == YAML_MAPPING_NODE) {
            found = map_get(cf, v, key, key_out, depth + 1, rc);
        } else if (v != NULL && v->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top && found == NULL && *rc == 0; it++)
                found = map_get(cf, cy_node(cf, *it), key, key_out, depth + 1, rc);
        }
        if (found != NULL || *rc < 0)
            return found;
    }
    return NULL;
}

yaml_node_t *
cy_map_get(struct compose_file *cf, yaml_node_t *map, const char *key, yaml_node_t **key_out,
           int *rc)
{
    *rc = 0;
    if (key_out != NULL)
        *key_out = NULL;
    return map_get(cf, map, key, key_out, 0, rc);
}

struct pairs {
    struct cy_pair *items;
    size_t n, cap;
};

static int
pairs_add(struct compose_file *cf, struct pairs *ps, yaml_node_t *k, yaml_node_t *v, int dedupe)
{
    const char *ks = cy_scalar(k);

    if (dedupe && ks != NULL) {
        for (size_t i = 0; i < ps->n; i++) {
            const char *o = cy_scalar(ps->items[i].key);
            int rc = spend(cf);
            if (rc < 0)
                return rc;
            if (o != NULL && strcmp(o, ks) == 0)
                return 0; /* an earlier (higher-precedence) source set it */
        }
    }
    if (ps->n >= RT_MAX_ITEMS)
        return err_set(ERR_LIMIT, "%s:%d:%d: mapping with more than %d keys", cf->path,
                       cy_line(k), cy_col(k), RT_MAX_ITEMS);
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        struct cy_pair *items = realloc(ps->items, cap * sizeof(*items));
        if (items == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        ps->items = items;
        ps->cap = cap;
    }
    ps->items[ps->n].key = k;
    ps->items[ps->n].value = v;
    ps->n++;
    return 0;
}

static int
collect(struct compose_file *cf, yaml_node_t *map, struct pairs *ps, int depth)
{
    int rc = 0;

    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return 0;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
         pr < map->data.mapping.pairs.top && rc == 0; pr++) {
        yaml_node_t *k = cy_node(cf, pr->key);
        const char *ks = cy_scalar(k);
        if ((rc = spend(cf)) < 0)
            break;
        if (ks != NULL && strcmp(ks, "<<") == 0)
            continue;
        rc = pairs_add(cf, ps, k, cy_node(cf, pr->value), depth > 0);
    }
    if (depth >= COMPOSE_MAX_MERGE)
        return rc;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
         pr < map->data.mapping.pairs.top && rc == 0; pr++) {
        const char *ks = cy_scalar(cy_node(cf, pr->key));
        yaml_node_t *v;
        if (ks == NULL || strcmp(ks, "<<") != 0)
            continue;
        v = cy_node(cf, pr->value);
        if (v != NULL && v->type == YAML_MAPPING_NODE)
            rc = collect(cf, v, ps, depth + 1);
        else if (v != NULL && v->type == YAML_SEQUENCE_NODE)
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top && rc == 0; it++)
                rc = collect(cf, cy_node(cf, *it), ps, depth + 1);
    }
    return rc;
}

int
cy_map_pairs(struct compose_file *cf, yaml_node_t *map, struct cy_pair **out, size_t *n)
{
    struct pairs ps = {NULL, 0, 0};
    int rc = collect(cf, map, &ps, 0);

    if (rc < 0) {
        free(ps.items);
        return rc;
    }
    *out = ps.items;
    *n = ps.n;
    return 0;
}
