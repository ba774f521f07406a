/* test_snapshot_branch_names.c — `snapshot` shows a forked table's
 * native_dataset_branch as the graph branch's name, though forks are
 * named by the branch's chain uid (graph_txn.c (6)): on the forking branch
 * and on a branch created from it; main shows none. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"

static const char *SCHEMA = "node Person {\n  slug: String @key\n}\n";
static const char *ONE = "{\"type\":\"Person\",\"data\":{\"slug\":\"x\"}}\n";

static char *snapshot(og_db *db, const char *branch)
{
    char *js = NULL;
    assert_int_equal(og_db_snapshot(db, branch, &js), 0);
    return js;
}

static void test_fork_shows_branch_name_not_uid(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("snapnames");
    og_db *db = NULL;
    char *js = NULL;
    assert_int_equal(og_db_init(dir, SCHEMA, strlen(SCHEMA), 0, NULL), 0);
    assert_int_equal(og_db_open(dir, 0, &db), 0);
    assert_int_equal(og_db_branch_create(db, "dev", NULL, NULL, &js), 0);
    og_free(js);
    assert_int_equal(og_db_load(db, "dev", NULL, ONE, strlen(ONE), "merge", NULL, &js), 0);
    og_free(js);
    assert_int_equal(og_db_branch_create(db, "dev2", "dev", NULL, &js), 0);
    og_free(js);
    js = snapshot(db, "dev");
    assert_non_null(strstr(js, "\"native_dataset_branch\":\"dev\""));
    og_free(js);
    js = snapshot(db, "dev2");   /* inherits dev's fork */
    assert_non_null(strstr(js, "\"native_dataset_branch\":\"dev\""));
    og_free(js);
    js = snapshot(db, NULL);     /* main never forks */
    assert_null(strstr(js, "native_dataset_branch"));
    og_free(js);
    og_db_close(db);
    og_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_shows_branch_name_not_uid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
