/* resp.c — response building and the ErrorOutput of surface.md §5.4.
 * (1) Every error body is {"error": msg, "code"?: ...} plus optional
 *     structured fields; code is omitted for 412 and 503.
 * (2) Library failure classes map to statuses in one table
 *     (og_http_status_for_class); unknown classes are 500 internal.
 * (3) Building a response never fails visibly: on OOM the body is empty.
 * (4) A library failure's structured detail (og_last_error_detail:
 *     key_conflict 409, resource_limit 413, recovery_required 503) is
 *     merged into the body as data; no message is parsed. */
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"
#include "server.h"

void og_resp_free(og_resp *r)
{
    if (r->stream && r->stream_free) r->stream_free(r->stream);
    free(r->body);
    for (int i = 0; i < r->nhdr; i++) free(r->hdr_value[i]);
    memset(r, 0, sizeof *r);
}

static void resp_reset_body(og_resp *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

void og_resp_raw(og_resp *r, int status, const char *ctype, char *body, size_t len)
{
    resp_reset_body(r);
    r->status = status;
    r->ctype = ctype;
    r->body = body;
    r->len = body ? len : 0;
}

void og_resp_json(og_resp *r, int status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    og_resp_raw(r, s ? status : 500, "application/json", s, s ? strlen(s) : 0);
}

void og_resp_header(og_resp *r, const char *name, const char *value)
{
    if (r->nhdr >= OG_RESP_HDRS) return;
    char *v = strdup(value);
    if (!v) return;
    r->hdr_name[r->nhdr] = name;
    r->hdr_value[r->nhdr++] = v;
}

void og_resp_error(og_resp *r, int status, const char *code, const char *msg, json_t *extra)
{
    json_t *o = json_object();
    if (o) {
        json_object_set_new(o, "error", json_string(msg && *msg ? msg : "error"));
        if (!json_object_get(o, "error")) /* invalid UTF-8 in msg */
            json_object_set_new(o, "error", json_string("error (message not valid UTF-8)"));
        if (code && status != 412 && status != 503 && status != 410 && status != 424)
            json_object_set_new(o, "code", json_string(code));
        if (extra && json_is_object(extra)) json_object_update(o, extra);
    }
    json_decref(extra);
    og_resp_json(r, status, o);
    r->status = status;
}

static const struct {
    const char *cls;
    int status;
    const char *code;
} class_map[] = {
    {"parse", 400, "bad_request"},       {"type", 400, "bad_request"},
    {"validation", 400, "bad_request"},  {"invalid", 400, "bad_request"},
    {"unsupported", 400, "bad_request"}, {"not_found", 404, "not_found"},
    {"conflict", 409, "conflict"},       {"exists", 409, "conflict"},
    {"precondition", 412, NULL},         {"limit", 413, "bad_request"},
    {"recovery_required", 503, NULL},
};

int og_http_status_for_class(const char *cls, const char **code_out)
{
    for (size_t i = 0; cls && i < sizeof class_map / sizeof class_map[0]; i++)
        if (!strcmp(class_map[i].cls, cls)) {
            *code_out = class_map[i].code;
            return class_map[i].status;
        }
    *code_out = "internal";
    return 500;
}

void og_resp_lib_error(og_resp *r)
{
    const char *code;
    int status = og_http_status_for_class(og_errclass(), &code);
    const char *d = og_last_error_detail();
    json_t *extra = d ? json_loads(d, 0, NULL) : NULL;
    if (json_object_get(extra, "recovery_required")) status = 503, code = NULL;
    else if (json_object_get(extra, "key_conflict")) status = 409, code = "conflict";
    else if (json_object_get(extra, "resource_limit")) status = 413, code = "bad_request";
    og_resp_error(r, status, code, og_errmsg(), extra);
}
