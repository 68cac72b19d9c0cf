/* compose: a Compose file loaded with libyaml (bounded against alias bombs, deep nesting and huge
 * files), its variables from the `.env` beside it, and each service turned into a runtime
 * description. The header of scanner/compose/. */
#ifndef SCANNER_COMPOSE_H
#define SCANNER_COMPOSE_H

#include <limits.h>
#include <stddef.h>
#include <yaml.h>

#include "common.h"
#include "runtime.h"

struct scanner_opts;

#define COMPOSE_MAX_FILE     (8L << 20) /* default size bound of a Compose or env file */
#define COMPOSE_MAX_DEPTH    64         /* nesting of YAML collections */
#define COMPOSE_MAX_EXPANDED 1000000    /* nodes of one document once every alias is expanded */
#define COMPOSE_MAX_STREAM   16000000   /* the same over every document of a file */
#define COMPOSE_MAX_ANCHORS  65536
#define COMPOSE_MAX_MERGE    8          /* depth of `<<` merge chains */
#define COMPOSE_MAX_EXTENDS  8          /* length of `extends:` chains */
#define COMPOSE_MAX_INTERP   4          /* nesting of ${A:-${B}} defaults */
#define COMPOSE_MAX_VALUE    (1L << 20) /* one interpolated value */
#define COMPOSE_WORK_BUDGET  5000000    /* node visits over the whole file */

/* Variables for interpolation: the `.env` beside the Compose file. */
struct compose_var {
    char *name;
    char *value;
    int line;
};
struct compose_vars {
    struct compose_var *items;
    size_t n, cap;
};

struct compose_file {
    const char *path;   /* as given by the user */
    char dir[PATH_MAX]; /* absolute, normalised directory of the file */
    yaml_document_t doc;
    int loaded;
    yaml_parser_t parser; /* a stream of documents (compose_yaml_open) */
    int parsing;
    size_t docs;          /* documents loaded so far */
    struct compose_vars vars;
    long max_file;
    size_t budget;      /* node visits left while reading services (merge keys repeat work) */
};

/* ---- compose_yaml.c -------------------------------------------------------------------- */
/* Checks bounds with one event pass over the whole stream (depth, anchors, alias expansion per
 * document and in all), then loads the first document. ERR_PARSE / ERR_LIMIT with
 * path:line:col. */
int compose_yaml_load(struct compose_file *cf, const char *data, size_t len);
/* The same for every document: open (the bounds pass), then next() loads the following document
 * into cf->doc (1; its root may be NULL for an empty document), 0 at the end, negative on error;
 * close() frees the parser and the last document. `data` must outlive the stream. */
int compose_yaml_open(struct compose_file *cf, const char *data, size_t len);
int compose_yaml_next(struct compose_file *cf);
void compose_yaml_close(struct compose_file *cf);
void compose_yaml_free(struct compose_file *cf);
yaml_node_t *cy_node(struct compose_file *cf, int index);
/* The node's text if it is a scalar, else NULL (libyaml keeps scalars NUL-terminated). */
const char *cy_scalar(const yaml_node_t *n);
/* Looks `key` up in a mapping, honouring `<<` merge keys. NULL when absent or not a mapping.
 * `key_out` (may be NULL) gets the key node, for its line and column. ERR_LIMIT via *rc. */
yaml_node_t *cy_map_get(struct compose_file *cf, yaml_node_t *map, const char *key,
                        yaml_node_t **key_out, int *rc);
/* Every key/value of a mapping, `<<` merges applied (explicit keys win), in order. */
struct cy_pair {
    yaml_node_t *key, *value;
};
int cy_map_pairs(struct compose_file *cf, yaml_node_t *map, struct cy_pair **out, size_t *n);
/* 1-based line/column of a node. */
int cy_line(const yaml_node_t *n);
int cy_col(const yaml_node_t *n);

/* ---- compose_vars.c -------------------------------------------------------------------- */
#define INTERP_USED  0x1 /* the value held a ${VAR} or $VAR */
#define INTERP_UNSET 0x2 /* some variable was unset and had no default */
void compose_vars_free(struct compose_vars *v);
int compose_vars_set(struct compose_vars *v, const char *name, size_t nlen, const char *value,
                     size_t vlen, int line);
const struct compose_var *compose_vars_get(const struct compose_vars *v, const char *name,
                                           size_t len);
/* Compose interpolation of `in` into `out`: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e},
 * ${VAR?e}, ${VAR:+a}, ${VAR+a}, nested defaults. `flags` gets INTERP_*. ERR_PARSE on an
 * invalid format (unclosed ${, bad name), with `where` ("file:line:col") in the message. */
int compose_interpolate(const struct compose_vars *v, const char *in, size_t len, struct buf *out,
                        int *flags, const char *where);

/* ---- compose_dotenv.c ------------------------------------------------------------------ */
/* One entry of an env file: key and value (value NULL for a bare KEY), how the value came to be
 * (enum rt_env_origin: literal, resolved references, unresolved), 1-based position of the key. */
typedef int (*compose_env_fn)(const char *key, size_t klen, const char *value, size_t vlen,
                              int origin, int line, int col, void *user);
/* Reads an env file with the project's .env lexer (envcheck) and calls `fn` per entry, values
 * resolved against `vars` (may be NULL) and earlier keys, as Compose does. ERR_NOTFOUND when
 * missing, ERR_UNSAFE for a symlink, ERR_PARSE with path:line:col on a syntax error; errors
 * name the file `shown` (may be NULL: `path`). */
int compose_env_file_read(const char *path, const char *shown, long max,
                          const struct compose_vars *vars, compose_env_fn fn, void *user);
/* Loads `<dir>/.env` into cf->vars (a missing file is fine). */
int compose_dotenv_load(struct compose_file *cf);

/* ---- compose_scan.c -------------------------------------------------------------------- */
/* Scans a Compose document held in memory; `cf` has path, dir, max_file and budget set. Frees
 * what it loaded into `cf`. */
int compose_scan_data(struct compose_file *cf, const char *data, size_t len,
                      const struct scanner_opts *o, struct findings *f);

/* ---- compose_merge.c ------------------------------------------------------------------- */
/* Merges `src` (a later layer: the service that extends, or a later file or document) over
 * `dst` as Compose merges services, and takes src's strings (src may then be freed).
 * `src_positions`: settings absent from both are reported where src's service is. */
int compose_desc_merge(struct runtime_desc *dst, struct runtime_desc *src, int src_positions);

/* ---- compose_service.c ----------------------------------------------------------------- */
/* Builds the description of service `name` (its mapping node `svc`, key node `key`). */
int compose_service_describe(struct compose_file *cf, const char *name, yaml_node_t *key,
                             yaml_node_t *svc, struct runtime_desc *d);

/* ---- compose_ports.c / compose_volumes.c ----------------------------------------------- */
/* Parses a short port spec ("[ip:][host[-end]:]container[-end][/proto]") into `p`. */
int compose_port_parse(const char *spec, struct rt_port *p, char *ip, size_t ipsz, char *proto,
                       size_t protosz);
/* Splits a short volume spec ("src:dst[:opts]"); src/dst/opts get copies (empty if absent). */
int compose_volume_split(const char *spec, char *src, size_t srcsz, char *dst, size_t dstsz,
                         char *opts, size_t optsz);

#endif
