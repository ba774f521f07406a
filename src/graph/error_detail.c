/* error_detail.c — error_detail.h (1)–(3). */
#include "error_detail.h"

#include <stdio.h>
#include <string.h>

#include "base/status.h"

typedef enum { D_NONE = 0, D_KEY, D_LIMIT, D_RECOVERY } dkind;

#define MSG_CAP 1024

typedef struct detail {
    dkind kind;
    char msg[MSG_CAP];   /* the error message it belongs to (truncated) */
    char a[256], b[256], c[512];
    uint64_t limit, actual;
} detail;

static _Thread_local detail g_d;

static void bind_current(dkind k)
{
    g_d.kind = k;
    snprintf(g_d.msg, sizeof g_d.msg, "%s", og_error_last()->message);
}

static int current(void)
{
    if (g_d.kind == D_NONE) return 0;
    const char *m = og_error_last()->message;
    if (og_error_last()->code == OG_OK) return 0;
    size_t n = strlen(g_d.msg);
    if (n < MSG_CAP - 1) return strcmp(m, g_d.msg) == 0;
    return strncmp(m, g_d.msg, n) == 0; /* truncated copy: prefix match */
}

void og_detail_key_conflict(const char *kind, const char *type, const char *id, int idlen)
{
    snprintf(g_d.a, sizeof g_d.a, "%s", kind ? kind : "");
    snprintf(g_d.b, sizeof g_d.b, "%s", type ? type : "");
    if (id) snprintf(g_d.c, sizeof g_d.c, "%.*s", idlen < 0 ? (int)strlen(id) : idlen, id);
    else g_d.c[0] = '\0';
    g_d.limit = id != NULL;
    bind_current(D_KEY);
}

void og_detail_resource_limit(const char *resource, uint64_t limit, uint64_t actual)
{
    snprintf(g_d.c, sizeof g_d.c, "%s", resource ? resource : "");
    g_d.limit = limit;
    g_d.actual = actual;
    bind_current(D_LIMIT);
}

void og_detail_recovery_required(const char *operation_id)
{
    snprintf(g_d.a, sizeof g_d.a, "%s", operation_id ? operation_id : "");
    bind_current(D_RECOVERY);
}

int og_detail_is_current(void) { return current(); }

void og_detail_rebind(void)
{
    if (g_d.kind != D_NONE) bind_current(g_d.kind);
}

int og_detail_is_recovery_required(void) { return current() && g_d.kind == D_RECOVERY; }

json_t *og_detail_json(void)
{
    if (!current()) return NULL;
    switch (g_d.kind) {
    case D_KEY: {
        json_t *k = json_pack("{s:s, s:s}", "entity_kind", g_d.a, "type_name", g_d.b);
        if (k && g_d.limit) json_object_set_new(k, "entity_id", json_string(g_d.c));
        return k ? json_pack("{s:o}", "key_conflict", k) : NULL;
    }
    case D_LIMIT:
        return json_pack("{s:{s:s, s:I, s:I}}", "resource_limit", "resource", g_d.c, "limit",
                         (json_int_t)g_d.limit, "actual", (json_int_t)g_d.actual);
    case D_RECOVERY:
        return json_pack("{s:{s:s}}", "recovery_required", "operation_id", g_d.a);
    case D_NONE: break;
    }
    return NULL;
}
