/* value.c — names of the runtime value kinds (see value.h). */
#include "value.h"

const char *og_value_kind_name(og_value_kind k)
{
    static const char *names[] = {"null", "bool", "i64", "u64", "f64", "string",
                                  "date", "datetime", "list", "vector", "blob"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
