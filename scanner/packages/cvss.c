/* cvss: the CVSS v3.x base score of a vector string (FIRST's specification, section 7), used to
 * rate OSV records; v3.1's rounding (Roundup to one decimal without floating-point error). */
#include <math.h>
#include <string.h>

#include "packages.h"

static double
roundup(double x)
{
    long n = lround(x * 100000.0);
    if (n % 10000 == 0)
        return (double)n / 100000.0;
    return (floor((double)n / 10000.0) + 1.0) / 10.0;
}

/* The value of metric `m` ("AV") in the vector, as one letter; 0 when absent. */
static char
metric(const char *v, const char *m)
{
    size_t n = strlen(m);
    for (const char *p = v; (p = strstr(p, m)) != NULL; p++)
        if ((p == v || p[-1] == '/') && p[n] == ':' && p[n + 1] != '\0' &&
            (p[n + 2] == '/' || p[n + 2] == '\0'))
            return p[n + 1];
    return 0;
}

static double
cia(char c)
{
    return c == 'H' ? 0.56 : c == 'L' ? 0.22 : c == 'N' ? 0.0 : -1;
}

double
osv_cvss3_score(const char *v)
{
    char av = metric(v, "AV"), ac = metric(v, "AC"), pr = metric(v, "PR"), ui = metric(v, "UI"),
         s = metric(v, "S");
    double c = cia(metric(v, "C")), i = cia(metric(v, "I")), a = cia(metric(v, "A"));
    double wav, wac, wpr, wui, iss, impact, expl;
    int changed = s == 'C';

    if (strncmp(v, "CVSS:3.", 7) != 0 || c < 0 || i < 0 || a < 0 || (s != 'U' && s != 'C'))
        return -1;
    wav = av == 'N' ? 0.85 : av == 'A' ? 0.62 : av == 'L' ? 0.55 : av == 'P' ? 0.2 : -1;
    wac = ac == 'L' ? 0.77 : ac == 'H' ? 0.44 : -1;
    wpr = pr == 'N' ? 0.85 : pr == 'L' ? (changed ? 0.68 : 0.62) : pr == 'H' ? (changed ? 0.5 : 0.27) : -1;
    wui = ui == 'N' ? 0.85 : ui == 'R' ? 0.62 : -1;
    if (wav < 0 || wac < 0 || wpr < 0 || wui < 0)
        return -1;
    iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
    expl = 8.22 * wav * wac * wpr * wui;
    if (impact <= 0)
        return 0;
    if (changed)
        return roundup(fmin(1.08 * (impact + expl), 10.0));
    return roundup(fmin(impact + expl, 10.0));
}
