/* store_demo.c — what `make demo` runs until the graph engine exists: writes,
 * lists and reads objects in a local store, then shows that of two writers
 * racing on one key with compare-and-swap exactly one wins. */
#include <stdio.h>
#include <string.h>

#include "store/store.h"

static int fail(const char *what)
{
    char msg[1024];
    fprintf(stderr, "demo: %s failed: %s\n", what, og_error_format(msg, sizeof msg));
    return 1;
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : "demo-store";
    og_store *s = NULL;
    og_buf body = OG_BUF_INIT;
    og_list l = {0};
    int rc = 1;
    if (og_store_fs_open(root, true, &s)) return fail("open");
    printf("opened local store at %s\n", root);

    og_store_delete_prefix(s, "demo/");
    const char *people[] = {"alice", "bob", "carol"};
    for (int i = 0; i < 3; i++) {
        char key[64], val[64];
        snprintf(key, sizeof key, "demo/people/%s.json", people[i]);
        snprintf(val, sizeof val, "{\"name\":\"%s\",\"age\":%d}", people[i], 30 + i);
        if (og_store_put(s, key, val, strlen(val), NULL)) { fail("put"); goto done; }
        printf("put   %s = %s\n", key, val);
    }
    if (og_store_list_all(s, "demo/", &l)) { fail("list"); goto done; }
    printf("list  demo/ -> %zu objects\n", l.len);
    for (size_t i = 0; i < l.len; i++) {
        if (og_store_get(s, l.items[i].key, &body, NULL)) { fail("get"); goto done; }
        printf("get   %s -> %s\n", l.items[i].key, og_buf_cstr(&body));
    }

    /* Compare-and-swap: a head pointer created once, then two writers that
     * both read etag E try to move it; the second must lose. */
    og_obj_meta m;
    if (og_store_put_if_absent(s, "demo/HEAD", "v1", 2, &m)) { fail("put_if_absent"); goto done; }
    printf("cas   demo/HEAD created as v1 (etag %.12s...)\n", m.etag);
    og_status r1 = og_store_put_if_match(s, "demo/HEAD", m.etag, "v2-writer-A", 11, NULL);
    og_status r2 = og_store_put_if_match(s, "demo/HEAD", m.etag, "v2-writer-B", 11, NULL);
    printf("cas   writer A with etag of v1: %s\n", r1 == OG_OK ? "won" : og_code_name(r1));
    printf("cas   writer B with etag of v1: %s\n", r2 == OG_OK ? "won" : og_code_name(r2));
    og_status r3 = og_store_put_if_absent(s, "demo/HEAD", "again", 5, NULL);
    printf("cas   create demo/HEAD again: %s\n", r3 == OG_OK ? "created" : og_code_name(r3));
    if (og_store_get(s, "demo/HEAD", &body, NULL)) { fail("get"); goto done; }
    printf("get   demo/HEAD -> %s\n", og_buf_cstr(&body));
    rc = (r1 == OG_OK && r2 == OG_E_PRECONDITION && r3 == OG_E_PRECONDITION) ? 0 : 1;
    printf(rc == 0 ? "demo: ok — exactly one writer won\n" : "demo: UNEXPECTED outcome\n");
done:
    og_list_free(&l);
    og_buf_free(&body);
    og_store_close(s);
    return rc;
}
