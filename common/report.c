/* report: picks a renderer by name or file extension and writes reports atomically. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int
report_format_parse(const char *name)
{
    if (strcmp(name, "text") == 0)
        return REPORT_TEXT;
    if (strcmp(name, "json") == 0)
        return REPORT_JSON;
    if (strcmp(name, "sarif") == 0)
        return REPORT_SARIF;
    if (strcmp(name, "junit") == 0)
        return REPORT_JUNIT;
    if (strcmp(name, "gitlab") == 0)
        return REPORT_GITLAB;
    return -1;
}

int
report_format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (dot == NULL || strchr(dot, '/') != NULL)
        return -1;
    if (strcmp(dot, ".json") == 0)
        return REPORT_JSON;
    if (strcmp(dot, ".sarif") == 0)
        return REPORT_SARIF;
    if (strcmp(dot, ".txt") == 0 || strcmp(dot, ".text") == 0)
        return REPORT_TEXT;
    if (strcmp(dot, ".xml") == 0)
        return REPORT_JUNIT;
    return -1;
}

int
report_render(struct buf *out, enum report_format fmt, const struct findings *f,
              const struct tool_info *tool, int color)
{
    switch (fmt) {
    case REPORT_JSON:
        return report_write_json(out, f, tool);
    case REPORT_SARIF:
        return report_write_sarif(out, f, tool);
    case REPORT_JUNIT:
        return report_write_junit(out, f, tool);
    case REPORT_GITLAB:
        return report_write_gitlab(out, f, tool);
    default:
        return report_write_text(out, f, color);
    }
}

int
report_write_file(const char *path, enum report_format fmt, const struct findings *f,
                  const struct tool_info *tool)
{
    struct buf out = {0};
    int rc = report_render(&out, fmt, f, tool, 0);

    if (rc == 0)
        rc = file_write_atomic(path, out.data, out.len, 0600); /* --show-secrets puts values in it */
    if (rc < 0 && strncmp(err_message(), path, strlen(path)) != 0)
        rc = err_set(rc, "%s: cannot write report: %s", path, err_message());
    buf_free(&out);
    return rc;
}

int
report_color_wanted(int fd)
{
    const char *nc = getenv("NO_COLOR");

    if (nc != NULL && nc[0] != '\0')
        return 0;
    return isatty(fd);
}
