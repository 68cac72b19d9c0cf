/* predicates: questions several scanners ask and must answer the same way: is this user root,
 * does this mode let others write. */
#include <ctype.h>
#include <string.h>

#include "common.h"

int
user_is_root(const char *user)
{
    size_t n;

    if (user == NULL)
        return 1;
    while (isspace((unsigned char)*user))
        user++;
    n = strcspn(user, ":");
    if (n == 0)
        return user[0] == '\0'; /* ":1000" gives a group only: the image's user */
    if (n == 4 && strncmp(user, "root", 4) == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (user[i] != '0')
            return 0;
    return 1;
}

int
mode_world_writable(unsigned perm, int kind)
{
    if ((perm & 0002) == 0)
        return 0;
    return !((perm & 01000) != 0 && kind != 0);
}

int
mode_text_world_writable(const char *m)
{
    size_t n = strlen(m);
    int others_w = 0, sticky = 0;

    if (n == 0)
        return 0;
    if (strspn(m, "01234567") == n) {
        unsigned perm = 0;
        if (n < 3 || n > 5)
            return 0; /* "2" or "07" leave the others' digit unset */
        for (size_t i = 0; i < n; i++)
            perm = perm * 8 + (unsigned)(m[i] - '0');
        return mode_world_writable(perm & 07777, -1);
    }
    for (const char *p = m; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        size_t who = strspn(p, "ugoa");
        int others = who == 0;
        for (size_t k = 0; k < who; k++)
            if (p[k] == 'o' || p[k] == 'a')
                others = 1;
        if (who < l && (p[who] == '+' || p[who] == '=')) {
            if (others && memchr(p + who, 'w', l - who) != NULL)
                others_w = 1;
            if (memchr(p + who, 't', l - who) != NULL)
                sticky = 1;
        }
        p = e ? e + 1 : p + l;
    }
    return others_w && !sticky;
}
