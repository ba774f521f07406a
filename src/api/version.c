/* version.c — library identity and the error accessors of the public API. */
#include "omnigraph.h"

#include "base/status.h"

const char *og_version(void) { return OG_VERSION_STRING; }

int og_internal_schema_version(void) { return OG_INTERNAL_SCHEMA_VERSION; }

const char *og_errmsg(void)
{
    static _Thread_local char buf[2048];
    return og_error_format(buf, sizeof buf);
}

const char *og_errclass(void)
{
    return og_code_name(og_error_last()->code);
}
