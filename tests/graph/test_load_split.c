/* test_load_split.c — `load --batch` (og_graph_load_batched,
 * src/graph/load_split.c): texts over the per-load limits land as bounded,
 * individually atomic batches; a failing batch keeps the earlier ones and
 * says so; overwrite replaces every type of the whole text once. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "graph/engine.h"

static const char *SCHEMA =
    "node Person {\n  slug: String @key\n  age: I32?\n}\n"
    "node Company {\n  slug: String @key\n}\n"
    "edge Knows: Person -> Person\n";

static og_graph *setup(void)
{
    og_store *st = NULL;
    og_graph *g = NULL;
    OG_CHECK(og_store_mem_open(&st));
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    OG_CHECK(og_graph_open(st, OG_GRAPH_RW, &g));
    return g;
}

/* n persons p{from}..p{from+n-1}, then n-1 Knows edges chaining them;
 * line `bad` (1-based, 0 = none) is replaced by an unknown type. */
static void persons_text(og_buf *b, int from, int n, int bad)
{
    int line = 0;
    og_buf_clear(b);
    for (int i = from; i < from + n; i++) {
        if (++line == bad) OG_CHECK(og_buf_printf(b, "{\"type\":\"Nope\",\"data\":{}}\n"));
        else OG_CHECK(og_buf_printf(b, "{\"type\":\"Person\",\"data\":{\"slug\":\"p%d\",\"age\":%d}}\n", i, i % 90));
    }
    for (int i = from + 1; i < from + n; i++)
        OG_CHECK(og_buf_printf(b, "{\"edge\":\"Knows\",\"from\":\"p%d\",\"to\":\"p%d\"}\n", i - 1, i));
}

static uint64_t rows_of(og_graph *g, const char *key)
{
    og_graph_view *v = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    const og_graph_pin *p = og_graph_snapshot_pin(og_graph_view_snapshot(v), key);
    uint64_t n = p ? p->row_count : UINT64_MAX;
    og_graph_view_close(v);
    return n;
}

typedef struct seen { size_t calls, n; uint64_t total; } seen;

static og_status count_batches(void *arg, size_t i, size_t n, const og_load_split *sp, const og_graph_load_result *r)
{
    seen *s = arg;
    assert_int_equal(i, s->calls);
    assert_true(sp->nlines[i] <= OG_LOAD_BATCH_MAX_LINES);
    s->calls++;
    s->n = n;
    s->total = r->total;
    return OG_OK;
}

static void test_split_text_bounds_lines_and_bytes_in_file_order(void **state)
{
    (void)state;
    og_load_split sp;
    const char *t = "a\nbb\nccc\ndddd\ne";
    OG_CHECK(og_load_split_text(t, strlen(t), 2, 0, &sp));
    assert_int_equal(sp.n, 3);
    assert_int_equal(sp.off[0], 0);
    assert_int_equal(sp.len[0], 5);           /* "a\nbb\n" */
    assert_int_equal(sp.first_line[1], 2);
    assert_int_equal(sp.nlines[2], 1);        /* "e" without a newline */
    assert_int_equal(sp.off[2] + sp.len[2], strlen(t));
    og_load_split_free(&sp);
    OG_CHECK(og_load_split_text(t, strlen(t), 100, 6, &sp));   /* bytes: a\nbb\n | ccc\n | dddd\ne */
    assert_int_equal(sp.n, 3);
    assert_int_equal(sp.len[0], 5);
    assert_int_equal(sp.len[1], 4);
    assert_int_equal(sp.len[2], 6);
    og_load_split_free(&sp);
}

static void test_append_over_the_entity_limit_lands_in_batches(void **state)
{
    (void)state;
    og_graph *g = setup();
    og_buf b = OG_BUF_INIT;
    persons_text(&b, 0, 10000, 0);           /* 19,999 lines: over the 8,192 limit */
    og_graph_load_opts o = {NULL, NULL, OG_LOAD_APPEND, "t"};
    og_graph_load_result r = {0};
    assert_int_equal(og_graph_load(g, &o, b.data, b.len, &r), OG_E_LIMIT);   /* unsplit: refused */
    og_graph_load_result_clear(&r);
    assert_int_equal(rows_of(g, "node:Person"), 0);
    seen s = {0};
    size_t landed = 0;
    OG_CHECK(og_graph_load_batched(g, &o, b.data, b.len, count_batches, &s, &landed, &r));
    assert_int_equal(landed, 3);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.n, 3);
    assert_int_equal(r.total, 19999);
    assert_int_equal(s.total, 19999);
    assert_true(r.commit.published);
    assert_int_equal(rows_of(g, "node:Person"), 10000);
    assert_int_equal(rows_of(g, "edge:Knows"), 9999);
    og_graph_load_result_clear(&r);
    og_buf_free(&b);
    og_graph_close(g);
}

static void test_failing_batch_keeps_earlier_batches_and_names_them(void **state)
{
    (void)state;
    og_graph *g = setup();
    og_buf b = OG_BUF_INIT;
    persons_text(&b, 0, 10000, 9000);        /* line 9,000 (batch 2) is bad */
    og_graph_load_opts o = {NULL, NULL, OG_LOAD_MERGE, "t"};
    og_graph_load_result r = {0};
    size_t landed = 0;
    assert_int_equal(og_graph_load_batched(g, &o, b.data, b.len, NULL, NULL, &landed, &r), OG_E_VALIDATION);
    char msg[1024];
    og_error_format(msg, sizeof msg);
    assert_non_null(strstr(msg, "batch 2/3 (lines 8193-16384)"));
    assert_non_null(strstr(msg, "batches 1-1 landed"));
    assert_non_null(strstr(msg, "line 9000"));            /* the file's line number */
    assert_int_equal(landed, 1);
    assert_int_equal(rows_of(g, "node:Person"), 8192);    /* batch 1 only */
    assert_int_equal(rows_of(g, "edge:Knows"), 0);
    og_graph_load_result_clear(&r);
    og_buf_free(&b);
    og_graph_close(g);
}

static void test_overwrite_in_batches_replaces_each_type_of_the_file_once(void **state)
{
    (void)state;
    og_graph *g = setup();
    og_buf b = OG_BUF_INIT;
    og_graph_load_opts o = {NULL, NULL, OG_LOAD_MERGE, "t"};
    og_graph_load_result r = {0};
    const char *old = "{\"type\":\"Person\",\"data\":{\"slug\":\"old\"}}\n"
                      "{\"type\":\"Company\",\"data\":{\"slug\":\"c1\"}}\n"
                      "{\"edge\":\"Knows\",\"from\":\"old\",\"to\":\"old\"}\n";
    OG_CHECK(og_graph_load(g, &o, old, strlen(old), &r));
    og_graph_load_result_clear(&r);
    persons_text(&b, 0, 6000, 0);            /* 11,999 lines: Knows only in batch 2 */
    o.mode = OG_LOAD_OVERWRITE;
    size_t landed = 0;
    OG_CHECK(og_graph_load_batched(g, &o, b.data, b.len, NULL, NULL, &landed, &r));
    assert_int_equal(landed, 2);
    assert_int_equal(rows_of(g, "node:Person"), 6000);   /* `old` replaced */
    assert_int_equal(rows_of(g, "edge:Knows"), 5999);    /* replaced in batch 1, filled in batch 2 */
    assert_int_equal(rows_of(g, "node:Company"), 1);     /* not in the file: untouched */
    og_graph_load_result_clear(&r);
    og_buf_free(&b);
    og_graph_close(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_text_bounds_lines_and_bytes_in_file_order),
        cmocka_unit_test(test_append_over_the_entity_limit_lands_in_batches),
        cmocka_unit_test(test_failing_batch_keeps_earlier_batches_and_names_them),
        cmocka_unit_test(test_overwrite_in_batches_replaces_each_type_of_the_file_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
