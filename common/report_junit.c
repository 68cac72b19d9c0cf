/* report_junit: JUnit XML for CI test tabs, written with libxml2: one <testsuite> per scanned
 * target, one failing <testcase> per finding (its rule, place and message), an <error> test
 * case per target that could not be scanned, and one passing case for a clean target. */
#include <string.h>

#include <libxml/xmlwriter.h>

#include "common.h"

static size_t
count_for(const struct findings *f, const char *target)
{
    size_t n = 0;

    for (size_t i = 0; i < f->n; i++)
        n += f->items[i].target != NULL && strcmp(f->items[i].target, target) == 0;
    return n;
}

static size_t
errors_for(const struct findings *f, const char *target)
{
    size_t n = 0;

    for (size_t i = 0; i < f->nerrors; i++)
        n += strcmp(f->errors[i].target, target) == 0;
    return n;
}

static int
attr_num(xmlTextWriterPtr w, const char *name, size_t v)
{
    return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%zu", v);
}

static int
write_case(xmlTextWriterPtr w, const struct finding *x)
{
    struct buf name = {0}, text = {0};
    int rc = 0;

    if (buf_printf(&name, "%s %s", x->rule, x->path ? x->path : x->target ? x->target : "-") < 0 ||
        (x->line > 0 && buf_printf(&name, ":%d", x->line) < 0) ||
        buf_printf(&text, "%s: %s%s%s%s\n%s", severity_name(x->severity), x->message,
                   x->secret_redacted ? " (secret " : "",
                   x->secret_redacted ? x->secret_redacted : "", x->secret_redacted ? ")" : "",
                   x->remediation ? x->remediation : "") < 0)
        rc = -1;
    if (rc == 0 && (xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0 ||
                    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST name.data) < 0 ||
                    xmlTextWriterWriteAttribute(w, BAD_CAST "classname",
                                                BAD_CAST(x->category ? x->category : "scanner")) < 0 ||
                    xmlTextWriterStartElement(w, BAD_CAST "failure") < 0 ||
                    xmlTextWriterWriteAttribute(w, BAD_CAST "type",
                                                BAD_CAST severity_name(x->severity)) < 0 ||
                    xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST x->title) < 0 ||
                    xmlTextWriterWriteString(w, BAD_CAST text.data) < 0 ||
                    xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0))
        rc = -1;
    buf_free(&name);
    buf_free(&text);
    return rc;
}

static int
write_suite(xmlTextWriterPtr w, const struct findings *f, const char *target)
{
    size_t nf = count_for(f, target), ne = errors_for(f, target);
    int rc = 0;

    if (xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST target) < 0 ||
        attr_num(w, "tests", nf + ne + (nf + ne == 0)) < 0 || attr_num(w, "failures", nf) < 0 ||
        attr_num(w, "errors", ne) < 0)
        return -1;
    for (size_t i = 0; i < f->n && rc == 0; i++)
        if (f->items[i].target != NULL && strcmp(f->items[i].target, target) == 0)
            rc = write_case(w, &f->items[i]);
    for (size_t i = 0; i < f->nerrors && rc == 0; i++) {
        if (strcmp(f->errors[i].target, target) != 0)
            continue;
        if (xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0 ||
            xmlTextWriterWriteFormatAttribute(w, BAD_CAST "name", "scan %s", target) < 0 ||
            xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST "scan") < 0 ||
            xmlTextWriterStartElement(w, BAD_CAST "error") < 0 ||
            xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST f->errors[i].message) < 0 ||
            xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0)
            rc = -1;
    }
    if (rc == 0 && nf + ne == 0 &&
        (xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0 ||
         xmlTextWriterWriteFormatAttribute(w, BAD_CAST "name", "scan %s", target) < 0 ||
         xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST "scan") < 0 ||
         xmlTextWriterEndElement(w) < 0))
        rc = -1;
    if (rc == 0 && xmlTextWriterEndElement(w) < 0)
        rc = -1;
    return rc;
}

/* Is `name` already a suite (a target scanned twice, or a failed one that is also listed)? */
static int
seen_before(const struct findings *f, size_t ti, size_t ei, const char *name)
{
    for (size_t i = 0; i < ti && i < f->ntargets; i++)
        if (strcmp(f->targets[i].name, name) == 0)
            return 1;
    for (size_t i = 0; i < ei; i++)
        if (strcmp(f->errors[i].target, name) == 0)
            return 1;
    return 0;
}

int
report_write_junit(struct buf *out, const struct findings *f, const struct tool_info *tool)
{
    xmlBufferPtr xb = xmlBufferCreate();
    xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
    int rc = 0;

    if (w == NULL) {
        if (xb != NULL)
            xmlBufferFree(xb);
        return err_set(ERR_NOMEM, "out of memory rendering JUnit XML");
    }
    xmlTextWriterSetIndent(w, 1);
    if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
        xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST tool->name) < 0 ||
        attr_num(w, "failures", f->n) < 0 || attr_num(w, "errors", f->nerrors) < 0)
        rc = -1;
    for (size_t i = 0; i < f->ntargets && rc == 0; i++)
        if (!seen_before(f, i, 0, f->targets[i].name))
            rc = write_suite(w, f, f->targets[i].name);
    for (size_t i = 0; i < f->nerrors && rc == 0; i++)
        if (!seen_before(f, f->ntargets, i, f->errors[i].target))
            rc = write_suite(w, f, f->errors[i].target);
    if (rc == 0 && (xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndDocument(w) < 0))
        rc = -1;
    xmlFreeTextWriter(w);
    if (rc == 0)
        rc = buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    else
        rc = err_set(ERR_INTERNAL, "cannot render JUnit XML");
    xmlBufferFree(xb);
    return rc;
}
