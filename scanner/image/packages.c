/* packages: the image's installed packages (from the same single pass over the layers), written
 * as an SBOM or matched against an offline OSV database, one finding per (vulnerability,
 * package) placed at the layer that installed the package. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image.h"

/* --vuln-db, else the default cache directory when it exists. */
static int
db_dir(const struct scanner_opts *o, char *out, size_t size, int *explicit_dir)
{
    struct stat sb;

    *explicit_dir = o != NULL && o->vuln_db != NULL;
    if (*explicit_dir)
        return str_format(out, size, "%s", o->vuln_db);
    if (osv_db_default_dir(out, size) < 0)
        return -1;
    return stat(out, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
}

static int
write_sbom(const struct img_resolved *r, const struct img_ctx *c, const struct pkg_list *pkgs,
           const char *target, const char *os_id, const char *os_ver)
{
    struct buf out = {0};
    struct sbom_subject s = {target, NULL, os_id, os_ver};
    int fmt = sbom_format_parse(c->opts->sbom), rc;

    (void)r;
    if (fmt < 0)
        return err_set(ERR_USAGE, "--sbom: unknown format '%s' (cyclonedx or spdx)", c->opts->sbom);
    if ((rc = sbom_render(&out, (enum sbom_format)fmt, &s, pkgs, SUITE_VERSION)) == 0) {
        if (c->opts->sbom_output != NULL)
            rc = file_write_atomic(c->opts->sbom_output, out.data, out.len, 0644);
        else if (fwrite(out.data, 1, out.len, stdout) != out.len)
            rc = err_set_errno(ERR_IO, "stdout");
    }
    buf_free(&out);
    return rc;
}

/* The `vulnerability` facts of the finding just added for match `v` of package `p`. */
static int
set_vuln(struct findings *f, const struct img_resolved *r, const struct pkg *p,
         const struct pkg_match *v, const char *os_id, const char *os_ver)
{
    char purl[1024];
    struct finding_vuln fv = {v->id, v->aliases, p->name, (char *)v->ecosystem, p->version,
                              v->fixed[0] ? (char *)v->fixed : NULL, NULL,
                              p->layer >= 0 ? r->digests[p->layer] : NULL, "scanner"};

    if (pkg_purl(p, os_id, os_ver, purl, sizeof(purl)) == 0)
        fv.purl = purl;
    return findings_set_vuln(f, f->n - 1, &fv);
}

static int
report_matches(const struct img_resolved *r, const struct img_ctx *c, struct findings *f,
               const char *target, const struct pkg_list *pkgs, const struct pkg_matches *m,
               const char *os_id, const char *os_ver)
{
    for (size_t i = 0; i < m->n; i++) {
        const struct pkg_match *v = &m->v[i];
        const struct pkg *p = &pkgs->v[v->pkg];
        struct location loc;
        struct finding_extra x;
        char score[32] = "";
        int rc;

        if (c->opts->ignore_unfixed && v->fixed[0] == '\0')
            continue;
        if (p->layer >= 0 && r->is_base[p->layer] && c->opts->skip_base)
            continue;
        memset(&loc, 0, sizeof(loc));
        memset(&x, 0, sizeof(x));
        loc.path = p->path;
        loc.layer_index = p->layer;
        loc.layer = p->layer >= 0 ? r->digests[p->layer] : NULL;
        x.target = target;
        x.severity = v->severity;
        x.override_severity = 1;
        if (v->score >= 0)
            (void)str_format(score, sizeof(score), ", CVSS %.1f", v->score);
        char aliases[160] = "", src[300] = "", fix[160], step[600] = "";
        pkg_vuln_alias_note(v->id, v->aliases, aliases, sizeof(aliases));
        if (p->source != NULL && strcmp(p->source, p->name) != 0)
            (void)str_format(src, sizeof(src), ", source package %s", p->source);
        if (v->fixed[0] != '\0')
            (void)str_format(fix, sizeof(fix), "fixed in %s", v->fixed);
        else
            (void)str_format(fix, sizeof(fix), "no fix published");
        if (p->layer >= 0) {
            char d[16];
            image_short_digest(r->digests[p->layer], d, sizeof(d));
            (void)str_format(step, sizeof(step), " (%s) by `%s`", d,
                             image_created_by(r, (size_t)p->layer));
        }
        rc = findings_add(f, &pkg_rule_vuln, &loc, &x,
                          "%s%s in %s %s (%s%s): %s%s; installed by layer %d%s%s%s", v->id,
                          aliases, p->name, p->version, v->ecosystem, src, fix, score, p->layer,
                          step, v->summary ? ": " : "", v->summary ? v->summary : "");
        if (rc < 0 || (rc = set_vuln(f, r, p, v, os_id, os_ver)) < 0)
            return rc;
    }
    return 0;
}

/* --merge-report: the image as the fold and the check see it. */
static void
merge_image(const struct img_resolved *r, const struct img_ctx *c, const char *target,
            const char *os_id, const char *os_ver, struct pkg_merge_image *img)
{
    *img = (struct pkg_merge_image){target, r->digests, r->is_base, r->nlayers, os_id, os_ver,
                                    c->opts->skip_base, c->opts->ignore_unfixed};
}

int
image_check_merge(const struct img_resolved *r, const struct img_ctx *c, const char *target)
{
    struct pkg_merge_image img;
    int rc = 0;

    if (c->opts == NULL)
        return 0;
    merge_image(r, c, target, "", "", &img);
    for (size_t i = 0; i < c->opts->nmerge && rc == 0; i++)
        rc = pkg_merge_check_image(&c->opts->merge[i], &img);
    return rc;
}

int
image_check_packages(const struct img_resolved *r, struct img_ctx *c, struct findings *f,
                     const char *target)
{
    size_t first = f->n;
    struct pkg_list pkgs = {0};
    struct pkg_matches m = {0};
    struct osv_db_stats st;
    char os_id[64] = "", os_ver[64] = "", dir[4096];
    int rc, explicit_dir;

    if (c->opts == NULL)
        return 0;
    if ((rc = image_final_packages(r, &pkgs, os_id, sizeof(os_id), os_ver, sizeof(os_ver))) < 0)
        goto out;
    if (c->opts->sbom != NULL) {
        rc = write_sbom(r, c, &pkgs, target, os_id, os_ver);
        goto out;
    }
    if (c->opts->no_vulns || pkgs.n == 0)
        goto out;
    if (db_dir(c->opts, dir, sizeof(dir), &explicit_dir) < 0) {
        /* never a silent clean result: say that nothing was checked */
        diag_note("%s: %zu packages found, not checked for vulnerabilities: no database (pass "
                  "--vuln-db DIR of OSV records, or run `scanner db update`)",
                  target, pkgs.n);
        goto out;
    }
    if ((rc = osv_db_match(dir, &pkgs, os_id, os_ver, &m, &st)) < 0) {
        rc = img_err_wrap(rc, "vulnerability database %s", dir);
        goto out;
    }
    if (st.newest > 0 && time(NULL) - st.newest > (long long)OSV_STALE_DAYS * 86400) {
        struct location loc;
        struct finding_extra x;
        long days = (long)((time(NULL) - st.newest) / 86400);
        memset(&loc, 0, sizeof(loc));
        memset(&x, 0, sizeof(x));
        loc.path = dir;
        x.target = target;
        if ((rc = findings_add(f, &pkg_rule_db_stale, &loc, &x,
                               "the vulnerability database in %s is %ld days old: newer "
                               "vulnerabilities are not reported",
                               dir, days)) < 0)
            goto out;
    }
    rc = report_matches(r, c, f, target, &pkgs, &m, os_id, os_ver);
out:
    if (rc == 0 && c->opts->sbom == NULL && c->opts->nmerge > 0) {
        struct pkg_merge_image img;
        merge_image(r, c, target, os_id, os_ver, &img);
        rc = pkg_merge_fold(f, first, c->opts->merge, c->opts->nmerge, &img);
    }
    pkg_matches_free(&m);
    pkg_list_free(&pkgs);
    return rc;
}
