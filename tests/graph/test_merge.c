/* test_merge.c — branch merge through the C API (og_db_branch_merge):
 * outcomes and their commits, the typed conflict kinds of the merged
 * result (unique, composite unique, cardinality, orphan edge), the
 * conflict message and body, net-zero sources, lazy and owning targets,
 * refused requests, --delete-branch, and a merge racing mutations of its
 * target (one winner per race, the loser a typed conflict). */
#include "testutil.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"

static const char *SCHEMA =
    "node Person { name: String @key  email: String?  age: I32?  @unique(email) }\n"
    "node Company { name: String @key }\n"
    "edge Knows: Person -> Person { @unique(src, dst) }\n"
    "edge WorksAt: Person -> Company @card(0..1)\n";
static const char *BASE =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Carol\",\"age\":28}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Beta\"}}\n";
static const char *Q =
    "query set_age($name: String, $age: I32) { update Person set { age: $age } where name = $name }\n"
    "query set_email($name: String, $email: String) { update Person set { email: $email } where name = $name }\n"
    "query add_person($name: String, $age: I32) { insert Person { name: $name, age: $age } }\n"
    "query del_person($name: String) { delete Person where name = $name }\n"
    "query add_knows($from: String, $to: String) { insert Knows { from: $from, to: $to } }\n"
    "query works($p: String, $c: String) { insert WorksAt { from: $p, to: $c } }\n";

typedef struct fx { char *dir; og_db *db; } fx;

static void fx_open(fx *f, const char *tag)
{
    char *out = NULL;
    f->dir = og_test_tmpdir(tag);
    assert_int_equal(og_db_init(f->dir, SCHEMA, strlen(SCHEMA), 0, NULL), 0);
    assert_int_equal(og_db_open(f->dir, 0, &f->db), 0);
    assert_int_equal(og_db_load(f->db, NULL, NULL, BASE, strlen(BASE), "overwrite", NULL, &out), 0);
    og_free(out);
}

static void fx_close(fx *f)
{
    og_db_close(f->db);
    og_test_rmtree(f->dir);
    free(f->dir);
}

static void mut(og_db *db, const char *branch, const char *name, const char *params)
{
    char *out = NULL;
    if (og_db_mutate(db, Q, strlen(Q), name, params, branch, NULL, NULL, &out))
        fail_msg("%s on %s: %s", name, branch ? branch : "main", og_errmsg());
    og_free(out);
}

static void branch(og_db *db, const char *name, const char *from)
{
    char *out = NULL;
    if (og_db_branch_create(db, name, from, NULL, &out)) fail_msg("create %s: %s", name, og_errmsg());
    og_free(out);
}

/* Head commit fields of a branch (static buffers per call site). */
typedef struct head { char id[32], parent[32], merged[32], actor[64]; } head;
static head head_of(og_db *db, const char *b)
{
    head h;
    char *out = NULL;
    memset(&h, 0, sizeof h);
    assert_int_equal(og_db_commit_list(db, b, NULL, &out), 0);
    json_t *j = json_loads(out, 0, NULL), *c = json_array_get(json_object_get(j, "commits"), 0);
    const char *s;
    if ((s = json_string_value(json_object_get(c, "graph_commit_id")))) snprintf(h.id, sizeof h.id, "%s", s);
    if ((s = json_string_value(json_object_get(c, "parent_commit_id")))) snprintf(h.parent, sizeof h.parent, "%s", s);
    if ((s = json_string_value(json_object_get(c, "merged_parent_commit_id")))) snprintf(h.merged, sizeof h.merged, "%s", s);
    if ((s = json_string_value(json_object_get(c, "actor_id")))) snprintf(h.actor, sizeof h.actor, "%s", s);
    json_decref(j);
    og_free(out);
    return h;
}

static char *merge(og_db *db, const char *src, const char *tgt, int *rc)
{
    char *out = NULL;
    *rc = og_db_branch_merge(db, src, tgt, "merger", 0, &out);
    return out;
}

static void expect_outcome(og_db *db, const char *src, const char *tgt, const char *want)
{
    int rc;
    char *out = merge(db, src, tgt, &rc);
    if (rc) fail_msg("merge %s into %s: %s", src, tgt ? tgt : "main", og_errmsg());
    json_t *j = json_loads(out, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), want);
    assert_string_equal(json_string_value(json_object_get(j, "source")), src);
    assert_string_equal(json_string_value(json_object_get(j, "target")), tgt ? tgt : "main");
    json_decref(j);
    og_free(out);
}

/* The conflict body's first entry has this kind and type. */
static void expect_conflict(og_db *db, const char *src, const char *tgt, const char *kind, const char *type)
{
    int rc;
    head before = head_of(db, tgt);
    char *out = merge(db, src, tgt, &rc);
    assert_null(out);
    assert_int_equal(rc, OG_DB_E_CONFLICT);
    if (!strstr(og_errmsg(), kind) || !strstr(og_errmsg(), type)) fail_msg("message: %s", og_errmsg());
    json_t *j = json_loads(og_last_conflict_json(), 0, NULL);
    json_t *c = json_array_get(json_object_get(j, "merge_conflicts"), 0);
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "kind")), kind);
    assert_string_equal(json_string_value(json_object_get(c, "type_name")), type);
    assert_string_equal(json_string_value(json_object_get(j, "code")), "conflict");
    json_decref(j);
    head after = head_of(db, tgt);
    assert_string_equal(before.id, after.id); /* nothing published */
}

static size_t count(og_db *db, const char *b, const char *type)
{
    char *out = NULL;
    assert_int_equal(og_db_snapshot(db, b, &out), 0);
    json_t *j = json_loads(out, 0, NULL), *d;
    size_t i, n = 0;
    json_array_foreach(json_object_get(j, "datasets"), i, d)
        if (!strcmp(json_string_value(json_object_get(d, "type_name")), type))
            n = (size_t)json_integer_value(json_object_get(d, "entity_count"));
    json_decref(j);
    og_free(out);
    return n;
}

static void test_fast_forward_is_one_commit_with_both_parents_and_the_actor(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_ff");
    branch(f.db, "feat", NULL);
    mut(f.db, "feat", "add_person", "{\"name\":\"Eve\",\"age\":22}");
    head s = head_of(f.db, "feat"), t = head_of(f.db, NULL);
    expect_outcome(f.db, "feat", NULL, "fast_forward");
    head m = head_of(f.db, NULL);
    assert_string_not_equal(m.id, t.id);
    assert_string_equal(m.parent, t.id);
    assert_string_equal(m.merged, s.id);
    assert_string_equal(m.actor, "merger");
    assert_int_equal(count(f.db, NULL, "Person"), 4);
    /* again: the source is now an ancestor of main */
    expect_outcome(f.db, "feat", NULL, "already_up_to_date");
    assert_string_equal(head_of(f.db, NULL).id, m.id);
    /* and main into feat: feat is behind main (main holds the merge) */
    expect_outcome(f.db, "main", "feat", "fast_forward");
    expect_outcome(f.db, "main", "feat", "already_up_to_date");
    fx_close(&f);
}

static void test_fresh_branch_is_already_up_to_date_both_ways(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_utd");
    branch(f.db, "feat", NULL);
    head t = head_of(f.db, NULL);
    expect_outcome(f.db, "feat", NULL, "already_up_to_date");
    expect_outcome(f.db, "main", "feat", "already_up_to_date");
    assert_string_equal(head_of(f.db, NULL).id, t.id);
    fx_close(&f);
}

static void test_three_way_merge_keeps_both_sides_and_identical_updates(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_3way");
    branch(f.db, "feat", NULL);
    mut(f.db, "feat", "add_person", "{\"name\":\"Eve\",\"age\":22}");
    mut(f.db, "feat", "set_age", "{\"name\":\"Alice\",\"age\":31}");
    mut(f.db, NULL, "set_age", "{\"name\":\"Alice\",\"age\":31}");
    mut(f.db, NULL, "set_age", "{\"name\":\"Bob\",\"age\":26}");
    mut(f.db, NULL, "del_person", "{\"name\":\"Carol\"}");
    expect_outcome(f.db, "feat", NULL, "merged");
    const char *rq = "query q() { match { $p: Person } return { $p.name, $p.age } order { $p.name asc } }";
    char *out = NULL;
    assert_int_equal(og_db_query(f.db, rq, strlen(rq), NULL, NULL, NULL, NULL, &out), 0);
    assert_non_null(strstr(out, "\"rows\":[{\"p.name\":\"Alice\",\"p.age\":31},{\"p.name\":\"Bob\",\"p.age\":26},"
                                "{\"p.name\":\"Eve\",\"p.age\":22}]"));
    og_free(out);
    fx_close(&f);
}

static void test_merged_result_violations_are_typed_conflicts(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_kinds");
    /* @unique(email): both sides give a different person the same email */
    branch(f.db, "u", NULL);
    mut(f.db, "u", "set_email", "{\"name\":\"Alice\",\"email\":\"x@y\"}");
    branch(f.db, "u2", NULL);
    mut(f.db, "u2", "set_email", "{\"name\":\"Bob\",\"email\":\"x@y\"}");
    expect_conflict(f.db, "u", "u2", "unique_violation", "Person");
    /* @unique(src, dst): the same pair inserted on both sides (distinct ids) */
    branch(f.db, "k1", NULL);
    branch(f.db, "k2", NULL);
    mut(f.db, "k1", "add_knows", "{\"from\":\"Alice\",\"to\":\"Bob\"}");
    mut(f.db, "k2", "add_knows", "{\"from\":\"Alice\",\"to\":\"Bob\"}");
    expect_conflict(f.db, "k1", "k2", "unique_violation", "Knows");
    /* @card(0..1): one job per side, two after the merge */
    branch(f.db, "w1", NULL);
    branch(f.db, "w2", NULL);
    mut(f.db, "w1", "works", "{\"p\":\"Alice\",\"c\":\"Acme\"}");
    mut(f.db, "w2", "works", "{\"p\":\"Alice\",\"c\":\"Beta\"}");
    expect_conflict(f.db, "w1", "w2", "cardinality_violation", "WorksAt");
    /* an edge to a node the other side deleted, both directions */
    branch(f.db, "o1", NULL);
    branch(f.db, "o2", NULL);
    mut(f.db, "o1", "add_knows", "{\"from\":\"Alice\",\"to\":\"Carol\"}");
    mut(f.db, "o2", "del_person", "{\"name\":\"Carol\"}");
    expect_conflict(f.db, "o1", "o2", "orphan_edge", "Knows");
    expect_conflict(f.db, "o2", "o1", "orphan_edge", "Knows");
    /* row conflicts */
    branch(f.db, "d1", NULL);
    branch(f.db, "d2", NULL);
    mut(f.db, "d1", "add_person", "{\"name\":\"Zed\",\"age\":1}");
    mut(f.db, "d2", "add_person", "{\"name\":\"Zed\",\"age\":2}");
    expect_conflict(f.db, "d1", "d2", "divergent_insert", "Person");
    fx_close(&f);
}

static void test_conflict_message_names_three_and_counts_the_rest(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_more");
    const char *more = "{\"type\":\"Person\",\"data\":{\"name\":\"Dan\",\"age\":1}}\n"
                       "{\"type\":\"Person\",\"data\":{\"name\":\"Fay\",\"age\":1}}\n";
    char *out = NULL;
    assert_int_equal(og_db_load(f.db, NULL, NULL, more, strlen(more), "merge", NULL, &out), 0);
    og_free(out);
    branch(f.db, "a", NULL);
    const char *names[] = {"Alice", "Bob", "Carol", "Dan", "Fay"};
    for (int i = 0; i < 5; i++) {
        char p[96];
        snprintf(p, sizeof p, "{\"name\":\"%s\",\"age\":70}", names[i]);
        mut(f.db, "a", "set_age", p);
        snprintf(p, sizeof p, "{\"name\":\"%s\",\"age\":71}", names[i]);
        mut(f.db, NULL, "set_age", p);
    }
    int rc;
    out = merge(f.db, "a", NULL, &rc);
    assert_int_equal(rc, OG_DB_E_CONFLICT);
    assert_non_null(strstr(og_errmsg(), "has 5 conflicts"));
    assert_non_null(strstr(og_errmsg(), "; and 2 more"));
    json_t *j = json_loads(og_last_conflict_json(), 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "merge_conflicts")), 5);
    json_t *c = json_array_get(json_object_get(j, "merge_conflicts"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "kind")), "divergent_update");
    assert_string_equal(json_string_value(json_object_get(c, "entity_kind")), "node");
    assert_non_null(json_string_value(json_object_get(c, "entity_id")));
    json_decref(j);
    fx_close(&f);
}

static void test_net_zero_source_advances_the_manifest_once_and_moves_no_table(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_netzero");
    branch(f.db, "nz", NULL);
    mut(f.db, "nz", "set_age", "{\"name\":\"Alice\",\"age\":99}");
    mut(f.db, "nz", "set_age", "{\"name\":\"Alice\",\"age\":30}");
    char *before = NULL, *after = NULL;
    assert_int_equal(og_db_snapshot(f.db, NULL, &before), 0);
    expect_outcome(f.db, "nz", NULL, "fast_forward");
    assert_int_equal(og_db_snapshot(f.db, NULL, &after), 0);
    json_t *b = json_loads(before, 0, NULL), *a = json_loads(after, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(a, "graph_manifest_version")),
                     json_integer_value(json_object_get(b, "graph_manifest_version")) + 1);
    assert_true(json_equal(json_object_get(a, "datasets"), json_object_get(b, "datasets")));
    assert_string_equal(head_of(f.db, NULL).merged, head_of(f.db, "nz").id);
    expect_outcome(f.db, "nz", NULL, "already_up_to_date");
    json_decref(a);
    json_decref(b);
    og_free(before);
    og_free(after);
    fx_close(&f);
}

static void test_lazy_target_takes_the_source_not_main(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_lazy");
    branch(f.db, "src", NULL);
    branch(f.db, "tgt", NULL);
    mut(f.db, NULL, "add_person", "{\"name\":\"MainOnly\",\"age\":1}");
    mut(f.db, "src", "add_person", "{\"name\":\"SrcOnly\",\"age\":2}");
    expect_outcome(f.db, "src", "tgt", "fast_forward");
    assert_int_equal(count(f.db, "tgt", "Person"), 4);
    assert_int_equal(count(f.db, NULL, "Person"), 4);
    /* the target's later writes stay its own */
    mut(f.db, "tgt", "set_age", "{\"name\":\"SrcOnly\",\"age\":3}");
    const char *rq = "query q() { match { $p: Person { name: \"SrcOnly\" } } return { $p.age } }";
    char *out = NULL;
    assert_int_equal(og_db_query(f.db, rq, strlen(rq), NULL, NULL, "src", NULL, &out), 0);
    assert_non_null(strstr(out, "\"p.age\":2"));
    og_free(out);
    fx_close(&f);
}

static void test_refused_requests_are_typed(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_refuse");
    int rc;
    char *out = merge(f.db, "main", "main", &rc);
    assert_int_equal(rc, OG_DB_E_INVALID);
    assert_non_null(strstr(og_errmsg(), "distinct source and target"));
    out = merge(f.db, "__schema_apply_lock__", NULL, &rc);
    assert_int_equal(rc, OG_DB_E_INVALID);
    assert_non_null(strstr(og_errmsg(), "internal system refs"));
    out = merge(f.db, "missing", NULL, &rc);
    assert_int_equal(rc, OG_DB_E_NOTFOUND);
    assert_non_null(strstr(og_errmsg(), "'missing' not found"));
    assert_null(out);
    fx_close(&f);
}

static void test_delete_branch_after_merge_and_its_refusal_as_data(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_delete");
    branch(f.db, "gone", NULL);
    mut(f.db, "gone", "add_person", "{\"name\":\"Gwen\",\"age\":35}");
    char *out = NULL;
    assert_int_equal(og_db_branch_merge(f.db, "gone", NULL, NULL, 1, &out), 0);
    assert_non_null(strstr(out, "\"branch_deleted\":true"));
    assert_null(strstr(out, "branch_delete_error"));
    og_free(out);
    branch(f.db, "kept", NULL);
    branch(f.db, "kept-child", "kept");
    assert_int_equal(og_db_branch_merge(f.db, "kept", NULL, NULL, 1, &out), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_true(json_is_false(json_object_get(j, "branch_deleted")));
    assert_non_null(strstr(json_string_value(json_object_get(j, "branch_delete_error")), "kept-child"));
    json_decref(j);
    og_free(out);
    assert_int_equal(og_db_branch_list(f.db, &out), 0);
    assert_string_equal(out, "{\"branches\":[\"kept\",\"kept-child\",\"main\"]}");
    og_free(out);
    fx_close(&f);
}

static void test_merge_base_search_crosses_a_deleted_merged_branch(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_deleted_src");
    char *out = NULL;
    branch(f.db, "f", NULL);
    mut(f.db, "f", "set_age", "{\"name\":\"Alice\",\"age\":31}");
    assert_int_equal(og_db_branch_merge(f.db, "f", NULL, NULL, 1, &out), 0); /* merged, then deleted */
    assert_non_null(strstr(out, "\"branch_deleted\":true"));
    og_free(out);
    /* main's history now reaches f's commits through a merged parent */
    branch(f.db, "g", NULL);
    mut(f.db, "g", "set_age", "{\"name\":\"Bob\",\"age\":31}");
    mut(f.db, NULL, "set_age", "{\"name\":\"Carol\",\"age\":31}");
    expect_outcome(f.db, "g", NULL, "merged");
    fx_close(&f);
}

/* Tables larger than one ordered-scan batch (8,192 rows): the sides are
 * merge-joined across batch boundaries. */
static void load_people(og_db *db, const char *b, int from, int to, int step, int age)
{
    size_t cap = (size_t)(to - from) / (size_t)step * 64 + 64, n = 0;
    char *text = malloc(cap), *out = NULL;
    for (int i = from; i < to; i += step)
        n += (size_t)snprintf(text + n, cap - n, "{\"type\":\"Person\",\"data\":{\"name\":\"p%05d\",\"age\":%d}}\n", i, age);
    if (og_db_load(db, b, NULL, text, n, "merge", NULL, &out)) fail_msg("load: %s", og_errmsg());
    og_free(out);
    free(text);
}

static void test_three_way_across_scan_batches(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_big");
    load_people(f.db, NULL, 0, 8000, 1, 0);
    load_people(f.db, NULL, 8000, 16000, 1, 0);
    load_people(f.db, NULL, 16000, 20000, 1, 0);
    branch(f.db, "s", NULL);
    load_people(f.db, "s", 0, 20000, 194, 1);    /* 104 even rows, spread over every batch */
    load_people(f.db, NULL, 1, 20000, 178, 2);   /* 113 odd rows on main */
    load_people(f.db, "s", 19990, 20005, 1, 3);  /* 5 new rows past the end, 10 updates */
    expect_outcome(f.db, "s", NULL, "merged");
    const char *rq = "query q($a: I32) { match { $p: Person { age: $a } } return { count($p) as n } }";
    char *out = NULL;
    const char *want[4] = {"\"n\":19773", "\"n\":104", "\"n\":113", "\"n\":15"};
    for (int a = 0; a < 4; a++) {
        char params[32];
        snprintf(params, sizeof params, "{\"a\":%d}", a);
        assert_int_equal(og_db_query(f.db, rq, strlen(rq), NULL, params, NULL, NULL, &out), 0);
        if (!strstr(out, want[a])) fail_msg("age %d: %s, want %s", a, out, want[a]);
        og_free(out);
    }
    fx_close(&f);
}

/* Merging back and forth: every round both sides change different rows,
 * main takes feat (merged), feat takes main (a fast forward: it still
 * publishes its own commit, internals §5.4); the base each time is the
 * last merge, so no round sees an earlier round's change as a conflict. */
static void test_back_and_forth_merges_find_the_latest_base(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "merge_pingpong");
    branch(f.db, "feat", NULL);
    for (int round = 0; round < 4; round++) {
        char p[96];
        snprintf(p, sizeof p, "{\"name\":\"Alice\",\"age\":%d}", 40 + round);
        mut(f.db, "feat", "set_age", p);
        snprintf(p, sizeof p, "{\"name\":\"Bob\",\"age\":%d}", 50 + round);
        mut(f.db, NULL, "set_age", p);
        expect_outcome(f.db, "feat", NULL, "merged");
        expect_outcome(f.db, "main", "feat", "fast_forward");
        expect_outcome(f.db, "main", "feat", "already_up_to_date");
    }
    const char *rq = "query q() { match { $p: Person } return { $p.name, $p.age } order { $p.name asc } }";
    char *a = NULL, *b = NULL;
    assert_int_equal(og_db_query(f.db, rq, strlen(rq), NULL, NULL, NULL, NULL, &a), 0);
    assert_int_equal(og_db_query(f.db, rq, strlen(rq), NULL, NULL, "feat", NULL, &b), 0);
    assert_non_null(strstr(a, "{\"p.name\":\"Alice\",\"p.age\":43},{\"p.name\":\"Bob\",\"p.age\":53}"));
    *strstr(a, ",\"graph_commit_id\"") = '\0';  /* the heads differ: compare the rows */
    *strstr(b, ",\"graph_commit_id\"") = '\0';
    assert_string_equal(strstr(a, "\"rows\""), strstr(b, "\"rows\""));
    og_free(a);
    og_free(b);
    fx_close(&f);
}

/* ---- a merge racing mutations of its target ---- */

typedef struct racer { const char *dir; int which, rc; char msg[512]; pthread_barrier_t *bar; } racer;

static void *race(void *arg)
{
    racer *r = arg;
    og_db *db = NULL;
    char *out = NULL;
    if (og_db_open(r->dir, 0, &db)) { r->rc = -1; return NULL; }
    pthread_barrier_wait(r->bar);
    if (r->which == 0) r->rc = og_db_branch_merge(db, "feat", NULL, "merger", 0, &out);
    else if (r->which == 2) r->rc = og_db_branch_merge(db, "feat2", NULL, "merger", 0, &out);
    else r->rc = og_db_mutate(db, Q, strlen(Q), "set_age", "{\"name\":\"Alice\",\"age\":77}", NULL, NULL, NULL, &out);
    snprintf(r->msg, sizeof r->msg, "%s", r->rc ? og_errmsg() : "");
    og_free(out);
    /* the loser's conflict body is per thread: drop it before the thread ends */
    if (og_last_conflict_json() && og_db_branch_list(NULL, &out) == 0) og_free(out);
    og_db_close(db);
    return NULL;
}

static void test_merge_racing_a_target_mutation_has_one_winner_and_a_typed_loser(void **state)
{
    (void)state;
    int merge_wins = 0, mutation_wins = 0, both = 0;
    for (int round = 0; round < 6; round++) {
        fx f;
        fx_open(&f, "merge_race");
        branch(f.db, "feat", NULL);
        mut(f.db, "feat", "set_age", "{\"name\":\"Bob\",\"age\":55}");
        mut(f.db, "feat", "add_person", "{\"name\":\"Eve\",\"age\":22}");
        og_db_close(f.db);
        f.db = NULL;
        pthread_barrier_t bar;
        pthread_barrier_init(&bar, NULL, 2);
        racer r[2];
        pthread_t t[2];
        for (int i = 0; i < 2; i++) {
            memset(&r[i], 0, sizeof r[i]);
            r[i].dir = f.dir;
            r[i].which = i;
            r[i].bar = &bar;
            pthread_create(&t[i], NULL, race, &r[i]);
        }
        for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
        pthread_barrier_destroy(&bar);
        for (int i = 0; i < 2; i++)
            if (r[i].rc && r[i].rc != OG_DB_E_CONFLICT) fail_msg("racer %d: rc %d: %s", i, r[i].rc, r[i].msg);
        assert_true(r[0].rc == 0 || r[1].rc == 0);
        assert_int_equal(og_db_open(f.dir, 0, &f.db), 0);
        /* every acknowledged write is there, nothing else */
        const char *rq = "query q() { match { $p: Person } return { $p.name, $p.age } order { $p.name asc } }";
        char *out = NULL;
        assert_int_equal(og_db_query(f.db, rq, strlen(rq), NULL, NULL, NULL, NULL, &out), 0);
        assert_int_equal(strstr(out, "\"p.name\":\"Eve\"") != NULL, r[0].rc == 0);
        assert_int_equal(strstr(out, "\"p.name\":\"Bob\",\"p.age\":55") != NULL, r[0].rc == 0);
        assert_int_equal(strstr(out, "\"p.name\":\"Alice\",\"p.age\":77") != NULL, r[1].rc == 0);
        og_free(out);
        if (r[0].rc == 0 && r[1].rc == 0) both++;
        else if (r[0].rc == 0) merge_wins++;
        else mutation_wins++;
        fx_close(&f);
    }
    printf("6 races: merge alone %d, mutation alone %d, both (serialised) %d\n", merge_wins, mutation_wins, both);
}

/* Two merges into main from two branches at once: a loser's target moved
 * under it (read set changed) or its table commit lost: a typed conflict;
 * retried, it merges; both branches' rows end up on main. */
static void test_two_merges_racing_into_one_target(void **state)
{
    (void)state;
    int lost = 0;
    for (int round = 0; round < 6; round++) {
        fx f;
        fx_open(&f, "merge_race2");
        branch(f.db, "feat", NULL);
        branch(f.db, "feat2", NULL);
        mut(f.db, "feat", "add_person", "{\"name\":\"Eve\",\"age\":22}");
        mut(f.db, "feat2", "add_person", "{\"name\":\"Fay\",\"age\":23}");
        og_db_close(f.db);
        f.db = NULL;
        pthread_barrier_t bar;
        pthread_barrier_init(&bar, NULL, 2);
        racer r[2];
        pthread_t t[2];
        for (int i = 0; i < 2; i++) {
            memset(&r[i], 0, sizeof r[i]);
            r[i].dir = f.dir;
            r[i].which = i ? 2 : 0;
            r[i].bar = &bar;
            pthread_create(&t[i], NULL, race, &r[i]);
        }
        for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
        pthread_barrier_destroy(&bar);
        assert_true(r[0].rc == 0 || r[1].rc == 0);
        assert_int_equal(og_db_open(f.dir, 0, &f.db), 0);
        for (int i = 0; i < 2; i++) {
            if (!r[i].rc) continue;
            if (r[i].rc != OG_DB_E_CONFLICT) fail_msg("racer %d: rc %d: %s", i, r[i].rc, r[i].msg);
            lost++;
            expect_outcome(f.db, i ? "feat2" : "feat", NULL, "merged"); /* the retry merges */
        }
        assert_int_equal(count(f.db, NULL, "Person"), 5);
        fx_close(&f);
    }
    printf("6 races of two merges: %d lost and retried\n", lost);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_forward_is_one_commit_with_both_parents_and_the_actor),
        cmocka_unit_test(test_fresh_branch_is_already_up_to_date_both_ways),
        cmocka_unit_test(test_three_way_merge_keeps_both_sides_and_identical_updates),
        cmocka_unit_test(test_merged_result_violations_are_typed_conflicts),
        cmocka_unit_test(test_conflict_message_names_three_and_counts_the_rest),
        cmocka_unit_test(test_net_zero_source_advances_the_manifest_once_and_moves_no_table),
        cmocka_unit_test(test_lazy_target_takes_the_source_not_main),
        cmocka_unit_test(test_refused_requests_are_typed),
        cmocka_unit_test(test_delete_branch_after_merge_and_its_refusal_as_data),
        cmocka_unit_test(test_merge_base_search_crosses_a_deleted_merged_branch),
        cmocka_unit_test(test_three_way_across_scan_batches),
        cmocka_unit_test(test_back_and_forth_merges_find_the_latest_base),
        cmocka_unit_test(test_merge_racing_a_target_mutation_has_one_winner_and_a_typed_loser),
        cmocka_unit_test(test_two_merges_racing_into_one_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
