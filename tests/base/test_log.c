#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include "base/log.h"

typedef struct capture {
    int count;
    og_log_level last_lvl;
    char last[256];
} capture;

static void cap_sink(og_log_level lvl, const char *msg, void *ud)
{
    capture *c = ud;
    c->count++;
    c->last_lvl = lvl;
    strncpy(c->last, msg, sizeof c->last - 1);
}

static void test_no_sink_by_default_is_silent(void **state)
{
    (void)state;
    og_log_set_level(OG_LOG_TRACE);
    og_log(OG_LOG_ERROR, "nobody hears this %d", 1); /* must not crash or print */
}

static void test_sink_receives_formatted_message(void **state)
{
    (void)state;
    capture c = {0};
    og_log_set_sink(cap_sink, &c);
    og_log_set_level(OG_LOG_INFO);
    og_log_info("opened %s at %d", "graph", 7);
    assert_int_equal(c.count, 1);
    assert_int_equal(c.last_lvl, OG_LOG_INFO);
    assert_string_equal(c.last, "opened graph at 7");
    og_log_set_sink(NULL, NULL);
    og_log_info("after removal");
    assert_int_equal(c.count, 1);
}

static void test_level_filters_more_verbose(void **state)
{
    (void)state;
    capture c = {0};
    og_log_set_sink(cap_sink, &c);
    og_log_set_level(OG_LOG_WARN);
    og_log_debug("dropped");
    og_log_info("dropped");
    og_log_warn("kept");
    og_log(OG_LOG_ERROR, "kept too");
    assert_int_equal(c.count, 2);
    assert_string_equal(c.last, "kept too");
    og_log_set_sink(NULL, NULL);
}

static void test_env_sets_level_and_ignores_junk(void **state)
{
    (void)state;
    og_log_set_level(OG_LOG_WARN);
    setenv("OMNIGRAPH_LOG", "debug", 1);
    og_log_init_from_env();
    assert_int_equal(og_log_get_level(), OG_LOG_DEBUG);
    setenv("OMNIGRAPH_LOG", "loud", 1);
    og_log_init_from_env();
    assert_int_equal(og_log_get_level(), OG_LOG_DEBUG);
    setenv("OMNIGRAPH_LOG", "TRACE", 1);
    og_log_init_from_env();
    assert_int_equal(og_log_get_level(), OG_LOG_TRACE);
    unsetenv("OMNIGRAPH_LOG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_sink_by_default_is_silent),
        cmocka_unit_test(test_sink_receives_formatted_message),
        cmocka_unit_test(test_level_filters_more_verbose),
        cmocka_unit_test(test_env_sets_level_and_ignores_junk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
