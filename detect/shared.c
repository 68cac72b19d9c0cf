/* shared: one engine for the whole process, opened at the first use. The rule set is immutable
 * and detect_scan may run on several threads at once, so the Dockerfile scanner and the message
 * redactor (every finding's text) no longer load the database once each. */
#include <pthread.h>

#include "common.h"
#include "detect.h"

static struct detect_engine *shared;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
static int shared_rc;
static char shared_msg[512];

static void
shared_open(void)
{
    shared_rc = detect_open(&shared);
    if (shared_rc < 0)
        (void)str_format(shared_msg, sizeof(shared_msg), "%s", err_message());
}

int
detect_shared(struct detect_engine **out)
{
    (void)pthread_once(&shared_once, shared_open);
    *out = shared;
    if (shared_rc < 0)
        return err_set(shared_rc, "%s", shared_msg);
    return 0;
}
