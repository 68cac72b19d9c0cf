/* container: a container inspect document (GET /containers/{id}/json, Docker or Podman) turned
 * into a runtime description. The header of scanner/container/. */
#ifndef SCANNER_CONTAINER_H
#define SCANNER_CONTAINER_H

#include <cjson/cJSON.h>

#include "runtime.h"

/* Fills `d` (initialised with RT_CONTAINER) from an inspect document. `fallback_name` names the
 * container when the document has no Name. ERR_PARSE when the document is not an object. */
int container_describe(const cJSON *inspect, const char *fallback_name, struct runtime_desc *d);

#endif
