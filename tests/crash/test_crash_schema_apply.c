/* test_crash_schema_apply.c — schema apply is all or nothing: an error or a
 * simulated crash at each of its failpoints leaves, once the writer unwound
 * (error) or the next read-write open recovered (crash), either exactly
 * the old schema and data or exactly the new ones — never a mix: the
 * manifest, the schema files and the tables agree, no sidecar, no staging
 * file and no lock branch are left, and a later apply succeeds. */
#include "testutil.h"

#include "crash/crash_fixture.h"
#include "graph/schema_plan.h"

/* Adds a property to Person (a table rewrite), a new node type (a table
 * creation) and drops Company (a pin drop): every kind of effect. */
static const char *V2 =
    "node Person {\n  name: String @key\n  age: I32?\n  nickname: String?\n}\n"
    "node Team {\n  name: String @key\n}\n"
    "edge Knows: Person -> Person\n";

typedef struct point { const char *name; bool after_publish; } point;
static const point POINTS[] = {
    {"schema_apply.post_phase_a", false},
    {"schema_apply.post_table_commit", false},
    {"schema_apply.post_staging", false},
    {"schema_apply.post_phase_c", true},
    {"schema_apply.post_promote_pre_phase_d", true},
};

static bool exists(og_store *st, const char *key)
{
    og_obj_meta m;
    bool r = og_store_head(st, key, &m) == OG_OK;
    og_error_clear();
    return r;
}

/* Checks the graph is wholly at the old or the new schema. */
static void check_consistent(og_store *st, bool expect_new)
{
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    char h[OG_CATALOG_HASH_HEX];
    OG_CHECK(og_catalog_ir_hash(og_graph_catalog(g), h));
    assert_string_equal(s.schema_ir_hash, h); /* manifest and files agree */
    bool is_new = og_graph_snapshot_pin(&s, "node:Team") != NULL;
    assert_int_equal(is_new, expect_new);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:Company") == NULL, expect_new);
    assert_int_equal(cf_type(g, OG_KIND_NODE, "Team") != NULL, expect_new);
    assert_int_equal(cf_drift(st, NULL), 0);
    og_graph_snapshot_free(&s);
    char *c = cf_content(g, NULL);
    assert_non_null(strstr(c, "\"id\":\"Ann\""));
    assert_int_equal(strstr(c, "\"nickname\":null") != NULL, expect_new);
    free(c);
    assert_int_equal(cf_sidecars(st), 0);
    assert_false(exists(st, "_schema.pg.staging"));
    assert_false(exists(st, "__schema_state.json.staging"));
    og_graph_branch_list l = {0};
    OG_CHECK(og_graph_branch_list_all(st, OG_GRAPH_BRANCH_INTERNAL, &l));
    assert_int_equal(l.len, 1);
    og_graph_branch_list_free(&l);
    /* and the graph still takes writes and applies */
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 5, NULL));
    if (!expect_new) {
        og_graph_schema_apply_result r;
        og_graph_schema_apply_opts o = {false, NULL};
        OG_CHECK(og_graph_schema_apply(g, V2, strlen(V2), &o, &r));
        assert_true(r.applied);
        og_graph_schema_apply_result_clear(&r);
    }
    og_graph_close(g);
}

static void run_point(const point *p, og_fp_action action)
{
    print_message("%s %s\n", p->name, action == OG_FP_CRASH ? "crash" : "error");
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    og_graph_schema_apply_result r;
    og_graph_schema_apply_opts o = {false, "tester"};
    OG_CHECK(og_failpoint_arm(p->name, action, 1, false));
    og_status rc = og_graph_schema_apply(g, V2, strlen(V2), &o, &r);
    assert_true(og_failpoint_hits(p->name) >= 1);
    og_failpoint_disarm_all();
    if (action == OG_FP_CRASH) {
        assert_int_equal(rc, OG_E_CRASHED);
    } else if (p->after_publish) {
        assert_int_equal(rc, OG_OK); /* durable once published: the writer finishes it */
        assert_true(r.applied);
    } else {
        assert_int_equal(rc, OG_E_INJECTED);
        assert_false(r.applied);
    }
    og_graph_schema_apply_result_clear(&r);
    og_error_clear();
    og_graph_close(g); /* a crashed writer's handle is dropped as is */
    check_consistent(st, p->after_publish);
    og_store_close(st);
}

static void test_error_at_each_point_is_all_or_nothing(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof POINTS / sizeof POINTS[0]; i++) run_point(&POINTS[i], OG_FP_ERROR);
}

static void test_crash_at_each_point_recovers_on_open(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof POINTS / sizeof POINTS[0]; i++) run_point(&POINTS[i], OG_FP_CRASH);
}

/* The recovery sweep of a live process (og_graph_refresh) finishes a
 * crashed apply too, not only the open. */
static void test_sweep_recovers_a_crashed_apply(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    og_graph_schema_apply_result r;
    og_graph_schema_apply_opts o = {false, NULL};
    OG_CHECK(og_failpoint_arm("schema_apply.post_table_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(og_graph_schema_apply(g, V2, strlen(V2), &o, &r), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_graph_schema_apply_result_clear(&r);
    og_error_clear();
    assert_int_equal(cf_sidecars(st), 1);
    og_recovery_stats rs;
    OG_CHECK(og_recovery_sweep(st, &rs));
    assert_int_equal(rs.rolled_back, 1);
    assert_int_equal(cf_sidecars(st), 0);
    og_graph_close(g);
    check_consistent(st, false);
    og_store_close(st);
}

/* Between the publish and the promotion the files on disk describe the
 * old schema: a read-only open refuses instead of mixing them with the new
 * manifest; a read-write open finishes the apply. */
static void test_read_only_open_refuses_an_unpromoted_apply(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    og_graph_schema_apply_result r;
    og_graph_schema_apply_opts o = {false, NULL};
    OG_CHECK(og_failpoint_arm("schema_apply.post_phase_c", OG_FP_CRASH, 1, false));
    assert_int_equal(og_graph_schema_apply(g, V2, strlen(V2), &o, &r), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_graph_schema_apply_result_clear(&r);
    og_graph_close(g);
    og_graph *ro = NULL;
    assert_int_equal(og_graph_open(cf_share(st), OG_GRAPH_RO, &ro), OG_E_INTERNAL);
    assert_non_null(strstr(og_error_last()->message, "RecoveryRequired"));
    assert_null(ro);
    og_error_clear();
    check_consistent(st, true); /* the read-write open promotes */
    ro = cf_open(st, OG_GRAPH_RO);
    assert_non_null(cf_type(ro, OG_KIND_NODE, "Team"));
    og_graph_close(ro);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_at_each_point_is_all_or_nothing),
        cmocka_unit_test(test_crash_at_each_point_recovers_on_open),
        cmocka_unit_test(test_sweep_recovers_a_crashed_apply),
        cmocka_unit_test(test_read_only_open_refuses_an_unpromoted_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
