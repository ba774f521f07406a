/* test_auth_policy.c — bearer tokens, policy parsing and evaluation. */
#include "testutil.h"

#include <string.h>

#include "server/auth.h"
#include "server/yaml_doc.h"
#include "server/policy.h"

static const char *fake_env_vals[3];
static const char *fake_env(const char *n)
{
    if (!strcmp(n, "OMNIGRAPH_SERVER_BEARER_TOKEN")) return fake_env_vals[0];
    if (!strcmp(n, "OMNIGRAPH_SERVER_BEARER_TOKENS_FILE")) return fake_env_vals[1];
    if (!strcmp(n, "OMNIGRAPH_SERVER_BEARER_TOKENS_JSON")) return fake_env_vals[2];
    return NULL;
}

static void test_tokens_resolve_actor_and_reject_unknown(void **st)
{
    og_auth a = {0};
    const char *actor;
    (void)st;
    fake_env_vals[0] = "s3cret";
    fake_env_vals[1] = NULL;
    fake_env_vals[2] = "{\"alice\":\"tok-a\",\"bob\":\"tok-b\"}";
    assert_int_equal(og_auth_load_env(&a, fake_env), OG_OK);
    assert_int_equal(a.len, 3);
    assert_int_equal(og_auth_check(&a, "Bearer tok-b", &actor), OG_AUTH_OK);
    assert_string_equal(actor, "bob");
    assert_int_equal(og_auth_check(&a, "Bearer s3cret", &actor), OG_AUTH_OK);
    assert_string_equal(actor, "default");
    assert_int_equal(og_auth_check(&a, "Bearer nope", &actor), OG_AUTH_INVALID);
    assert_int_equal(og_auth_check(&a, NULL, &actor), OG_AUTH_MISSING);
    assert_int_equal(og_auth_check(&a, "Basic abc", &actor), OG_AUTH_MISSING);
    assert_int_equal(og_auth_check(&a, "Bearer ", &actor), OG_AUTH_MISSING);
    /* only digests are stored: no entry holds the token text */
    for (size_t i = 0; i < a.len; i++) assert_null(memmem(a.items[i].digest, 32, "tok-a", 5));
    og_auth_free(&a);
}

static void test_blank_and_duplicate_tokens_are_startup_errors(void **st)
{
    og_auth a = {0};
    (void)st;
    assert_int_equal(og_auth_add(&a, "x", "  "), OG_E_CONFIG);
    assert_int_equal(og_auth_add(&a, "", "t"), OG_E_CONFIG);
    assert_int_equal(og_auth_add(&a, "x", "t1"), OG_OK);
    assert_int_equal(og_auth_add(&a, "y", "t1"), OG_E_CONFIG);
    assert_non_null(strstr(og_error_last()->message, "duplicate bearer token"));
    assert_int_equal(og_auth_add(&a, "x", "t2"), OG_E_CONFIG);
    const char dup[] = "{\"a\":\"1\",\"a\":\"2\"}";
    assert_int_equal(og_auth_add_json(&a, dup, sizeof dup - 1, "json"), OG_E_CONFIG);
    og_auth_free(&a);
}

static const char POLICY[] =
    "version: 1\n"
    "groups:\n"
    "  admins: [act-alice]\n"
    "  team: [act-carol, act-dan]\n"
    "protected_branches: [main]\n"
    "rules:\n"
    "  - id: admins-all\n"
    "    allow:\n"
    "      actors: { group: admins }\n"
    "      actions: [read, change, export]\n"
    "      branch_scope: any\n"
    "  - id: admins-branches\n"
    "    allow:\n"
    "      actors: { group: admins }\n"
    "      actions: [branch_create, branch_delete, invoke_query]\n"
    "  - id: team-unprotected\n"
    "    allow:\n"
    "      actors: { group: team }\n"
    "      actions: [read, change]\n"
    "      branch_scope: unprotected\n"
    "  - id: team-read-main\n"
    "    allow:\n"
    "      actors: { group: team }\n"
    "      actions: [read]\n"
    "  - id: no-dan-change\n"
    "    deny:\n"
    "      actors: { actor: act-dan }\n"
    "      actions: [change]\n";

static bool allows(og_policy *p, const char *actor, const char *action, const char *b, const char *t, char *msg)
{
    og_policy_req r = {actor, action, b, t};
    return og_policy_allows(p, &r, msg, 512, NULL);
}

static void test_policy_evaluation_scopes_groups_and_deny(void **st)
{
    og_policy *p = NULL;
    char msg[512];
    (void)st;
    assert_int_equal(og_policy_parse(POLICY, sizeof POLICY - 1, "p.yaml", &p), OG_OK);
    assert_false(og_policy_server_scoped(p));
    assert_true(allows(p, "act-alice", "change", "main", NULL, msg));
    assert_true(allows(p, "act-carol", "change", "feature", NULL, msg));
    assert_false(allows(p, "act-carol", "change", "main", NULL, msg));
    assert_string_equal(msg, "policy denied action 'change' on branch 'main' for actor 'act-carol'");
    assert_true(allows(p, "act-carol", "read", "main", NULL, msg));
    assert_false(allows(p, "act-dan", "change", "feature", NULL, msg)); /* deny wins */
    assert_false(allows(p, "act-eve", "read", "main", NULL, msg));      /* unknown actor */
    assert_false(allows(p, "act-carol", "branch_create", "main", "x", msg));
    assert_string_equal(msg, "policy denied action 'branch_create' on branch 'main' targeting branch 'x' for actor 'act-carol'");
    assert_true(allows(p, "act-alice", "branch_delete", NULL, "x", msg));
    assert_false(allows(p, "act-alice", "admin", NULL, NULL, msg));
    og_policy_free(p);
}

static void expect_invalid(const char *yaml, const char *needle)
{
    og_policy *p = NULL;
    og_status rc = og_policy_parse(yaml, strlen(yaml), "p", &p);
    assert_int_not_equal(rc, OG_OK);
    assert_null(p);
    if (!strstr(og_error_last()->message, needle)) fail_msg("message '%s' lacks '%s'", og_error_last()->message, needle);
}

static void test_policy_strict_parsing_errors(void **st)
{
    (void)st;
    expect_invalid("version: 2\n", "version must be 1");
    expect_invalid("version: 1\nbogus: 1\n", "unknown field 'bogus'");
    expect_invalid("version: 1\nrules:\n  - id: r\n    allow:\n      actors: {group: nope}\n      actions: [read]\n",
                   "undefined group 'nope'");
    expect_invalid("version: 1\ngroups: {a: [x]}\nrules:\n  - id: r\n    allow:\n      actors: {group: a}\n      actions: [fly]\n",
                   "unknown action 'fly'");
    expect_invalid("version: 1\ngroups: {a: [x]}\nrules:\n  - id: r\n    allow:\n      actors: {group: a}\n      actions: [branch_create]\n      branch_scope: any\n",
                   "branch_scope applies only");
    expect_invalid("version: 1\ngroups: {a: [x]}\nrules:\n  - id: r\n    allow:\n      actors: {group: a}\n      actions: [read]\n      target_branch_scope: any\n",
                   "target_branch_scope applies only");
    expect_invalid("version: 1\ngroups: {a: [x]}\nrules:\n  - id: r\n    allow:\n      actors: {group: a}\n      actions: [read]\n  - id: r\n    allow:\n      actors: {group: a}\n      actions: [read]\n",
                   "duplicate rule id 'r'");
    expect_invalid("version: 1\ngroups: {a: [x]}\nrules:\n  - id: r\n    allow:\n      actors: {group: a}\n      actions: [graph_list, read]\n",
                   "graph_list cannot be mixed");
    expect_invalid("version: 1\ngroups: {a: []}\n", "must not be empty");
    expect_invalid("version: 1\nrules:\n  - id: '  '\n    allow: {}\n", "non-blank");
    expect_invalid("version: [1\n", "line");
}

static void test_server_scoped_bundle_grants_graph_list(void **st)
{
    og_policy *p = NULL;
    char msg[512];
    const char y[] = "version: 1\nkind: server\ngroups: {ops: [op1]}\nrules:\n  - id: list\n    allow:\n      actors: {group: ops}\n      actions: [graph_list]\n";
    (void)st;
    assert_int_equal(og_policy_parse(y, sizeof y - 1, "s", &p), OG_OK);
    assert_true(og_policy_server_scoped(p));
    assert_true(allows(p, "op1", "graph_list", NULL, NULL, msg));
    assert_false(allows(p, "op2", "graph_list", NULL, NULL, msg));
    og_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_resolve_actor_and_reject_unknown),
        cmocka_unit_test(test_blank_and_duplicate_tokens_are_startup_errors),
        cmocka_unit_test(test_policy_evaluation_scopes_groups_and_deny),
        cmocka_unit_test(test_policy_strict_parsing_errors),
        cmocka_unit_test(test_server_scoped_bundle_grants_graph_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
