/* test_corpus.c — the realistic corpus under tests/data/lang/corpus/: each
 * domain schema (<name>.pg) compiles, its IR survives IR -> JSON -> IR with
 * the same bytes and hashes, and every query of <name>.gq parses, type-checks
 * clean and lints with zero errors. The corpus as a whole is also asserted to
 * exercise every surface feature (so a trimmed corpus fails here). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "lang/catalog.h"
#include "lang/lint.h"
#include "lang/query_ast.h"
#include "lang/typecheck.h"

#define DOMAIN "01JCORPUS00000000000000000"

static const char *const SCHEMAS[] = { "crm", "papers", "deps" };
#define N_SCHEMAS (sizeof SCHEMAS / sizeof SCHEMAS[0])

static char *slurp(const char *name, const char *ext, size_t *len)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dirlen = slash ? (int)(slash - here) : 0;
    char path[1024];
    char *buf = NULL;
    long n;
    FILE *f;
    snprintf(path, sizeof path, "%.*s/../data/lang/corpus/%s.%s", dirlen, here, name, ext);
    f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static og_catalog *load_schema(const char *name)
{
    size_t n;
    char *src = slurp(name, "pg", &n);
    og_catalog *c = NULL;
    og_status rc = og_catalog_compile(src, n, NULL, DOMAIN, &c);
    if (rc != OG_OK) fail_msg("%s.pg: %s", name, og_error_last()->message);
    free(src);
    return c;
}

/* ---- per-schema checks -------------------------------------------------- */

static void test_schemas_compile_with_ten_plus_types(void **state)
{
    (void)state;
    for (size_t s = 0; s < N_SCHEMAS; s++) {
        og_catalog *c = load_schema(SCHEMAS[s]);
        assert_true(c->n_types >= 10);
        assert_true(c->n_nodes >= 6);
        assert_true(c->n_edges >= 6);
        assert_true(c->n_interfaces >= 1);
        og_catalog_free(c);
    }
}

static void test_ir_round_trip_keeps_bytes_and_hashes(void **state)
{
    (void)state;
    for (size_t s = 0; s < N_SCHEMAS; s++) {
        og_catalog *c = load_schema(SCHEMAS[s]), *d = NULL;
        og_buf j1 = OG_BUF_INIT, j2 = OG_BUF_INIT;
        char h1[OG_CATALOG_HASH_HEX], h2[OG_CATALOG_HASH_HEX];
        char s1[OG_CATALOG_HASH_HEX], s2[OG_CATALOG_HASH_HEX];
        OG_CHECK(og_catalog_to_ir_json(c, &j1));
        OG_CHECK(og_catalog_from_ir_json(j1.data, j1.len, &d));
        OG_CHECK(og_catalog_to_ir_json(d, &j2));
        assert_int_equal(j1.len, j2.len);
        assert_memory_equal(j1.data, j2.data, j1.len);
        OG_CHECK(og_catalog_ir_hash(c, h1));
        OG_CHECK(og_catalog_ir_hash(d, h2));
        assert_string_equal(h1, h2);
        OG_CHECK(og_catalog_shape_hash(c, s1));
        OG_CHECK(og_catalog_shape_hash(d, s2));
        assert_string_equal(s1, s2);
        assert_int_equal(c->n_types, d->n_types);
        assert_int_equal(c->next_identity_id, d->next_identity_id);
        og_buf_free(&j1);
        og_buf_free(&j2);
        og_catalog_free(c);
        og_catalog_free(d);
    }
}

static void test_every_query_parses_and_type_checks(void **state)
{
    (void)state;
    for (size_t s = 0; s < N_SCHEMAS; s++) {
        og_catalog *c = load_schema(SCHEMAS[s]);
        og_gq_file *f = NULL;
        size_t n;
        char *gq = slurp(SCHEMAS[s], "gq", &n);
        if (og_gq_parse(gq, n, &f) != OG_OK)
            fail_msg("%s.gq: %s", SCHEMAS[s], og_error_last()->message);
        assert_true(f->n_queries >= 20);
        for (size_t i = 0; i < f->n_queries; i++) {
            og_tc_query *tq = NULL;
            if (og_tc_check(c, &f->queries[i], &tq) != OG_OK)
                fail_msg("%s.gq query %s: %s", SCHEMAS[s], f->queries[i].name,
                         og_error_last()->message);
            assert_int_equal(tq->is_mutation, f->queries[i].is_mutation);
            og_tc_query_free(tq);
        }
        og_gq_file_free(f);
        free(gq);
        og_catalog_free(c);
    }
}

static void test_every_query_lints_without_errors(void **state)
{
    (void)state;
    for (size_t s = 0; s < N_SCHEMAS; s++) {
        og_catalog *c = load_schema(SCHEMAS[s]);
        og_lint_report *r = NULL;
        size_t n;
        char *gq = slurp(SCHEMAS[s], "gq", &n);
        OG_CHECK(og_lint_run(c, gq, n, &r));
        for (size_t i = 0; i < r->n_results; i++)
            if (!r->results[i].ok)
                fail_msg("%s.gq lint %s: %s", SCHEMAS[s], r->results[i].name, r->results[i].error);
        assert_int_equal(r->errors, 0);
        assert_true(r->ok);
        assert_true(r->n_results >= 20);
        for (size_t i = 0; i < r->n_results; i++) {
            /* Every corpus mutation takes parameters (no hardcoded warning). */
            assert_null(r->results[i].warning);
            assert_true(r->results[i].n_reads >= 1);
            if (r->results[i].is_mutation) assert_true(r->results[i].n_writes >= 1);
            else assert_true(r->results[i].n_result >= 1);
        }
        og_lint_report_free(r);
        free(gq);
        og_catalog_free(c);
    }
}

/* ---- feature coverage over the whole corpus ------------------------------ */

typedef struct cover {
    /* schema */
    bool iface_impl, enum_prop, list_prop, vector_prop, blob_prop, nullable_prop;
    bool key_single, key_composite, unique, index, range, range_negative, check;
    bool card_bounded, card_min, embed, embed_model, description, instruction;
    bool custom_type_ann, custom_prop_ann, custom_ann_kwargs, edge_props;
    /* queries */
    bool param_base[OG_GQ_BLOB + 1], param_list, param_vector, param_nullable;
    bool bounds, undirected, edge_binding, not_block, anon;
    bool op[OG_GQ_OP_STARTS_WITH + 1];
    bool agg[OG_GQ_AGG_MAX + 1];
    bool fn[OG_GQ_FN_RRF + 1];
    bool order_asc, order_desc, order_alias, order_nullable, limit, now_fn;
    bool lit_date, lit_datetime, lit_float, lit_bool, q_description, q_instruction;
    bool mut_node[3], mut_edge[3], mixed;
} cover;

static void cover_schema(cover *cv, const og_catalog *c)
{
    for (size_t t = 0; t < c->n_types; t++) {
        const og_decl *d = &c->types[t];
        if (d->kind == OG_KIND_INTERFACE) continue;
        if (d->n_implements) cv->iface_impl = true;
        if (d->description) cv->description = true;
        if (d->instruction) cv->instruction = true;
        for (size_t a = 0; a < d->n_annotations; a++) {
            cv->custom_type_ann = true;
            if (d->annotations[a].n_kwargs) cv->custom_ann_kwargs = true;
        }
        if (d->kind == OG_KIND_EDGE) {
            if (d->card_has_max) cv->card_bounded = true;
            if (d->card_min > 0) cv->card_min = true;
            if (d->n_props) cv->edge_props = true;
        }
        for (size_t p = 0; p < d->n_props; p++) {
            const og_property *pr = &d->props[p];
            if (pr->type.scalar == OG_SCALAR_ENUM) cv->enum_prop = true;
            if (pr->type.list) cv->list_prop = true;
            if (pr->type.scalar == OG_SCALAR_VECTOR) cv->vector_prop = true;
            if (pr->type.scalar == OG_SCALAR_BLOB) cv->blob_prop = true;
            if (pr->type.nullable) cv->nullable_prop = true;
            if (pr->embed_source) cv->embed = true;
            if (pr->embed_model) cv->embed_model = true;
            if (pr->n_annotations) cv->custom_prop_ann = true;
        }
        for (size_t k = 0; k < d->n_constraints; k++) {
            const og_constraint *ct = &d->constraints[k];
            switch (ct->kind) {
            case OG_CONSTRAINT_KEY:
                if (ct->n_columns == 1) cv->key_single = true;
                else cv->key_composite = true;
                break;
            case OG_CONSTRAINT_UNIQUE: cv->unique = true; break;
            case OG_CONSTRAINT_INDEX: cv->index = true; break;
            case OG_CONSTRAINT_RANGE:
                cv->range = true;
                if (ct->min.present && ct->min.f < 0) cv->range_negative = true;
                break;
            case OG_CONSTRAINT_CHECK: cv->check = true; break;
            }
        }
    }
}

static void cover_lit(cover *cv, const og_gq_lit *l)
{
    if (l->kind == OG_GQ_LIT_DATE) cv->lit_date = true;
    if (l->kind == OG_GQ_LIT_DATETIME) cv->lit_datetime = true;
    if (l->kind == OG_GQ_LIT_FLOAT) cv->lit_float = true;
    if (l->kind == OG_GQ_LIT_BOOL) cv->lit_bool = true;
}

static void cover_expr(cover *cv, const og_gq_expr *e)
{
    if (!e) return;
    if (e->kind == OG_GQ_E_LIT) cover_lit(cv, &e->lit);
    if (e->kind == OG_GQ_E_NOW) cv->now_fn = true;
    if (e->kind == OG_GQ_E_CALL) cv->fn[e->fn] = true;
    if (e->kind == OG_GQ_E_AGG) cv->agg[e->agg] = true;
    for (size_t i = 0; i < e->n_args; i++) cover_expr(cv, e->args[i]);
}

static void cover_clauses(cover *cv, const og_gq_clause *cl, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const og_gq_clause *c = &cl[i];
        switch (c->kind) {
        case OG_GQ_C_BINDING:
            for (size_t k = 0; k < c->n_pmatches; k++) cover_expr(cv, c->pmatches[k].value);
            break;
        case OG_GQ_C_TRAVERSAL:
            if (c->has_bounds && c->max_hops > 1) cv->bounds = true;
            if (c->undirected) cv->undirected = true;
            if (c->edge_var) cv->edge_binding = true;
            if (!strcmp(c->src, "_") || !strcmp(c->dst, "_")) cv->anon = true;
            break;
        case OG_GQ_C_FILTER:
            cv->op[c->op] = true;
            cover_expr(cv, c->left);
            cover_expr(cv, c->right);
            break;
        case OG_GQ_C_SEARCH: cover_expr(cv, c->call); break;
        case OG_GQ_C_NOT:
            cv->not_block = true;
            cover_clauses(cv, c->body, c->n_body);
            break;
        }
    }
}

static void cover_query(cover *cv, const og_tc_query *tq)
{
    const og_gq_query *q = tq->ast;
    if (q->description) cv->q_description = true;
    if (q->instruction) cv->q_instruction = true;
    for (size_t i = 0; i < q->n_params; i++) {
        const og_gq_type *t = &q->params[i].type;
        if (t->nullable) cv->param_nullable = true;
        if (t->is_list) cv->param_list = true;
        else if (t->base == OG_GQ_VECTOR) cv->param_vector = true;
        else if (t->base <= OG_GQ_BLOB) cv->param_base[t->base] = true;
    }
    cover_clauses(cv, q->clauses, q->n_clauses);
    for (size_t i = 0; i < q->n_projs; i++) cover_expr(cv, q->projs[i].expr);
    for (size_t i = 0; i < q->n_orders; i++) {
        const og_gq_order *o = &q->orders[i];
        cover_expr(cv, o->expr);
        if (o->has_dir && o->desc) cv->order_desc = true;
        if (o->has_dir && !o->desc) cv->order_asc = true;
        if (o->expr->kind == OG_GQ_E_ALIAS) cv->order_alias = true;
    }
    for (size_t i = 0; i < tq->n_orders; i++)
        if (tq->orders[i].expr->kind == OG_TC_PROP && tq->orders[i].expr->type.nullable)
            cv->order_nullable = true;
    if (q->has_limit) cv->limit = true;
    if (q->is_mutation) {
        bool ins = false, del = false;
        for (size_t i = 0; i < tq->n_muts; i++) {
            const og_tc_mut *m = &tq->muts[i];
            if (m->type->kind == OG_KIND_EDGE) cv->mut_edge[m->kind] = true;
            else cv->mut_node[m->kind] = true;
            if (m->kind == OG_GQ_DELETE) del = true;
            else ins = true;
            for (size_t a = 0; a < q->mutations[i].n_assigns; a++)
                cover_expr(cv, q->mutations[i].assigns[a].value);
            cover_expr(cv, q->mutations[i].where_value);
        }
        if (ins && del) cv->mixed = true;
    }
}

static void test_corpus_exercises_every_feature(void **state)
{
    cover cv;
    size_t n_types = 0, n_queries = 0;
    (void)state;
    memset(&cv, 0, sizeof cv);
    for (size_t s = 0; s < N_SCHEMAS; s++) {
        og_catalog *c = load_schema(SCHEMAS[s]);
        og_gq_file *f = NULL;
        size_t n;
        char *gq = slurp(SCHEMAS[s], "gq", &n);
        cover_schema(&cv, c);
        n_types += c->n_types;
        OG_CHECK(og_gq_parse(gq, n, &f));
        for (size_t i = 0; i < f->n_queries; i++) {
            og_tc_query *tq = NULL;
            OG_CHECK(og_tc_check(c, &f->queries[i], &tq));
            cover_query(&cv, tq);
            og_tc_query_free(tq);
        }
        n_queries += f->n_queries;
        og_gq_file_free(f);
        free(gq);
        og_catalog_free(c);
    }
    assert_true(n_types >= 30);
    assert_true(n_queries >= 60);
    /* schema features */
    assert_true(cv.iface_impl && cv.enum_prop && cv.list_prop && cv.vector_prop);
    assert_true(cv.blob_prop && cv.nullable_prop && cv.key_single && cv.key_composite);
    assert_true(cv.unique && cv.index && cv.range && cv.range_negative && cv.check);
    assert_true(cv.card_bounded && cv.card_min && cv.embed && cv.embed_model);
    assert_true(cv.description && cv.instruction && cv.edge_props);
    assert_true(cv.custom_type_ann && cv.custom_prop_ann && cv.custom_ann_kwargs);
    /* params of every type */
    for (int b = OG_GQ_STRING; b <= OG_GQ_BLOB; b++)
        if (!cv.param_base[b]) fail_msg("no param of type %s", og_gq_base_name((og_gq_base)b));
    assert_true(cv.param_list && cv.param_vector && cv.param_nullable);
    /* match features */
    assert_true(cv.bounds && cv.undirected && cv.edge_binding && cv.not_block && cv.anon);
    for (int o = OG_GQ_OP_EQ; o <= OG_GQ_OP_STARTS_WITH; o++)
        if (!cv.op[o]) fail_msg("no filter with %s", og_gq_op_name((og_gq_op)o));
    for (int a = OG_GQ_AGG_COUNT; a <= OG_GQ_AGG_MAX; a++)
        if (!cv.agg[a]) fail_msg("no aggregate %s", og_gq_agg_name((og_gq_agg)a));
    for (int fn = OG_GQ_FN_NEAREST; fn <= OG_GQ_FN_RRF; fn++)
        if (!cv.fn[fn]) fail_msg("no search function %s", og_gq_fn_name((og_gq_fn)fn));
    assert_true(cv.order_asc && cv.order_desc && cv.order_alias && cv.order_nullable && cv.limit);
    assert_true(cv.now_fn && cv.lit_date && cv.lit_datetime && cv.lit_float && cv.lit_bool);
    assert_true(cv.q_description && cv.q_instruction);
    /* mutations */
    for (int k = OG_GQ_INSERT; k <= OG_GQ_DELETE; k++) assert_true(cv.mut_node[k]);
    assert_true(cv.mut_edge[OG_GQ_INSERT] && cv.mut_edge[OG_GQ_DELETE]);
    assert_true(cv.mixed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schemas_compile_with_ten_plus_types),
        cmocka_unit_test(test_ir_round_trip_keeps_bytes_and_hashes),
        cmocka_unit_test(test_every_query_parses_and_type_checks),
        cmocka_unit_test(test_every_query_lints_without_errors),
        cmocka_unit_test(test_corpus_exercises_every_feature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
