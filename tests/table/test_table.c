/* test_table.c — versions, staged writes, commit conflicts, scans. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/table.h"

static const og_type T_UTF8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
static const og_type T_I64 = {OG_TYPE_I64, OG_TYPE_NONE, 0};
static const og_type T_LIST = {OG_TYPE_LIST, OG_TYPE_UTF8, 0};

static void schema_people(og_schema *s)
{
    memset(s, 0, sizeof *s);
    OG_CHECK(og_schema_add(s, "id", T_UTF8, false, true));
    OG_CHECK(og_schema_add(s, "age", T_I64, true, false));
    OG_CHECK(og_schema_add(s, "tags", T_LIST, true, false));
}

/* Rows id "<prefix><i>" for i in [from, to), age = i + age_add. */
static void people(og_batch *b, const char *prefix, int from, int to, int age_add)
{
    og_column *id, *age, *tags;
    OG_CHECK(og_batch_add(b, "id", T_UTF8, &id));
    OG_CHECK(og_batch_add(b, "age", T_I64, &age));
    OG_CHECK(og_batch_add(b, "tags", T_LIST, &tags));
    for (int i = from; i < to; i++) {
        char s[64];
        snprintf(s, sizeof s, "%s%04d", prefix, i);
        OG_CHECK(og_column_push_str(id, s));
        if (i % 10 == 9) OG_CHECK(og_column_push_null(age));
        else OG_CHECK(og_column_push_i64(age, i + age_add));
        OG_CHECK(og_column_push_str(og_column_child(tags), "t"));
        OG_CHECK(og_column_list_close(tags));
    }
    OG_CHECK(og_batch_seal(b));
}

static uint64_t commit(og_txn *x)
{
    uint64_t v = 0;
    OG_CHECK(og_txn_commit(x, NULL, &v, NULL));
    og_txn_free(x);
    return v;
}

/* Creates table "t" with n rows p0000..; returns the open store. */
static og_store *make_table(int n)
{
    og_store *s;
    og_schema sc;
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    OG_CHECK(og_store_mem_open(&s));
    schema_people(&sc);
    people(&b, "p", 0, n, 0);
    OG_CHECK(og_table_stage_create(s, "t", &sc, &b, &x));
    assert_int_equal(commit(x), 1);
    og_batch_free(&b);
    og_schema_free(&sc);
    return s;
}

static og_table *open_latest(og_store *s)
{
    og_table *t;
    OG_CHECK(og_table_open(s, "t", &t));
    return t;
}

/* Live row with id `id`, -1 if absent; age via *age. */
static int64_t find_age(og_table *t, const char *id, size_t *count)
{
    og_pred p = {"id", OG_CMP_EQ, og_val_str(id), NULL, 0};
    og_scan_opts o = {NULL, 0, &p, 1, 0};
    og_batch b = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(t, &o, &b));
    int64_t age = b.nrows ? og_column_get_i64(og_batch_col(&b, "age"), 0) : -1;
    if (count) *count = b.nrows;
    og_batch_free(&b);
    return age;
}

static void test_create_append_versions_and_transaction_readback(void **st)
{
    (void)st;
    og_store *s = make_table(30);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    assert_int_equal(og_table_version(t), 1);
    assert_int_equal(og_table_count_rows(t), 30);
    people(&b, "q", 0, 5, 0);
    OG_CHECK(og_table_stage_append(t, &b, &x));
    assert_int_equal(og_txn_read_version(x), 1);
    OG_CHECK(og_txn_set_uuid(x, "omnigraph-schema-01ABC"));
    OG_CHECK(og_txn_set_property(x, "omnigraph.insert_absence", "v1"));
    assert_int_equal(commit(x), 2);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_version(t), 2);
    assert_int_equal(og_table_count_rows(t), 35);
    og_version_info *vi;
    size_t nv;
    OG_CHECK(og_table_versions(s, "t", &vi, &nv));
    assert_int_equal(nv, 2);
    assert_int_equal(vi[0].version, 1);
    assert_int_equal(vi[0].op, OG_TXN_CREATE);
    assert_int_equal(vi[1].op, OG_TXN_APPEND);
    assert_true(vi[1].timestamp_us >= vi[0].timestamp_us && vi[0].timestamp_us > 0);
    free(vi);
    og_txn_record r;
    OG_CHECK(og_table_read_transaction(s, "t", 2, &r));
    assert_int_equal(r.read_version, 1);
    assert_string_equal(r.uuid, "omnigraph-schema-01ABC");
    assert_int_equal(r.op, OG_TXN_APPEND);
    assert_string_equal(og_props_get(&r.props, "omnigraph.insert_absence"), "v1");
    og_txn_record_free(&r);
    /* version 1 is still readable */
    og_table *t1;
    OG_CHECK(og_table_open_at(s, "t", 1, &t1));
    assert_int_equal(og_table_count_rows(t1), 30);
    og_table_close(t1);
    assert_int_equal(og_table_open_at(s, "t", 3, &t1), OG_E_NOTFOUND);
    og_table_close(t);
    og_batch_free(&b);
    og_store_close(s);
}

static void test_open_at_version_is_one_get_and_no_list(void **st)
{
    (void)st;
    og_store *mem = make_table(3), *s;
    og_table *t;
    for (int i = 0; i < 4; i++) {
        og_batch b = OG_BATCH_INIT;
        og_txn *x;
        t = open_latest(mem);
        people(&b, "a", i * 10, i * 10 + 2, 0);
        OG_CHECK(og_table_stage_append(t, &b, &x));
        commit(x);
        og_batch_free(&b);
        og_table_close(t);
    }
    OG_CHECK(og_store_fault_open(mem, &s));
    og_store_fault_reset_counts(s);
    OG_CHECK(og_table_open_at(s, "t", 3, &t));
    assert_int_equal(og_store_fault_count(s, OG_OP_LIST), 0);
    assert_int_equal(og_store_fault_count(s, OG_OP_GET), 1);
    assert_int_equal(og_store_fault_total(s), 1);
    og_table_close(t);
    og_store_fault_reset_counts(s);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(og_table_version(t), 5);
    assert_int_equal(og_store_fault_count(s, OG_OP_LIST), 1);
    assert_int_equal(og_store_fault_count(s, OG_OP_GET), 1);
    og_table_close(t);
    og_store_close(s);
}

static void test_create_race_admits_exactly_one(void **st)
{
    (void)st;
    og_store *s;
    og_schema sc;
    og_txn *a, *b;
    OG_CHECK(og_store_mem_open(&s));
    schema_people(&sc);
    OG_CHECK(og_table_stage_create(s, "t", &sc, NULL, &a));
    OG_CHECK(og_table_stage_create(s, "t", &sc, NULL, &b));
    OG_CHECK(og_txn_commit(a, NULL, NULL, NULL));
    assert_int_equal(og_txn_commit(b, NULL, NULL, NULL), OG_E_PRECONDITION);
    og_txn_free(a);
    og_txn_free(b);
    og_schema_free(&sc);
    og_store_close(s);
}

static void test_merge_insert_update_all_keeps_row_identity(void **st)
{
    (void)st;
    og_store *s = make_table(20);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT, before = OG_BATCH_INIT, after = OG_BATCH_INIT;
    og_txn *x;
    og_merge_stats ms;
    const char *cols[] = {"id", OG_COL_ROWID, OG_COL_CREATED, OG_COL_UPDATED};
    og_pred p = {"id", OG_CMP_EQ, og_val_str("p0005"), NULL, 0};
    og_scan_opts o = {cols, 4, &p, 1, 0};
    OG_CHECK(og_table_scan(t, &o, &before));
    assert_int_equal(before.nrows, 1);
    people(&b, "p", 5, 25, 100); /* 5..19 match, 20..24 new */
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, &ms, &x));
    assert_int_equal(ms.updated, 15);
    assert_int_equal(ms.inserted, 5);
    assert_int_equal(ms.skipped, 0);
    assert_int_equal(commit(x), 2);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_count_rows(t), 25);
    size_t cnt;
    assert_int_equal(find_age(t, "p0005", &cnt), 105);
    assert_int_equal(cnt, 1);
    assert_int_equal(find_age(t, "p0004", NULL), 4);
    assert_int_equal(find_age(t, "p0022", NULL), 122);
    OG_CHECK(og_table_scan(t, &o, &after));
    assert_int_equal(after.nrows, 1);
    assert_int_equal(og_column_get_u64(after.cols[1], 0), og_column_get_u64(before.cols[1], 0));
    assert_int_equal(og_column_get_u64(after.cols[2], 0), 1); /* created at 1 */
    assert_int_equal(og_column_get_u64(after.cols[3], 0), 2); /* updated at 2 */
    og_batch_free(&b);
    og_batch_free(&before);
    og_batch_free(&after);
    og_table_close(t);
    og_store_close(s);
}

static void test_merge_insert_when_matched_fail_stages_nothing(void **st)
{
    (void)st;
    og_store *s = make_table(5);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT;
    og_txn *x = (og_txn *)1;
    og_list l = {0};
    OG_CHECK(og_store_list_all(s, "t/", &l));
    size_t nobj = l.len;
    og_list_free(&l);
    people(&b, "p", 3, 8, 0);
    assert_int_equal(og_table_stage_merge_insert(t, &b, OG_MATCHED_FAIL, OG_NOT_MATCHED_INSERT, NULL, &x), OG_E_EXISTS);
    assert_null(x);
    OG_CHECK(og_store_list_all(s, "t/", &l));
    assert_int_equal(l.len, nobj); /* no file was written */
    og_list_free(&l);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_merge_insert_do_nothing_counts_skipped(void **st)
{
    (void)st;
    og_store *s = make_table(5);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    og_merge_stats ms;
    people(&b, "p", 3, 8, 50);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_DO_NOTHING, OG_NOT_MATCHED_DO_NOTHING, &ms, &x));
    assert_null(x);
    assert_int_equal(ms.skipped, 5);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_DO_NOTHING, OG_NOT_MATCHED_INSERT, &ms, &x));
    assert_int_equal(ms.inserted, 3);
    assert_int_equal(ms.skipped, 2);
    commit(x);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_count_rows(t), 8);
    assert_int_equal(find_age(t, "p0003", NULL), 3);
    assert_int_equal(find_age(t, "p0006", NULL), 56);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_delete_by_predicate_and_ids_zero_match_stages_nothing(void **st)
{
    (void)st;
    og_store *s = make_table(50);
    og_table *t = open_latest(s);
    og_txn *x;
    uint64_t n;
    og_pred none = {"age", OG_CMP_GT, og_val_i64(1000), NULL, 0};
    OG_CHECK(og_table_stage_delete(t, &none, 1, &n, &x));
    assert_null(x);
    assert_int_equal(n, 0);
    og_pred lt = {"age", OG_CMP_LT, og_val_i64(10), NULL, 0};
    OG_CHECK(og_table_stage_delete(t, &lt, 1, &n, &x));
    assert_int_equal(n, 9); /* 0..8; row 9 has a null age */
    assert_int_equal(commit(x), 2);
    og_table_close(t);
    t = open_latest(s);
    og_value ids[] = {og_val_str("p0020"), og_val_str("p0021"), og_val_str("p0003"), og_val_str("zzz")};
    og_pred in = {"id", OG_CMP_IN, {0}, ids, 4};
    OG_CHECK(og_table_stage_delete(t, &in, 1, &n, &x));
    assert_int_equal(n, 2); /* p0003 already deleted, zzz absent */
    assert_int_equal(commit(x), 3);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_count_rows(t), 39);
    assert_int_equal(find_age(t, "p0020", NULL), -1);
    assert_int_equal(find_age(t, "p0022", NULL), 22);
    og_txn_record r;
    OG_CHECK(og_table_read_transaction(s, "t", 3, &r));
    assert_int_equal(r.affected_rows, 2);
    assert_int_equal(r.op, OG_TXN_DELETE);
    og_txn_record_free(&r);
    og_table_close(t);
    og_store_close(s);
}

static void test_overwrite_to_zero_rows_then_restore(void **st)
{
    (void)st;
    og_store *s = make_table(10);
    og_table *t = open_latest(s);
    og_txn *x;
    OG_CHECK(og_table_stage_overwrite(t, NULL, NULL, &x));
    assert_int_equal(commit(x), 2);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_count_rows(t), 0);
    assert_int_equal(og_table_manifest(t)->nfrags, 0);
    OG_CHECK(og_table_stage_restore(t, 1, &x));
    assert_int_equal(commit(x), 3);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_count_rows(t), 10);
    assert_int_equal(find_age(t, "p0007", NULL), 7);
    og_txn_record r;
    OG_CHECK(og_table_read_transaction(s, "t", 3, &r));
    assert_int_equal(r.op, OG_TXN_RESTORE);
    assert_int_equal(r.restore_target, 1);
    og_txn_record_free(&r);
    og_table_close(t);
    og_store_close(s);
}

static void test_restore_fails_when_a_commit_landed_after_its_base(void **st)
{
    (void)st;
    og_store *s = make_table(10);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT;
    og_txn *restore, *app;
    OG_CHECK(og_table_stage_restore(t, 1, &restore));
    people(&b, "z", 0, 3, 0);
    OG_CHECK(og_table_stage_append(t, &b, &app));
    assert_int_equal(commit(app), 2);
    assert_int_equal(og_txn_commit(restore, NULL, NULL, NULL), OG_E_CONFLICT);
    og_txn_free(restore);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_version(t), 2);
    assert_int_equal(og_table_count_rows(t), 13); /* the append survived */
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_unkeyed_style_disjoint_appends_rebase_but_exact_mode_refuses(void **st)
{
    (void)st;
    og_store *s = make_table(4);
    og_table *t = open_latest(s);
    og_batch b1 = OG_BATCH_INIT, b2 = OG_BATCH_INIT, b3 = OG_BATCH_INIT;
    og_txn *x1, *x2, *x3;
    people(&b1, "a", 0, 3, 0);
    people(&b2, "b", 0, 3, 0);
    people(&b3, "c", 0, 3, 0);
    OG_CHECK(og_table_stage_append(t, &b1, &x1));
    OG_CHECK(og_table_stage_append(t, &b2, &x2));
    OG_CHECK(og_table_stage_append(t, &b3, &x3));
    assert_int_equal(commit(x1), 2);
    og_commit_opts exact = {true, 0};
    assert_int_equal(og_txn_commit(x2, &exact, NULL, NULL), OG_E_PRECONDITION);
    uint64_t v;
    OG_CHECK(og_txn_commit(x3, NULL, &v, NULL));
    assert_int_equal(v, 3);
    og_txn_free(x2);
    og_txn_free(x3);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_count_rows(t), 10);
    /* row ids stay unique across the rebase */
    const char *cols[] = {OG_COL_ROWID};
    og_scan_opts o = {cols, 1, NULL, 0, 0};
    og_batch r = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(t, &o, &r));
    for (size_t i = 0; i < r.nrows; i++)
        for (size_t j = i + 1; j < r.nrows; j++)
            assert_true(og_column_get_u64(r.cols[0], i) != og_column_get_u64(r.cols[0], j));
    og_batch_free(&r);
    og_batch_free(&b1);
    og_batch_free(&b2);
    og_batch_free(&b3);
    og_table_close(t);
    og_store_close(s);
}

static void test_concurrent_updates_of_one_row_conflict(void **st)
{
    (void)st;
    og_store *s = make_table(10);
    og_table *t = open_latest(s);
    og_batch b1 = OG_BATCH_INIT, b2 = OG_BATCH_INIT;
    og_txn *x1, *x2;
    people(&b1, "p", 4, 5, 100);
    people(&b2, "p", 4, 5, 200);
    OG_CHECK(og_table_stage_merge_insert(t, &b1, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &x1));
    OG_CHECK(og_table_stage_merge_insert(t, &b2, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &x2));
    commit(x1);
    assert_int_equal(og_txn_commit(x2, NULL, NULL, NULL), OG_E_CONFLICT);
    og_txn_free(x2);
    og_table_close(t);
    t = open_latest(s);
    size_t cnt;
    assert_int_equal(find_age(t, "p0004", &cnt), 104);
    assert_int_equal(cnt, 1);
    og_batch_free(&b1);
    og_batch_free(&b2);
    og_table_close(t);
    og_store_close(s);
}

/* ---- threads ---- */

typedef struct racer {
    og_store *s;
    int idx;
    bool shared_key;
    og_status rc;
    pthread_barrier_t *bar;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    og_table *t = NULL;
    og_batch b = OG_BATCH_INIT;
    og_txn *x = NULL;
    og_column *id;
    char s[32];
    r->rc = og_table_open_at(r->s, "t", 1, &t);
    if (!r->rc) r->rc = og_batch_add(&b, "id", T_UTF8, &id);
    snprintf(s, sizeof s, "own-%d", r->idx);
    if (!r->rc) r->rc = og_column_push_str(id, s);
    if (!r->rc && r->shared_key) r->rc = og_column_push_str(id, "dup");
    if (!r->rc) r->rc = og_batch_seal(&b);
    if (!r->rc) r->rc = og_table_stage_merge_insert(t, &b, OG_MATCHED_FAIL, OG_NOT_MATCHED_INSERT, NULL, &x);
    pthread_barrier_wait(r->bar);
    if (!r->rc) r->rc = og_txn_commit(x, NULL, NULL, NULL);
    og_txn_free(x);
    og_batch_free(&b);
    og_table_close(t);
    return NULL;
}

static void run_racers(og_store *s, int n, bool shared, racer *rs)
{
    pthread_t th[16];
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        rs[i] = (racer){s, i, shared, OG_OK, &bar};
        pthread_create(&th[i], NULL, race, &rs[i]);
    }
    for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&bar);
}

static void test_concurrent_duplicate_key_inserts_one_winner_8_threads(void **st)
{
    (void)st;
    for (int round = 0; round < 5; round++) {
        og_store *s = make_table(3);
        racer rs[8];
        run_racers(s, 8, true, rs);
        int ok = 0, conflict = 0;
        for (int i = 0; i < 8; i++) {
            if (rs[i].rc == OG_OK) ok++;
            else if (rs[i].rc == OG_E_CONFLICT) conflict++;
        }
        assert_int_equal(ok, 1);
        assert_int_equal(conflict, 7);
        og_table *t = open_latest(s);
        size_t cnt;
        find_age(t, "dup", &cnt);
        assert_int_equal(cnt, 1);
        assert_int_equal(og_table_count_rows(t), 5);
        og_table_close(t);
        og_store_close(s);
    }
}

static void test_concurrent_disjoint_key_inserts_all_commit_8_threads(void **st)
{
    (void)st;
    og_store *s = make_table(3);
    racer rs[8];
    run_racers(s, 8, false, rs);
    for (int i = 0; i < 8; i++) assert_int_equal(rs[i].rc, OG_OK);
    og_table *t = open_latest(s);
    assert_int_equal(og_table_version(t), 9);
    assert_int_equal(og_table_count_rows(t), 11);
    og_table_close(t);
    og_store_close(s);
}

/* ---- scans ---- */

static void test_filter_on_sorted_id_fetches_only_needed_pages(void **st)
{
    (void)st;
    og_store *mem, *s;
    og_schema sc;
    og_batch b = OG_BATCH_INIT, out = OG_BATCH_INIT;
    og_txn *x;
    og_table *t;
    OG_CHECK(og_store_mem_open(&mem));
    OG_CHECK(og_store_fault_open(mem, &s));
    schema_people(&sc);
    OG_CHECK(og_table_stage_create(s, "t", &sc, NULL, &x));
    commit(x);
    t = open_latest(s);
    og_table_set_page_rows(t, 100);
    people(&b, "p", 0, 1000, 0); /* 10 pages per column */
    OG_CHECK(og_table_stage_append(t, &b, &x));
    commit(x);
    og_table_close(t);
    t = open_latest(s);
    og_store_fault_reset_counts(s);
    const char *cols[] = {"age"};
    og_pred p = {"id", OG_CMP_EQ, og_val_str("p0457"), NULL, 0};
    og_scan_opts o = {cols, 1, &p, 1, 0};
    OG_CHECK(og_table_scan(t, &o, &out));
    assert_int_equal(out.nrows, 1);
    assert_int_equal(og_column_get_i64(out.cols[0], 0), 457);
    /* tail + footer + one id page + one age page; no whole-object GET */
    assert_int_equal(og_store_fault_count(s, OG_OP_GET_RANGE), 4);
    assert_int_equal(og_store_fault_count(s, OG_OP_GET), 0);
    og_batch_free(&out);
    /* a range predicate prunes by the i64 statistics too */
    og_store_fault_reset_counts(s);
    og_pred r2[] = {{"age", OG_CMP_GE, og_val_i64(990), NULL, 0}};
    og_scan_opts o2 = {cols, 1, r2, 1, 0};
    OG_CHECK(og_table_scan(t, &o2, &out));
    assert_int_equal(out.nrows, 9); /* 990..998; 999 is null */
    /* the handle keeps the footer: only the age page is read (once) */
    assert_int_equal(og_store_fault_count(s, OG_OP_GET_RANGE), 1);
    og_batch_free(&out);
    og_batch_free(&b);
    og_schema_free(&sc);
    og_table_close(t);
    og_store_close(s);
}

static void test_take_by_row_id_in_request_order(void **st)
{
    (void)st;
    og_store *s = make_table(20);
    og_table *t = open_latest(s);
    uint64_t ids[] = {7, 2, 15};
    const char *cols[] = {"id"};
    og_batch out = OG_BATCH_INIT;
    OG_CHECK(og_table_take(t, ids, 3, cols, 1, &out));
    assert_int_equal(out.nrows, 3);
    size_t n;
    assert_memory_equal(og_column_get_bytes(out.cols[0], 0, &n), "p0007", 5);
    assert_memory_equal(og_column_get_bytes(out.cols[0], 1, &n), "p0002", 5);
    assert_memory_equal(og_column_get_bytes(out.cols[0], 2, &n), "p0015", 5);
    og_batch_free(&out);
    uint64_t bad[] = {3, 999};
    assert_int_equal(og_table_take(t, bad, 2, cols, 1, &out), OG_E_NOTFOUND);
    og_batch_free(&out);
    /* no column list: every schema field, in schema order (the name array
     * was once sized before the field count was known) */
    const og_schema *sc = &og_table_manifest(t)->schema;
    OG_CHECK(og_table_take(t, ids, 3, NULL, 0, &out));
    assert_int_equal(out.nrows, 3);
    assert_int_equal(out.ncols, sc->nfields);
    for (size_t c = 0; c < sc->nfields; c++) assert_string_equal(out.names[c], sc->fields[c].name);
    assert_memory_equal(og_column_get_bytes(og_batch_col(&out, "id"), 1, &n), "p0002", 5);
    og_batch_free(&out);
    og_table_close(t);
    og_store_close(s);
}

static void test_projection_limit_and_null_predicates(void **st)
{
    (void)st;
    og_store *s = make_table(30);
    og_table *t = open_latest(s);
    og_batch out = OG_BATCH_INIT;
    og_pred p = {"age", OG_CMP_IS_NULL, {0}, NULL, 0};
    const char *cols[] = {"id"};
    og_scan_opts o = {cols, 1, &p, 1, 0};
    OG_CHECK(og_table_scan(t, &o, &out));
    assert_int_equal(out.nrows, 3);
    assert_int_equal(out.ncols, 1);
    og_batch_free(&out);
    og_scan_opts lim = {NULL, 0, NULL, 0, 7};
    OG_CHECK(og_table_scan(t, &lim, &out));
    assert_int_equal(out.nrows, 7);
    assert_int_equal(out.ncols, 3);
    og_batch_free(&out);
    og_scan_opts badc = {(const char *[]){"nope"}, 1, NULL, 0, 0};
    assert_int_equal(og_table_scan(t, &badc, &out), OG_E_INVALID);
    og_batch_free(&out);
    og_table_close(t);
    og_store_close(s);
}

static void test_rows_breaking_the_schema_are_rejected(void **st)
{
    (void)st;
    og_store *s = make_table(1);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT;
    og_column *c;
    og_txn *x;
    OG_CHECK(og_batch_add(&b, "id", T_I64, &c));
    OG_CHECK(og_column_push_i64(c, 1));
    OG_CHECK(og_batch_seal(&b));
    assert_int_equal(og_table_stage_append(t, &b, &x), OG_E_VALIDATION);
    og_batch_free(&b);
    OG_CHECK(og_batch_add(&b, "id", T_UTF8, &c));
    OG_CHECK(og_column_push_null(c));
    OG_CHECK(og_batch_seal(&b));
    assert_int_equal(og_table_stage_append(t, &b, &x), OG_E_VALIDATION);
    og_batch_free(&b);
    OG_CHECK(og_batch_add(&b, "other", T_UTF8, &c));
    OG_CHECK(og_column_push_str(c, "x"));
    OG_CHECK(og_batch_seal(&b));
    assert_int_equal(og_table_stage_append(t, &b, &x), OG_E_VALIDATION);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_corrupt_manifest_or_fragment_in_store_is_corrupt(void **st)
{
    (void)st;
    og_store *s = make_table(5);
    og_table *t = open_latest(s);
    og_buf data = OG_BUF_INIT, key = OG_BUF_INIT;
    og_batch out = OG_BATCH_INIT;
    /* flip a byte of the fragment file: the scan fails, never crashes */
    og_buf_printf(&key, "t/%s", og_table_manifest(t)->frags[0].file);
    OG_CHECK(og_store_get(s, key.data, &data, NULL));
    data.data[data.len / 2] ^= 1;
    OG_CHECK(og_store_put(s, key.data, data.data, data.len, NULL));
    assert_int_equal(og_table_scan(t, NULL, &out), OG_E_CORRUPT);
    og_batch_free(&out);
    /* a truncated fragment (shorter than the manifest says) is corrupt too */
    OG_CHECK(og_store_put(s, key.data, data.data, data.len / 3, NULL));
    assert_int_equal(og_table_scan(t, NULL, &out), OG_E_CORRUPT);
    og_batch_free(&out);
    og_table_close(t);
    /* a flipped manifest byte makes the open fail */
    og_list l = {0};
    OG_CHECK(og_store_list_all(s, "t/_versions/", &l));
    OG_CHECK(og_store_get(s, l.items[0].key, &data, NULL));
    data.data[30] ^= 1;
    OG_CHECK(og_store_put(s, l.items[0].key, data.data, data.len, NULL));
    assert_int_equal(og_table_open(s, "t", &t), OG_E_CORRUPT);
    og_list_free(&l);
    og_buf_free(&data);
    og_buf_free(&key);
    og_store_close(s);
}

static void test_recommit_of_same_identity_is_idempotent_and_spent_txn_refused(void **st)
{
    (void)st;
    og_store *s = make_table(3);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT;
    og_txn *x1, *x2;
    uint64_t v;
    people(&b, "n", 0, 2, 0);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_FAIL, OG_NOT_MATCHED_INSERT, NULL, &x1));
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_FAIL, OG_NOT_MATCHED_INSERT, NULL, &x2));
    OG_CHECK(og_txn_set_uuid(x2, og_txn_uuid(x1)));
    OG_CHECK(og_txn_commit(x1, NULL, &v, NULL));
    assert_int_equal(v, 2);
    assert_int_equal(og_txn_commit(x1, NULL, NULL, NULL), OG_E_INVALID);
    /* the same (read_version, uuid) committed again, as after a lost reply */
    OG_CHECK(og_txn_commit(x2, NULL, &v, NULL));
    assert_int_equal(v, 2);
    og_txn_free(x1);
    og_txn_free(x2);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_version(t), 2);
    assert_int_equal(og_table_count_rows(t), 5);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_fs_store_duplicate_key_inserts_one_winner_16_threads(void **st)
{
    (void)st;
    char *dir = og_test_tmpdir("table_fs_race");
    og_store *s;
    og_schema sc;
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    OG_CHECK(og_store_fs_open(dir, true, &s));
    schema_people(&sc);
    people(&b, "p", 0, 3, 0);
    OG_CHECK(og_table_stage_create(s, "t", &sc, &b, &x));
    commit(x);
    racer rs[16];
    run_racers(s, 16, true, rs);
    int ok = 0, conflict = 0;
    for (int i = 0; i < 16; i++) {
        if (rs[i].rc == OG_OK) ok++;
        else if (rs[i].rc == OG_E_CONFLICT) conflict++;
    }
    assert_int_equal(ok, 1);
    assert_int_equal(conflict, 15);
    og_table *t = open_latest(s);
    size_t cnt;
    find_age(t, "dup", &cnt);
    assert_int_equal(cnt, 1);
    og_table_close(t);
    og_batch_free(&b);
    og_schema_free(&sc);
    og_store_close(s);
    og_test_rmtree(dir);
    free(dir);
}

/* Crash at every store operation of a merge-insert (stage + commit): after
 * the "restart" the table is at the old or the new version, whole. */
static void test_merge_insert_crash_at_every_step_leaves_a_whole_version(void **st)
{
    (void)st;
    int crashed_runs = 0;
    for (unsigned n = 1; n < 200; n++) {
        og_store *mem = make_table(10), *s;
        og_table *t;
        og_batch b = OG_BATCH_INIT;
        og_txn *x = NULL;
        OG_CHECK(og_store_fault_open(mem, &s));
        OG_CHECK(og_table_open(s, "t", &t));
        people(&b, "p", 5, 15, 100);
        og_store_fault_crash_at(s, n);
        og_status rc = og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &x);
        if (!rc) rc = og_txn_commit(x, NULL, NULL, NULL);
        bool crashed = og_store_fault_crashed(s);
        og_txn_free(x);
        og_table_close(t);
        og_store_fault_reopen(s);
        og_store_fault_crash_at(s, 0);
        t = open_latest(s);
        if (og_table_version(t) == 1) {
            assert_true(crashed);
            assert_int_equal(og_table_count_rows(t), 10);
            assert_int_equal(find_age(t, "p0006", NULL), 6);
        } else {
            assert_int_equal(og_table_version(t), 2);
            assert_int_equal(og_table_count_rows(t), 15);
            assert_int_equal(find_age(t, "p0006", NULL), 106);
            assert_int_equal(find_age(t, "p0012", NULL), 112);
        }
        og_batch full = OG_BATCH_INIT;
        OG_CHECK(og_table_scan(t, NULL, &full)); /* every referenced file is there */
        og_batch_free(&full);
        og_table_close(t);
        og_batch_free(&b);
        og_store_close(s);
        if (!crashed) { assert_int_equal(rc, OG_OK); break; }
        crashed_runs++;
    }
    assert_true(crashed_runs > 3);
}

static void test_location_identity_and_delta_by_version_columns(void **st)
{
    (void)st;
    og_store *s = make_table(5);
    og_table *t = open_latest(s), *t1;
    og_batch b = OG_BATCH_INIT, out = OG_BATCH_INIT;
    og_txn *x;
    og_table_loc a, c;
    OG_CHECK(og_table_location(t, &a));
    assert_non_null(strstr(a.key, "t/_versions/"));
    assert_true(a.size > 0 && a.etag[0]);
    OG_CHECK(og_table_open_at(s, "t", 1, &t1));
    OG_CHECK(og_table_location(t1, &c));
    assert_string_equal(a.key, c.key);
    assert_string_equal(a.etag, c.etag);
    og_table_close(t1);
    /* v2 updates p0001 and inserts n0000; v3 appends */
    people(&b, "p", 1, 2, 50);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &x));
    commit(x);
    og_batch_free(&b);
    og_table_close(t);
    t = open_latest(s);
    people(&b, "n", 0, 2, 0);
    OG_CHECK(og_table_stage_append(t, &b, &x));
    commit(x);
    og_table_close(t);
    t = open_latest(s);
    /* delta (1, 2]: rows whose last update is in that interval */
    og_pred d[] = {{OG_COL_UPDATED, OG_CMP_GT, og_val_u64(1), NULL, 0}, {OG_COL_UPDATED, OG_CMP_LE, og_val_u64(2), NULL, 0}};
    const char *cols[] = {"id", OG_COL_CREATED};
    og_scan_opts o = {cols, 2, d, 2, 0};
    OG_CHECK(og_table_scan(t, &o, &out));
    assert_int_equal(out.nrows, 1);
    size_t n;
    assert_memory_equal(og_column_get_bytes(out.cols[0], 0, &n), "p0001", 5);
    assert_int_equal(og_column_get_u64(out.cols[1], 0), 1);
    og_batch_free(&out);
    og_pred created3 = {OG_COL_CREATED, OG_CMP_EQ, og_val_u64(3), NULL, 0};
    og_scan_opts o3 = {cols, 2, &created3, 1, 0};
    OG_CHECK(og_table_scan(t, &o3, &out));
    assert_int_equal(out.nrows, 2);
    og_batch_free(&out);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_combined_upsert_and_delete_commit_as_one_version(void **st)
{
    (void)st;
    og_store *s = make_table(10);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT;
    og_txn *up, *del;
    uint64_t v;
    people(&b, "p", 8, 12, 100); /* updates p0008, p0009; inserts p0010, p0011 */
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &up));
    og_value ids[] = {og_val_str("p0001"), og_val_str("p0002")};
    og_pred p = {"id", OG_CMP_IN, {0}, ids, 2};
    OG_CHECK(og_table_stage_delete(t, &p, 1, NULL, &del));
    OG_CHECK(og_txn_set_property(del, "k", "v"));
    OG_CHECK(og_txn_combine(up, del));
    assert_int_equal(og_txn_commit(del, NULL, NULL, NULL), OG_E_INVALID); /* folded away */
    OG_CHECK(og_txn_commit(up, NULL, &v, NULL));
    assert_int_equal(v, 2);
    og_txn_free(up);
    og_txn_free(del);
    og_table_close(t);
    t = open_latest(s);
    assert_int_equal(og_table_count_rows(t), 10); /* 10 + 2 inserted - 2 deleted */
    assert_int_equal(find_age(t, "p0001", NULL), -1);
    assert_int_equal(find_age(t, "p0008", NULL), 108);
    assert_int_equal(find_age(t, "p0011", NULL), 111);
    assert_int_equal(find_age(t, "p0003", NULL), 3);
    og_txn_record r;
    OG_CHECK(og_table_read_transaction(s, "t", 2, &r));
    assert_int_equal(r.op, OG_TXN_MERGE);
    assert_string_equal(og_props_get(&r.props, "k"), "v");
    og_txn_record_free(&r);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_scanner_streams_bounded_batches_across_fragments(void **st)
{
    (void)st;
    og_store *s = make_table(250);
    og_table *t = open_latest(s);
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    people(&b, "q", 0, 130, 0);
    OG_CHECK(og_table_stage_append(t, &b, &x));
    commit(x);
    og_table_close(t);
    t = open_latest(s);
    og_pred p = {"age", OG_CMP_NOT_NULL, {0}, NULL, 0};
    const char *cols[] = {"id", "age"};
    og_scan_opts o = {cols, 2, &p, 1, 0};
    og_scanner *sc;
    OG_CHECK(og_scanner_open(t, &o, 64, &sc));
    size_t total = 0, batches = 0;
    int64_t sum = 0;
    for (;;) {
        og_batch out = OG_BATCH_INIT;
        bool done;
        OG_CHECK(og_scanner_next(sc, &out, &done));
        assert_int_equal(out.ncols, 2);
        if (done) { assert_int_equal(out.nrows, 0); og_batch_free(&out); break; }
        assert_true(out.nrows > 0 && out.nrows <= 64);
        for (size_t i = 0; i < out.nrows; i++) sum += og_column_get_i64(out.cols[1], i);
        total += out.nrows;
        batches++;
        og_batch_free(&out);
    }
    og_scanner_close(sc);
    assert_int_equal(total, 225 + 117); /* every 10th age is null */
    assert_true(batches >= 6);
    int64_t want = 0;
    for (int i = 0; i < 250; i++) if (i % 10 != 9) want += i;
    for (int i = 0; i < 130; i++) if (i % 10 != 9) want += i;
    assert_int_equal(sum, want);
    /* a limit spanning batches */
    og_scan_opts lim = {cols, 2, NULL, 0, 100};
    OG_CHECK(og_scanner_open(t, &lim, 30, &sc));
    total = 0;
    for (;;) {
        og_batch out = OG_BATCH_INIT;
        bool done;
        OG_CHECK(og_scanner_next(sc, &out, &done));
        total += out.nrows;
        og_batch_free(&out);
        if (done) break;
    }
    og_scanner_close(sc);
    assert_int_equal(total, 100);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_take_many_ids_uses_sorted_set_and_rejects_deleted(void **st)
{
    (void)st;
    og_store *s = make_table(3000);
    og_table *t = open_latest(s);
    uint64_t ids[1500];
    for (size_t i = 0; i < 1500; i++) ids[i] = (uint64_t)((i * 7919) % 3000);
    const char *cols[] = {"id", OG_COL_ROWID};
    og_batch out = OG_BATCH_INIT;
    OG_CHECK(og_table_take(t, ids, 1500, cols, 2, &out));
    assert_int_equal(out.nrows, 1500);
    for (size_t i = 0; i < 1500; i++) {
        char want[16];
        size_t n;
        snprintf(want, sizeof want, "p%04llu", (unsigned long long)ids[i]);
        assert_memory_equal(og_column_get_bytes(out.cols[0], i, &n), want, 5);
        assert_int_equal(og_column_get_u64(out.cols[1], i), ids[i]);
    }
    og_batch_free(&out);
    og_txn *x;
    og_pred p = {"id", OG_CMP_EQ, og_val_str("p0042"), NULL, 0};
    OG_CHECK(og_table_stage_delete(t, &p, 1, NULL, &x));
    commit(x);
    og_table_close(t);
    t = open_latest(s);
    uint64_t some[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 42};
    assert_int_equal(og_table_take(t, some, 10, cols, 2, &out), OG_E_NOTFOUND);
    og_batch_free(&out);
    og_table_close(t);
    og_store_close(s);
}

static void test_in_with_many_utf8_values_matches_exactly(void **st)
{
    (void)st;
    og_store *s = make_table(500);
    og_table *t = open_latest(s);
    char names[40][16];
    og_value vals[40];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], i % 2 ? "p%04d" : "x%04d", i * 11);
        vals[i] = og_val_str(names[i]);
    }
    og_pred p = {"id", OG_CMP_IN, {0}, vals, 40};
    og_scan_opts o = {NULL, 0, &p, 1, 0};
    og_batch out = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(t, &o, &out));
    assert_int_equal(out.nrows, 20); /* the odd ones exist (i*11 < 500) */
    og_batch_free(&out);
    og_table_close(t);
    og_store_close(s);
}

/* Point mode (table_scan.c (4)): an indexed lookup visits only the
 * candidates' pages and rows, yet must give exactly what an unindexed scan
 * gives, with duplicate IN values, deleted rows, an extra predicate that
 * fails and rows on pages other than the first. */
static void test_indexed_point_lookup_matches_unindexed_scan(void **st)
{
    (void)st;
    og_store *mem, *s;
    og_schema sc;
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    og_table *t, *ti;
    OG_CHECK(og_store_mem_open(&mem));
    OG_CHECK(og_store_fault_open(mem, &s));
    schema_people(&sc);
    OG_CHECK(og_table_stage_create(s, "t", &sc, NULL, &x));
    commit(x);
    t = open_latest(s);
    og_table_set_page_rows(t, 64);
    people(&b, "p", 0, 700, 0); /* 11 pages */
    OG_CHECK(og_table_stage_append(t, &b, &x));
    commit(x);
    og_table_close(t);
    og_batch_free(&b);
    t = open_latest(s);
    og_pred dp = {"id", OG_CMP_EQ, og_val_str("p0300"), NULL, 0};
    uint64_t aff = 0;
    OG_CHECK(og_table_stage_delete(t, &dp, 1, &aff, &x));
    assert_int_equal(aff, 1);
    commit(x);
    og_table_close(t);
    t = open_latest(s);
    OG_CHECK(og_table_stage_create_index(t, "id_idx", "id", &x));
    commit(x);
    ti = open_latest(s);
    assert_int_equal(og_table_manifest(ti)->nindices, 1);
    const char *ids[] = {"p0005", "p0300", "p0699", "p0064", "p0005", "nope", "p0063", "p0128"};
    og_value vals[8];
    for (int i = 0; i < 8; i++) vals[i] = og_val_str(ids[i]);
    const char *cols[] = {"id", "age", OG_COL_ROWID};
    og_pred cases[][2] = {
        {{"id", OG_CMP_IN, {0}, vals, 8}, {"age", OG_CMP_NOT_NULL, {0}, NULL, 0}},
        {{"id", OG_CMP_IN, {0}, vals, 8}, {"age", OG_CMP_GT, og_val_i64(100), NULL, 0}},
        {{"id", OG_CMP_EQ, og_val_str("p0699"), NULL, 0}, {"age", OG_CMP_NOT_NULL, {0}, NULL, 0}},
        {{"id", OG_CMP_EQ, og_val_str("p0300"), NULL, 0}, {"age", OG_CMP_NOT_NULL, {0}, NULL, 0}},
    };
    size_t want[] = {4, 1, 0, 0}; /* p0699 has a null age; p0300 is deleted */
    for (size_t k = 0; k < 4; k++) {
        for (size_t np = 1; np <= 2; np++) {
            og_batch a = OG_BATCH_INIT, c = OG_BATCH_INIT;
            og_scan_opts o = {cols, 3, cases[k], np, 0};
            OG_CHECK(og_table_scan(ti, &o, &a));
            OG_CHECK(og_table_scan(t, &o, &c));
            assert_int_equal(a.nrows, c.nrows);
            if (np == 2) assert_int_equal(a.nrows, want[k]);
            for (size_t r = 0; r < a.nrows; r++) {
                size_t la, lc;
                const char *pa = og_column_get_bytes(a.cols[0], r, &la), *pc = og_column_get_bytes(c.cols[0], r, &lc);
                assert_int_equal(la, lc);
                assert_memory_equal(pa, pc, la);
                assert_int_equal(og_column_get_u64(a.cols[2], r), og_column_get_u64(c.cols[2], r));
            }
            og_batch_free(&a);
            og_batch_free(&c);
        }
    }
    /* a warm indexed lookup reads no store object at all */
    og_store_fault_reset_counts(s);
    og_batch a = OG_BATCH_INIT;
    og_scan_opts o = {cols, 3, cases[2], 1, 0};
    OG_CHECK(og_table_scan(ti, &o, &a));
    assert_int_equal(a.nrows, 1);
    assert_int_equal(og_store_fault_total(s), 0);
    og_batch_free(&a);
    og_schema_free(&sc);
    og_table_close(t);
    og_table_close(ti);
    og_store_close(s);
}

static void test_metadata_updates_commit_and_conflict_only_with_each_other(void **st)
{
    (void)st;
    og_store *s = make_table(3);
    og_table *t = open_latest(s);
    og_txn *m1, *m2, *app;
    og_batch b = OG_BATCH_INIT;
    OG_CHECK(og_table_stage_set_metadata(t, NULL, "omnigraph.schema_ir_hash", "abc", &m1));
    OG_CHECK(og_txn_set_metadata(m1, "age", "unit", "years"));
    OG_CHECK(og_table_stage_set_metadata(t, "id", "k", "v", &m2));
    assert_int_equal(og_table_stage_set_metadata(t, "nope", "k", "v", &app), OG_E_INVALID);
    people(&b, "z", 0, 2, 0);
    OG_CHECK(og_table_stage_append(t, &b, &app));
    commit(app);                               /* v2: data */
    assert_int_equal(commit(m1), 3);           /* rebased over the append */
    assert_int_equal(og_txn_commit(m2, NULL, NULL, NULL), OG_E_CONFLICT);
    og_txn_free(m2);
    og_table_close(t);
    t = open_latest(s);
    const og_schema *sc = og_table_schema(t);
    assert_string_equal(og_props_get(&sc->meta, "omnigraph.schema_ir_hash"), "abc");
    assert_string_equal(og_props_get(&og_schema_find(sc, "age")->meta, "unit"), "years");
    assert_null(og_props_get(&og_schema_find(sc, "id")->meta, "k"));
    assert_true(og_schema_find(sc, "id")->primary_key);
    assert_int_equal(og_table_count_rows(t), 5);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

/* One writer per kind; returns the staged txn (NULL on a crash). */
static og_status stage_kind(int kind, og_table *t, og_txn **x)
{
    og_batch b = OG_BATCH_INIT;
    og_status rc = OG_OK;
    og_pred p = {"age", OG_CMP_LT, og_val_i64(4), NULL, 0};
    og_compact_opts co = {0};
    *x = NULL;
    switch (kind) {
    case 0: people(&b, "z", 0, 3, 0); rc = og_table_stage_append(t, &b, x); break;
    case 1: rc = og_table_stage_delete(t, &p, 1, NULL, x); break;
    case 2: rc = og_table_stage_overwrite(t, NULL, NULL, x); break;
    case 3: rc = og_table_stage_restore(t, 1, x); break;
    case 4: rc = og_table_stage_compact(t, &co, x); break;
    case 5: rc = og_table_stage_create_index(t, "ix", "id", x); break;
    default: rc = og_table_stage_set_metadata(t, NULL, "k", "v", x); break;
    }
    og_batch_free(&b);
    return rc;
}

static void test_every_writer_crashing_at_every_step_leaves_a_whole_version(void **st)
{
    (void)st;
    /* base: v1 = 10 rows, v2 = 2 more rows (two fragments, so compaction has work) */
    const uint64_t after[] = {15, 6, 0, 10, 12, 12, 12};
    for (int kind = 0; kind < 7; kind++) {
        int crashed_runs = 0;
        for (unsigned n = 1; n < 100; n++) {
            og_store *mem = make_table(10), *s;
            og_table *t;
            og_batch b = OG_BATCH_INIT;
            og_txn *x = NULL;
            t = open_latest(mem);
            people(&b, "q", 0, 2, 0);
            OG_CHECK(og_table_stage_append(t, &b, &x));
            commit(x);
            og_batch_free(&b);
            og_table_close(t);
            OG_CHECK(og_store_fault_open(mem, &s));
            OG_CHECK(og_table_open(s, "t", &t));
            og_store_fault_crash_at(s, n);
            og_status rc = stage_kind(kind, t, &x);
            if (!rc) rc = og_txn_commit(x, NULL, NULL, NULL);
            bool crashed = og_store_fault_crashed(s);
            og_txn_free(x);
            og_table_close(t);
            og_store_fault_reopen(s);
            og_store_fault_crash_at(s, 0);
            t = open_latest(s);
            og_batch full = OG_BATCH_INIT;
            OG_CHECK(og_table_scan(t, NULL, &full));
            if (og_table_version(t) == 2) {
                assert_true(crashed);
                assert_int_equal(full.nrows, 12);
            } else {
                assert_int_equal(og_table_version(t), 3);
                assert_int_equal(full.nrows, after[kind]);
            }
            og_batch_free(&full);
            og_table_close(t);
            og_store_close(s);
            if (!crashed) { assert_int_equal(rc, OG_OK); break; }
            crashed_runs++;
        }
        /* every writer makes at least one store call (a metadata update on
         * a warm handle is exactly one: the manifest put_if_absent) */
        assert_true(crashed_runs >= 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_append_versions_and_transaction_readback),
        cmocka_unit_test(test_open_at_version_is_one_get_and_no_list),
        cmocka_unit_test(test_create_race_admits_exactly_one),
        cmocka_unit_test(test_merge_insert_update_all_keeps_row_identity),
        cmocka_unit_test(test_merge_insert_when_matched_fail_stages_nothing),
        cmocka_unit_test(test_merge_insert_do_nothing_counts_skipped),
        cmocka_unit_test(test_delete_by_predicate_and_ids_zero_match_stages_nothing),
        cmocka_unit_test(test_overwrite_to_zero_rows_then_restore),
        cmocka_unit_test(test_restore_fails_when_a_commit_landed_after_its_base),
        cmocka_unit_test(test_unkeyed_style_disjoint_appends_rebase_but_exact_mode_refuses),
        cmocka_unit_test(test_concurrent_updates_of_one_row_conflict),
        cmocka_unit_test(test_concurrent_duplicate_key_inserts_one_winner_8_threads),
        cmocka_unit_test(test_concurrent_disjoint_key_inserts_all_commit_8_threads),
        cmocka_unit_test(test_filter_on_sorted_id_fetches_only_needed_pages),
        cmocka_unit_test(test_take_by_row_id_in_request_order),
        cmocka_unit_test(test_projection_limit_and_null_predicates),
        cmocka_unit_test(test_rows_breaking_the_schema_are_rejected),
        cmocka_unit_test(test_corrupt_manifest_or_fragment_in_store_is_corrupt),
        cmocka_unit_test(test_recommit_of_same_identity_is_idempotent_and_spent_txn_refused),
        cmocka_unit_test(test_fs_store_duplicate_key_inserts_one_winner_16_threads),
        cmocka_unit_test(test_merge_insert_crash_at_every_step_leaves_a_whole_version),
        cmocka_unit_test(test_location_identity_and_delta_by_version_columns),
        cmocka_unit_test(test_combined_upsert_and_delete_commit_as_one_version),
        cmocka_unit_test(test_scanner_streams_bounded_batches_across_fragments),
        cmocka_unit_test(test_take_many_ids_uses_sorted_set_and_rejects_deleted),
        cmocka_unit_test(test_in_with_many_utf8_values_matches_exactly),
        cmocka_unit_test(test_indexed_point_lookup_matches_unindexed_scan),
        cmocka_unit_test(test_metadata_updates_commit_and_conflict_only_with_each_other),
        cmocka_unit_test(test_every_writer_crashing_at_every_step_leaves_a_whole_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
