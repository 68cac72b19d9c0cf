/* finding: what a finding takes from a detector hit or from a literal secret value: the redacted
 * preview, the fingerprint, info severity for documented example keys, and the detector rule's
 * title and id for the message. Every scanner turns hits into findings through this. */
#include <string.h>

#include "detect.h"

void
detect_finding_from_hit(struct detect_finding *d, const struct detect_hit *hit)
{
    memset(d, 0, sizeof(*d));
    memcpy(d->redacted, hit->redacted, sizeof(d->redacted));
    memcpy(d->fingerprint, hit->fingerprint, sizeof(d->fingerprint));
    d->redacted[sizeof(d->redacted) - 1] = '\0';
    d->fingerprint[sizeof(d->fingerprint) - 1] = '\0';
    d->x.secret_redacted = d->redacted;
    d->x.secret_fingerprint = d->fingerprint;
    if (hit->is_example) {
        d->x.override_severity = 1;
        d->x.severity = SEV_INFO;
    }
    d->title = hit->rule != NULL && hit->rule->title != NULL ? hit->rule->title : "secret";
    d->id = hit->rule != NULL && hit->rule->id != NULL ? hit->rule->id : "secret";
    d->secret = hit->secret;
    d->secret_len = hit->secret != NULL ? hit->secret_end - hit->secret_start : 0;
}

void
detect_finding_from_value(struct detect_finding *d, const char *value, size_t len)
{
    memset(d, 0, sizeof(*d));
    detect_redact(value, len, d->redacted, sizeof(d->redacted));
    detect_fingerprint(value, len, d->fingerprint);
    d->x.secret_redacted = d->redacted;
    d->x.secret_fingerprint = d->fingerprint;
    d->title = "secret";
    d->id = "secret";
    d->secret = value;
    d->secret_len = len;
}
