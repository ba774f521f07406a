/* file.h — reading a whole local file, for front ends and config loaders
 * (the engine itself reads and writes only through src/store).
 * (1) On success *out is a malloc'd, NUL-terminated copy (caller frees) and
 *     *len its length without the NUL.
 * (2) On failure nothing is returned, the message names the path and the
 *     reason, and errno still holds the system error for callers that
 *     format their own message. A file over max bytes is OG_E_LIMIT. */
#ifndef OG_BASE_FILE_H
#define OG_BASE_FILE_H

#include <stddef.h>
#include "status.h"

og_status og_file_read(const char *path, size_t max, char **out, size_t *len);

#endif
