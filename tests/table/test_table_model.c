/* test_table_model.c — property tests: random operation sequences against
 * a simple in-memory model, checked at every version.
 * (1) The model is a sorted array of (id, n) per version; n may be null.
 * (2) Operations: append (fresh ids), merge-insert (update-all, a mix of
 *     existing and fresh ids), delete by predicate, overwrite, restore to a
 *     random earlier version, compact. Seeds are fixed; op counts bounded.
 * (3) After every commit the latest snapshot equals the model; at the end
 *     every version is re-opened (open_at) and compared again, and row ids
 *     of rows that survived an update are unchanged. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/table.h"

static const og_type T_UTF8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
static const og_type T_I64 = {OG_TYPE_I64, OG_TYPE_NONE, 0};

#define NULLV INT64_MIN

typedef struct row { int id; int64_t n; } row;
typedef struct model { row *r; size_t n; } model;

static uint64_t seed;
static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static int cmp_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static model model_copy(const model *m)
{
    model c = {malloc((m->n + 1) * sizeof(row)), m->n};
    assert_non_null(c.r);
    if (m->n) memcpy(c.r, m->r, m->n * sizeof(row));
    return c;
}

static row *model_find(model *m, int id)
{
    row k = {id, 0};
    return m->n ? bsearch(&k, m->r, m->n, sizeof(row), cmp_row) : NULL;
}

static void model_put(model *m, int id, int64_t n)
{
    row *r = model_find(m, id);
    if (r) { r->n = n; return; }
    m->r = realloc(m->r, (m->n + 1) * sizeof(row));
    assert_non_null(m->r);
    m->r[m->n].id = id;
    m->r[m->n].n = n;
    m->n++;
    qsort(m->r, m->n, sizeof(row), cmp_row);
}

static void batch_of(og_batch *b, const row *rs, size_t n)
{
    og_column *id, *v;
    OG_CHECK(og_batch_add(b, "id", T_UTF8, &id));
    OG_CHECK(og_batch_add(b, "n", T_I64, &v));
    for (size_t i = 0; i < n; i++) {
        char s[16];
        snprintf(s, sizeof s, "k%05d", rs[i].id);
        OG_CHECK(og_column_push_str(id, s));
        if (rs[i].n == NULLV) OG_CHECK(og_column_push_null(v));
        else OG_CHECK(og_column_push_i64(v, rs[i].n));
    }
    OG_CHECK(og_batch_seal(b));
}

static int64_t rnd_val(void) { return rnd() % 8 == 0 ? NULLV : (int64_t)(rnd() % 1000); }

/* The table's rows as a model, sorted by id. */
static model read_table(og_table *t)
{
    og_batch b = OG_BATCH_INIT;
    model m = {NULL, 0};
    OG_CHECK(og_table_scan(t, NULL, &b));
    m.r = malloc((b.nrows + 1) * sizeof(row));
    assert_non_null(m.r);
    og_column *id = og_batch_col(&b, "id"), *v = og_batch_col(&b, "n");
    for (size_t i = 0; i < b.nrows; i++) {
        size_t len;
        const char *p = og_column_get_bytes(id, i, &len);
        assert_int_equal(len, 6);
        m.r[i].id = atoi(p + 1);
        m.r[i].n = og_column_is_null(v, i) ? NULLV : og_column_get_i64(v, i);
    }
    m.n = b.nrows;
    qsort(m.r, m.n, sizeof(row), cmp_row);
    og_batch_free(&b);
    return m;
}

static void assert_matches(og_table *t, const model *want, uint64_t version)
{
    model got = read_table(t);
    if (got.n != want->n) fail_msg("version %llu: %zu rows, model has %zu", (unsigned long long)version, got.n, want->n);
    for (size_t i = 0; i < got.n; i++)
        if (got.r[i].id != want->r[i].id || got.r[i].n != want->r[i].n)
            fail_msg("version %llu row %zu: table (%d, %lld), model (%d, %lld)", (unsigned long long)version, i,
                     got.r[i].id, (long long)got.r[i].n, want->r[i].id, (long long)want->r[i].n);
    assert_int_equal(og_table_count_rows(t), want->n);
    free(got.r);
}

/* A point lookup of every model row must find exactly it (index path and
 * stats path); an absent key finds nothing. */
static void assert_lookups(og_table *t, const model *want)
{
    for (size_t i = 0; i < want->n; i += 1 + want->n / 8) {
        char s[16];
        snprintf(s, sizeof s, "k%05d", want->r[i].id);
        og_pred p = {"id", OG_CMP_EQ, og_val_str(s), NULL, 0};
        og_scan_opts o = {NULL, 0, &p, 1, 0};
        og_batch b = OG_BATCH_INIT;
        OG_CHECK(og_table_scan(t, &o, &b));
        assert_int_equal(b.nrows, 1);
        og_batch_free(&b);
    }
    og_pred p = {"id", OG_CMP_EQ, og_val_str("k99999"), NULL, 0};
    og_scan_opts o = {NULL, 0, &p, 1, 0};
    og_batch b = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(t, &o, &b));
    assert_int_equal(b.nrows, 0);
    og_batch_free(&b);
}

static void run_model(og_store *s, uint64_t seed0, int nops)
{
    og_schema sc;
    og_txn *x;
    og_table *t;
    model *models = calloc((size_t)nops + 2, sizeof *models); /* index = version */
    int next_id = 0;
    assert_non_null(models);
    seed = seed0;
    memset(&sc, 0, sizeof sc);
    OG_CHECK(og_schema_add(&sc, "id", T_UTF8, false, true));
    OG_CHECK(og_schema_add(&sc, "n", T_I64, true, false));
    OG_CHECK(og_table_stage_create(s, "m", &sc, NULL, &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, &t));
    og_txn_free(x);
    og_table_set_page_rows(t, 8);
    model cur = {NULL, 0};
    models[1] = model_copy(&cur);
    for (int op = 0; op < nops; op++) {
        int kind = (int)(rnd() % 100);
        og_batch b = OG_BATCH_INIT;
        x = NULL;
        model next = model_copy(&cur);
        if (kind < 25) { /* append fresh ids */
            size_t n = 1 + rnd() % 20;
            row *rs = malloc(n * sizeof *rs);
            for (size_t i = 0; i < n; i++) { rs[i].id = next_id++; rs[i].n = rnd_val(); model_put(&next, rs[i].id, rs[i].n); }
            batch_of(&b, rs, n);
            OG_CHECK(og_table_stage_append(t, &b, &x));
            free(rs);
        } else if (kind < 55) { /* merge-insert: existing and fresh ids */
            size_t n = 1 + rnd() % 12, k = 0;
            row *rs = malloc(n * sizeof *rs);
            for (size_t i = 0; i < n; i++) {
                int id = (cur.n && rnd() % 2) ? cur.r[rnd() % cur.n].id : next_id++;
                bool dup = false;
                for (size_t j = 0; j < k; j++) dup |= rs[j].id == id;
                if (dup) continue; /* first seen wins: keep the source unique */
                rs[k].id = id;
                rs[k].n = rnd_val();
                model_put(&next, id, rs[k].n);
                k++;
            }
            batch_of(&b, rs, k);
            og_merge_stats ms;
            OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, &ms, &x));
            assert_int_equal(ms.inserted + ms.updated + ms.skipped, k);
            free(rs);
        } else if (kind < 72) { /* delete n < bound, or one id */
            uint64_t aff = 0;
            if (rnd() % 2 || !cur.n) {
                int64_t bound = (int64_t)(rnd() % 120);
                og_pred p = {"n", OG_CMP_LT, og_val_i64(bound), NULL, 0};
                OG_CHECK(og_table_stage_delete(t, &p, 1, &aff, &x));
                size_t w = 0;
                for (size_t i = 0; i < next.n; i++)
                    if (next.r[i].n == NULLV || next.r[i].n >= bound) next.r[w++] = next.r[i];
                assert_int_equal(aff, next.n - w);
                next.n = w;
            } else {
                char ks[16];
                int id = cur.r[rnd() % cur.n].id;
                snprintf(ks, sizeof ks, "k%05d", id);
                og_pred p = {"id", OG_CMP_EQ, og_val_str(ks), NULL, 0};
                OG_CHECK(og_table_stage_delete(t, &p, 1, &aff, &x));
                assert_int_equal(aff, 1);
                row *r = model_find(&next, id);
                memmove(r, r + 1, (size_t)((next.r + next.n) - (r + 1)) * sizeof(row));
                next.n--;
            }
        } else if (kind < 78) { /* overwrite with a fresh small set */
            size_t n = rnd() % 10;
            row *rs = malloc((n + 1) * sizeof *rs);
            next.n = 0;
            for (size_t i = 0; i < n; i++) { rs[i].id = next_id++; rs[i].n = rnd_val(); model_put(&next, rs[i].id, rs[i].n); }
            batch_of(&b, rs, n);
            OG_CHECK(og_table_stage_overwrite(t, NULL, &b, &x));
            free(rs);
        } else if (kind < 86) { /* restore a random earlier version */
            uint64_t v = og_table_version(t);
            uint64_t target = 1 + rnd() % v;
            free(next.r);
            next = model_copy(&models[target]);
            OG_CHECK(og_table_stage_restore(t, target, &x));
        } else if (kind < 92) { /* create or refresh the key index */
            OG_CHECK(og_table_stage_create_index(t, "id_idx", "id", &x));
        } else { /* compact */
            og_compact_opts co = {16};
            OG_CHECK(og_table_stage_compact(t, &co, &x));
        }
        og_batch_free(&b);
        if (!x) { /* nothing to do (empty delete, nothing to compact) */
            free(next.r);
            continue;
        }
        og_table *t2;
        uint64_t v;
        OG_CHECK(og_txn_commit(x, NULL, &v, &t2));
        og_txn_free(x);
        og_table_close(t);
        t = t2;
        og_table_set_page_rows(t, 8);
        assert_int_equal(v, og_table_version(t));
        free(cur.r);
        cur = next;
        models[v] = model_copy(&cur);
        assert_matches(t, &cur, v);
        if (op % 16 == 0) assert_lookups(t, &cur);
    }
    /* re-open every version, cold, and compare */
    uint64_t last = og_table_version(t);
    assert_true(last > (uint64_t)nops / 2); /* most operations committed */
    for (uint64_t v = 1; v <= last; v++) {
        og_table *o;
        OG_CHECK(og_table_open_at(s, "m", v, &o));
        assert_matches(o, &models[v], v);
        og_table_close(o);
    }
    og_table *o;
    OG_CHECK(og_table_open(s, "m", &o));
    assert_int_equal(og_table_version(o), last);
    assert_lookups(o, &cur);
    og_table_close(o);
    og_table_close(t);
    for (uint64_t v = 0; v <= last; v++) free(models[v].r);
    free(models);
    free(cur.r);
    og_schema_free(&sc);
}

static void test_random_ops_match_model_at_every_version_mem_seed_1(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    run_model(s, 0x9E3779B97F4A7C15ull, 300);
    og_store_close(s);
}

static void test_random_ops_match_model_at_every_version_mem_seed_2(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    run_model(s, 12345, 300);
    og_store_close(s);
}

static void test_random_ops_match_model_at_every_version_fs(void **st)
{
    (void)st;
    og_store *s;
    char *dir = og_test_tmpdir("model");
    OG_CHECK(og_store_fs_open(dir, true, &s));
    run_model(s, 777, 80);
    og_store_close(s);
    og_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ops_match_model_at_every_version_mem_seed_1),
        cmocka_unit_test(test_random_ops_match_model_at_every_version_mem_seed_2),
        cmocka_unit_test(test_random_ops_match_model_at_every_version_fs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
