/* crash_fixture.h — set-up shared by the recovery unit tests and the crash
 * suite (include after testutil.h). Helpers hide set-up and observation;
 * every assertion stays in the tests. */
#ifndef OG_TEST_CRASH_FIXTURE_H
#define OG_TEST_CRASH_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/failpoint.h"
#include "graph/branch.h"
#include "graph/engine.h"
#include "graph/recovery.h"
#include "graph/sidecar.h"
#include "store/store.h"

static const char *CF_SCHEMA =
    "node Person {\n  name: String @key\n  age: I32?\n}\n"
    "node Company {\n  name: String @key\n}\n"
    "edge Knows: Person -> Person\n";

/* A store handle that does not own `inner` (og_graph_open takes one). */
typedef struct cf_shared { og_store base; og_store *inner; } cf_shared;
#define CF_IN(s) (((cf_shared *)(s)->impl)->inner)
static og_status cf_get(og_store *s, const char *k, og_buf *o, og_obj_meta *m) { return og_store_get(CF_IN(s), k, o, m); }
static og_status cf_get_range(og_store *s, const char *k, uint64_t off, uint64_t n, og_buf *o) { return og_store_get_range(CF_IN(s), k, off, n, o); }
static og_status cf_head(og_store *s, const char *k, og_obj_meta *m) { return og_store_head(CF_IN(s), k, m); }
static og_status cf_put(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m) { return og_store_put(CF_IN(s), k, p, n, m); }
static og_status cf_pia(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m) { return og_store_put_if_absent(CF_IN(s), k, p, n, m); }
static og_status cf_pim(og_store *s, const char *k, const char *e, const void *p, size_t n, og_obj_meta *m) { return og_store_put_if_match(CF_IN(s), k, e, p, n, m); }
static og_status cf_list(og_store *s, const char *pf, const char *sa, size_t mk, og_list *o) { return og_store_list(CF_IN(s), pf, sa, mk, o); }
static og_status cf_del(og_store *s, const char *k) { return og_store_delete(CF_IN(s), k); }
static og_status cf_delp(og_store *s, const char *k) { return og_store_delete_prefix(CF_IN(s), k); }
static void cf_close(og_store *s) { free(s->impl); }
static const og_store_ops CF_OPS = {"shared", cf_get, cf_get_range, cf_head, cf_put, cf_pia, cf_pim,
                                    cf_list, cf_del, cf_delp, cf_close, NULL};
static inline og_store *cf_share(og_store *inner)
{
    cf_shared *h = calloc(1, sizeof *h);
    h->inner = inner;
    h->base.ops = &CF_OPS;
    h->base.impl = h;
    return &h->base;
}

static inline og_store *cf_new_graph(void)
{
    og_store *s = NULL;
    OG_CHECK(og_store_mem_open(&s));
    OG_CHECK(og_graph_init(s, CF_SCHEMA, strlen(CF_SCHEMA), false, "setup"));
    return s;
}

static inline og_graph *cf_open(og_store *inner, og_graph_mode mode)
{
    og_graph *g = NULL;
    OG_CHECK(og_graph_open(cf_share(inner), mode, &g));
    return g;
}

static inline const og_decl *cf_type(og_graph *g, og_decl_kind k, const char *name)
{
    return og_catalog_find(og_graph_catalog(g), k, name);
}

/* Person rows (name, age). */
static inline void cf_people(og_batch *b, const char *const *names, const int *ages, size_t n)
{
    og_column *id = NULL, *name = NULL, *age = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0}, i32 = {OG_TYPE_I32, OG_TYPE_NONE, 0};
    OG_CHECK(og_batch_add(b, "id", utf8, &id));
    OG_CHECK(og_batch_add(b, "name", utf8, &name));
    OG_CHECK(og_batch_add(b, "age", i32, &age));
    for (size_t i = 0; i < n; i++) {
        OG_CHECK(og_column_push_str(id, names[i]));
        OG_CHECK(og_column_push_str(name, names[i]));
        OG_CHECK(og_column_push_i64(age, ages[i]));
    }
    OG_CHECK(og_batch_seal(b));
}

static inline void cf_knows(og_batch *b, const char *id, const char *src, const char *dst)
{
    og_column *c[3] = {0};
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
    OG_CHECK(og_batch_add(b, "id", utf8, &c[0]));
    OG_CHECK(og_batch_add(b, "src", utf8, &c[1]));
    OG_CHECK(og_batch_add(b, "dst", utf8, &c[2]));
    OG_CHECK(og_column_push_str(c[0], id));
    OG_CHECK(og_column_push_str(c[1], src));
    OG_CHECK(og_column_push_str(c[2], dst));
    OG_CHECK(og_batch_seal(b));
}

/* One write touching Person and Knows: upserts two people (ages) and an
 * edge between them; returns the commit status (result in *r, nullable). */
static inline og_status cf_write_pair(og_graph *g, const char *branch, const char *a, const char *b,
                                      int age, og_graph_commit_result *r)
{
    og_graph_txn *x = NULL;
    og_batch p = OG_BATCH_INIT, k = OG_BATCH_INIT;
    og_graph_commit_result local;
    memset(&local, 0, sizeof local);
    og_graph_txn_opts o = {branch, "tester", NULL};
    og_status rc = og_graph_txn_begin(g, &o, &x);
    if (rc) return rc;
    const char *names[] = {a, b};
    int ages[] = {age, age};
    char eid[128];
    snprintf(eid, sizeof eid, "%s-%s", a, b);
    cf_people(&p, names, ages, 2);
    cf_knows(&k, eid, a, b);
    rc = og_graph_txn_put(x, cf_type(g, OG_KIND_NODE, "Person"), &p, OG_WRITE_UPSERT);
    if (!rc) rc = og_graph_txn_put(x, cf_type(g, OG_KIND_EDGE, "Knows"), &k, OG_WRITE_UPSERT);
    og_batch_free(&p);
    og_batch_free(&k);
    if (rc) { og_graph_txn_abort(x); return rc; }
    rc = og_graph_txn_commit(x, r ? r : &local);
    og_graph_commit_result_clear(&local);
    return rc;
}

/* Deletes a person and an edge in one write. */
static inline og_status cf_delete_pair(og_graph *g, const char *person, const char *edge)
{
    og_graph_txn *x = NULL;
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    og_graph_txn_opts o = {NULL, "tester", NULL};
    og_status rc = og_graph_txn_begin(g, &o, &x);
    if (rc) return rc;
    rc = og_graph_txn_delete(x, cf_type(g, OG_KIND_NODE, "Person"), &person, 1);
    if (!rc) rc = og_graph_txn_delete(x, cf_type(g, OG_KIND_EDGE, "Knows"), &edge, 1);
    if (rc) { og_graph_txn_abort(x); return rc; }
    rc = og_graph_txn_commit(x, &r);
    og_graph_commit_result_clear(&r);
    return rc;
}

/* ---- observation ---- */

typedef struct cf_lines { char **v; size_t n, cap; } cf_lines;
static og_status cf_line(void *arg, const char *line, size_t len)
{
    cf_lines *l = arg;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = strndup(line, len);
    return OG_OK;
}
static int cf_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The content of a branch as sorted NDJSON lines joined by '\n' (caller frees). */
static inline char *cf_content(og_graph *g, const char *branch)
{
    og_graph_view *v = NULL;
    cf_lines l = {0};
    OG_CHECK(og_graph_view_open(g, branch, NULL, &v));
    OG_CHECK(og_graph_export(v, NULL, 0, cf_line, &l));
    og_graph_view_close(v);
    qsort(l.v, l.n, sizeof *l.v, cf_cmp);
    og_buf b = OG_BUF_INIT;
    for (size_t i = 0; i < l.n; i++) {
        OG_CHECK(og_buf_printf(&b, "%s\n", l.v[i]));
        free(l.v[i]);
    }
    free(l.v);
    return og_buf_detach(&b, NULL);
}

static inline size_t cf_sidecars(og_store *inner)
{
    og_list l;
    OG_CHECK(og_store_list_all(inner, OG_SIDECAR_PREFIX, &l));
    size_t n = l.len;
    og_list_free(&l);
    return n;
}

/* Number of pins of `branch` whose table head differs from the pin. On a
 * branch only its own forks count: pins it inherits on main's tables
 * legitimately lag main's head. */
static inline size_t cf_drift(og_store *inner, const char *branch)
{
    og_graph_snapshot s;
    size_t bad = 0;
    OG_CHECK(og_graph_open_head(inner, branch, &s));
    for (size_t i = 0; i < s.npins; i++) {
        og_table *t = NULL;
        const og_graph_pin *p = &s.pins[i];
        if (branch && strcmp(branch, "main") && (!p->table_branch || strcmp(p->table_branch, branch))) continue;
        if (p->table_branch) OG_CHECK(og_table_open_branch(inner, p->path, p->table_branch, 0, &t));
        else OG_CHECK(og_table_open(inner, p->path, &t));
        if (og_table_version(t) != p->version) bad++;
        og_table_close(t);
    }
    og_graph_snapshot_free(&s);
    return bad;
}

static inline bool cf_commit_exists(og_store *inner, const char *id)
{
    og_graph_snapshot s;
    og_status rc = og_graph_open_commit(inner, id, &s);
    if (rc) { og_error_clear(); return false; }
    og_graph_snapshot_free(&s);
    return true;
}

/* The single sidecar's operation id (asserts exactly one). */
static inline void cf_only_sidecar(og_store *inner, og_sidecar *out)
{
    og_list l;
    OG_CHECK(og_store_list_all(inner, OG_SIDECAR_PREFIX, &l));
    assert_int_equal(l.len, 1);
    OG_CHECK(og_sidecar_read(inner, l.items[0].key, out));
    og_list_free(&l);
}

#endif
