/* test_merge_truth.c — the merge truth table of internals §5.6, every
 * executable cell through the real merge (og_db_branch_merge).
 * Fixture: Person{name @key, age I32?}, Knows: Person->Person; base =
 * Alice 30, Bob 25, Carol 28, Dan 40 and the edge Bob->Carol. Each cell
 * forks `l<i>r<j>` (source) and `r<i>r<j>` (target) from main, applies
 * op i on the source and op j on the target, merges source into target
 * and checks: the outcome (or the conflict kind), the target's content
 * against a model that applies the two ops' effects to the base on its
 * own (not by reading the graph), and the commit the merge made (two
 * parents) or did not make. */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"

enum { NOOP, ADD_NODE, REMOVE_NODE, ADD_EDGE, REMOVE_EDGE, SET_PROP, NET_ZERO, NOPS };
static const char *const OP_NAME[NOPS] = {"Noop", "AddNode", "RemoveNode", "AddEdge", "RemoveEdge",
                                          "SetProperty", "NetZeroEdge"};

/* The spec's table, row = source (left) op, column = target (right) op.
 * U up to date, F fast forward, M merged, else the conflict kind. */
static const char *const EXPECT[NOPS][NOPS] = {
    {"U", "U", "U", "U", "U", "U", "U"},
    {"F", "divergent_insert", "M", "M", "M", "M", "M"},
    {"F", "M", "M", "orphan_edge", "M", "delete_vs_update", "M"},
    {"F", "M", "orphan_edge", "M", "M", "M", "M"},
    {"F", "M", "M", "M", "M", "M", "M"},
    {"F", "M", "delete_vs_update", "M", "M", "divergent_update", "M"},
    {"F", "M", "M", "M", "M", "M", "M"},
};

static const char *SCHEMA = "node Person { name: String @key  age: I32? }\nedge Knows: Person -> Person\n";
static const char *BASE =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Carol\",\"age\":28}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Dan\",\"age\":40}}\n"
    "{\"edge\":\"Knows\",\"from\":\"Bob\",\"to\":\"Carol\"}\n";
static const char *Q =
    "query set_age($name: String, $age: I32) { update Person set { age: $age } where name = $name }\n"
    "query add_person($name: String, $age: I32) { insert Person { name: $name, age: $age } }\n"
    "query del_person($name: String) { delete Person where name = $name }\n"
    "query add_knows($from: String, $to: String) { insert Knows { from: $from, to: $to } }\n"
    "query del_knows($from: String) { delete Knows where from = $from }\n";

static og_db *g_db;
static char *g_dir;

static void mutate(const char *branch, const char *name, const char *params)
{
    char *out = NULL;
    int rc = og_db_mutate(g_db, Q, strlen(Q), name, params, branch, NULL, NULL, &out);
    if (rc) fail_msg("%s on %s: %s", name, branch, og_errmsg());
    og_free(out);
}

/* side 0 = source, 1 = target: the two sides' values differ. */
static void apply(const char *branch, int op, int side)
{
    char p[128];
    switch (op) {
    case ADD_NODE: snprintf(p, sizeof p, "{\"name\":\"Eve\",\"age\":%d}", 40 + side); mutate(branch, "add_person", p); break;
    case REMOVE_NODE: mutate(branch, "del_person", "{\"name\":\"Alice\"}"); break;
    case ADD_EDGE: mutate(branch, "add_knows", "{\"from\":\"Alice\",\"to\":\"Carol\"}"); break;
    case REMOVE_EDGE: mutate(branch, "del_knows", "{\"from\":\"Bob\"}"); break;
    case SET_PROP: snprintf(p, sizeof p, "{\"name\":\"Alice\",\"age\":%d}", 31 + side); mutate(branch, "set_age", p); break;
    case NET_ZERO:
        mutate(branch, "add_knows", "{\"from\":\"Dan\",\"to\":\"Alice\"}");
        mutate(branch, "del_knows", "{\"from\":\"Dan\"}");
        break;
    default: break;
    }
}

/* ---- the model ---- */

typedef struct model {
    int age[5];       /* Alice Bob Carol Dan Eve; -1 = absent */
    int bob_carol, alice_carol, dan_alice;
} model;

static const char *const NAMES[5] = {"Alice", "Bob", "Carol", "Dan", "Eve"};

static void model_base(model *m)
{
    int a[5] = {30, 25, 28, 40, -1};
    memcpy(m->age, a, sizeof a);
    m->bob_carol = 1;
    m->alice_carol = m->dan_alice = 0;
}

static void model_apply(model *m, int op, int side)
{
    switch (op) {
    case ADD_NODE: m->age[4] = 40 + side; break;
    case REMOVE_NODE: m->age[0] = -1; break;
    case ADD_EDGE: m->alice_carol++; break;
    case REMOVE_EDGE: m->bob_carol = 0; break;
    case SET_PROP: m->age[0] = 31 + side; break;
    default: break;
    }
}

static void model_text(const model *m, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < 5; i++)
        if (m->age[i] >= 0) n += (size_t)snprintf(out + n, cap - n, "%s=%d;", NAMES[i], m->age[i]);
    n += (size_t)snprintf(out + n, cap - n, "Alice>Carol=%d;Bob>Carol=%d;Dan>Alice=%d", m->alice_carol, m->bob_carol,
                          m->dan_alice);
}

/* ---- the graph's content in the model's shape ---- */

static int on_line(void *ud, const char *line, size_t len)
{
    model *m = ud;
    json_t *j = json_loadb(line, len, 0, NULL);
    if (!j) return 1;
    json_t *data = json_object_get(j, "data");
    if (json_object_get(j, "type")) {
        const char *name = json_string_value(json_object_get(data, "name"));
        for (int i = 0; i < 5; i++)
            if (name && !strcmp(name, NAMES[i])) m->age[i] = (int)json_integer_value(json_object_get(data, "age"));
    } else {
        const char *f = json_string_value(json_object_get(j, "from")), *t = json_string_value(json_object_get(j, "to"));
        if (f && t && !strcmp(f, "Alice") && !strcmp(t, "Carol")) m->alice_carol++;
        if (f && t && !strcmp(f, "Bob") && !strcmp(t, "Carol")) m->bob_carol++;
        if (f && t && !strcmp(f, "Dan") && !strcmp(t, "Alice")) m->dan_alice++;
    }
    json_decref(j);
    return 0;
}

static void graph_text(const char *branch, char *out, size_t cap)
{
    model m;
    memset(&m, 0, sizeof m);
    for (int i = 0; i < 5; i++) m.age[i] = -1;
    if (og_db_export(g_db, branch, NULL, 0, on_line, &m)) fail_msg("export %s: %s", branch, og_errmsg());
    model_text(&m, out, cap);
}

/* Head commit of branch: id, parent, merged parent. */
static void head(const char *branch, char id[32], char parent[32], char merged[32])
{
    char *out = NULL;
    if (og_db_commit_list(g_db, branch, NULL, &out)) fail_msg("commit list %s: %s", branch, og_errmsg());
    json_t *j = json_loads(out, 0, NULL), *c = json_array_get(json_object_get(j, "commits"), 0);
    snprintf(id, 32, "%s", json_string_value(json_object_get(c, "graph_commit_id")));
    const char *p = json_string_value(json_object_get(c, "parent_commit_id"));
    const char *mp = json_string_value(json_object_get(c, "merged_parent_commit_id"));
    snprintf(parent, 32, "%s", p ? p : "");
    snprintf(merged, 32, "%s", mp ? mp : "");
    json_decref(j);
    og_free(out);
}

static int group_setup(void **state)
{
    (void)state;
    char *out = NULL;
    g_dir = og_test_tmpdir("merge_truth");
    if (og_db_init(g_dir, SCHEMA, strlen(SCHEMA), 0, NULL)) return -1;
    if (og_db_open(g_dir, 0, &g_db)) return -1;
    if (og_db_load(g_db, NULL, NULL, BASE, strlen(BASE), "overwrite", NULL, &out)) return -1;
    og_free(out);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    og_db_close(g_db);
    og_test_rmtree(g_dir);
    free(g_dir);
    return 0;
}

static void cell(int l, int r)
{
    char src[16], tgt[16], before[32], bp[32], bm[32], sh[32], x1[32], x2[32];
    char want[256], got[256];
    char *out = NULL, *dummy = NULL;
    const char *exp = EXPECT[l][r];
    snprintf(src, sizeof src, "l%dr%d", l, r);
    snprintf(tgt, sizeof tgt, "r%dr%d", l, r);
    if (og_db_branch_create(g_db, src, NULL, NULL, &dummy) || (og_free(dummy), 0) ||
        og_db_branch_create(g_db, tgt, NULL, NULL, &dummy))
        fail_msg("branch create: %s", og_errmsg());
    og_free(dummy);
    apply(src, l, 0);
    apply(tgt, r, 1);
    head(tgt, before, bp, bm);
    head(src, sh, x1, x2);
    int rc = og_db_branch_merge(g_db, src, tgt, "tester", 0, &out);
    model m;
    model_base(&m);
    if (strlen(exp) == 1) {
        if (rc) fail_msg("%s x %s: merge failed: %s", OP_NAME[l], OP_NAME[r], og_errmsg());
        json_t *j = json_loads(out, 0, NULL);
        const char *oc = json_string_value(json_object_get(j, "outcome"));
        const char *want_oc = exp[0] == 'U' ? "already_up_to_date" : exp[0] == 'F' ? "fast_forward" : "merged";
        if (!oc || strcmp(oc, want_oc)) fail_msg("%s x %s: outcome %s, want %s", OP_NAME[l], OP_NAME[r], oc, want_oc);
        json_decref(j);
        char now[32], p[32], mp[32];
        head(tgt, now, p, mp);
        if (exp[0] == 'U') {
            assert_string_equal(now, before);      /* no commit */
        } else {
            assert_string_not_equal(now, before);  /* one merge commit, two parents */
            assert_string_equal(p, before);
            assert_string_equal(mp, sh);
        }
        if (exp[0] != 'U') model_apply(&m, l, 0);
        model_apply(&m, r, 1);
    } else {
        if (rc != OG_DB_E_CONFLICT) fail_msg("%s x %s: rc %d, want a %s conflict (%s)", OP_NAME[l], OP_NAME[r], rc, exp, og_errmsg());
        if (!strstr(og_errmsg(), exp)) fail_msg("%s x %s: message lacks %s: %s", OP_NAME[l], OP_NAME[r], exp, og_errmsg());
        const char *body = og_last_conflict_json();
        assert_non_null(body);
        assert_non_null(strstr(body, "\"merge_conflicts\""));
        assert_non_null(strstr(body, exp));
        char now[32], p[32], mp[32];
        head(tgt, now, p, mp);
        assert_string_equal(now, before);          /* nothing published */
        model_apply(&m, r, 1);
    }
    og_free(out);
    model_text(&m, want, sizeof want);
    graph_text(tgt, got, sizeof got);
    if (strcmp(want, got)) fail_msg("%s x %s: target holds %s, want %s", OP_NAME[l], OP_NAME[r], got, want);
}

#define ROW(L) \
    static void test_row_##L(void **state) { (void)state; for (int r = 0; r < NOPS; r++) cell(L, r); }
ROW(NOOP)
ROW(ADD_NODE)
ROW(REMOVE_NODE)
ROW(ADD_EDGE)
ROW(REMOVE_EDGE)
ROW(SET_PROP)
ROW(NET_ZERO)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_NOOP),        cmocka_unit_test(test_row_ADD_NODE),
        cmocka_unit_test(test_row_REMOVE_NODE), cmocka_unit_test(test_row_ADD_EDGE),
        cmocka_unit_test(test_row_REMOVE_EDGE), cmocka_unit_test(test_row_SET_PROP),
        cmocka_unit_test(test_row_NET_ZERO),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
