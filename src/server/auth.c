/* auth.c — bearer token store and check (see auth.h). */
#include "auth.h"

#include "base/file.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static int is_blank(const char *s)
{
    if (!s) return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return 0;
    return 1;
}

og_status og_auth_add(og_auth *a, const char *actor, const char *token)
{
    og_status rc = OG_OK;
    unsigned char d[32];
    if (is_blank(actor)) return og_error_set(OG_E_CONFIG, "bearer token actor id is blank");
    if (is_blank(token)) return og_error_set(OG_E_CONFIG, "bearer token for actor '%s' is blank", actor);
    SHA256((const unsigned char *)token, strlen(token), d);
    for (size_t i = 0; i < a->len; i++) {
        if (!strcmp(a->items[i].actor, actor))
            return og_error_set(OG_E_CONFIG, "duplicate bearer token actor '%s'", actor);
        if (!memcmp(a->items[i].digest, d, sizeof d))
            return og_error_set(OG_E_CONFIG, "duplicate bearer token (actors '%s' and '%s')",
                                a->items[i].actor, actor);
    }
    if (a->len == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 4;
        og_auth_entry *n = realloc(a->items, nc * sizeof *n);
        if (!n) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        a->items = n;
        a->cap = nc;
    }
    char *dup = strdup(actor);
    if (!dup) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    memcpy(a->items[a->len].digest, d, sizeof d);
    a->items[a->len].actor = dup;
    a->len++;
done:
    OPENSSL_cleanse(d, sizeof d);
    return rc;
}

og_status og_auth_add_json(og_auth *a, const char *text, size_t len, const char *what)
{
    og_status rc = OG_OK;
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        rc = og_error_set(OG_E_CONFIG, "%s: invalid JSON: line %d: %s", what, err.line, err.text);
        goto done;
    }
    if (!json_is_object(root)) {
        rc = og_error_set(OG_E_CONFIG, "%s: expected a JSON object {actor: token}", what);
        goto done;
    }
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v) {
        if (!json_is_string(v)) {
            rc = og_error_set(OG_E_CONFIG, "%s: token of actor '%s' is not a string", what, k);
            goto done;
        }
        rc = og_auth_add(a, k, json_string_value(v));
        if (rc) { og_error_context(rc, "%s", what); goto done; }
    }
done:
    json_decref(root);
    return rc;
}

og_status og_auth_load_env(og_auth *a, const char *(*getenv_fn)(const char *))
{
    og_status rc = OG_OK;
    char *text = NULL;
    size_t len = 0;
    const char *one = getenv_fn("OMNIGRAPH_SERVER_BEARER_TOKEN");
    const char *file = getenv_fn("OMNIGRAPH_SERVER_BEARER_TOKENS_FILE");
    const char *js = getenv_fn("OMNIGRAPH_SERVER_BEARER_TOKENS_JSON");
    if (one) {
        rc = og_auth_add(a, "default", one);
        if (rc) { og_error_context(rc, "OMNIGRAPH_SERVER_BEARER_TOKEN"); goto done; }
    }
    if (file && *file) {
        rc = og_file_read(file, (size_t)64 << 20, &text, &len);
        if (rc) goto done;
        rc = og_auth_add_json(a, text, len, "OMNIGRAPH_SERVER_BEARER_TOKENS_FILE");
    } else if (js && *js) {
        rc = og_auth_add_json(a, js, strlen(js), "OMNIGRAPH_SERVER_BEARER_TOKENS_JSON");
    }
done:
    if (text) { OPENSSL_cleanse(text, len); free(text); }
    return rc;
}

og_auth_result og_auth_check(const og_auth *a, const char *header, const char **actor)
{
    unsigned char d[32];
    const char *tok;
    size_t n;
    const char *found = NULL;
    *actor = NULL;
    if (!header || strncasecmp(header, "Bearer ", 7) != 0) return OG_AUTH_MISSING;
    tok = header + 7;
    while (*tok == ' ') tok++;
    n = strlen(tok);
    while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t')) n--;
    if (n == 0) return OG_AUTH_MISSING;
    SHA256((const unsigned char *)tok, n, d);
    for (size_t i = 0; i < a->len; i++) {
        int diff = CRYPTO_memcmp(a->items[i].digest, d, sizeof d);
        /* no early exit: every entry is compared */
        if (diff == 0 && !found) found = a->items[i].actor;
    }
    OPENSSL_cleanse(d, sizeof d);
    if (!found) return OG_AUTH_INVALID;
    *actor = found;
    return OG_AUTH_OK;
}

void og_auth_free(og_auth *a)
{
    for (size_t i = 0; i < a->len; i++) free(a->items[i].actor);
    free(a->items);
    memset(a, 0, sizeof *a);
}
