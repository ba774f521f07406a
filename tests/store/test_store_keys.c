/* test_store_keys.c — key and prefix rules, and that hostile keys never
 * reach outside an fs store's root. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

static og_status kv(const char *k) { return og_store_key_validate(k, strlen(k)); }

static void test_valid_keys_accepted(void **state)
{
    static const char *const ok[] = {
        "a", "a/b", "a/b/c.json", "_versions/00000000000000000001.manifest",
        "x.og", "a/.hidden", "a/..b", "a/b.", "..a", ".o", "og", "a b/c%20d", "\xc3\xa9t\xc3\xa9",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        if (kv(ok[i]) != OG_OK) fail_msg("key %s rejected: %s", ok[i], og_error_last()->message);
    }
    char max[OG_STORE_KEY_MAX + 1];
    memset(max, 'k', OG_STORE_KEY_MAX);
    for (int i = 100; i < OG_STORE_KEY_MAX; i += 101) max[i] = '/';
    max[OG_STORE_KEY_MAX] = 0;
    OG_CHECK(og_store_key_validate(max, OG_STORE_KEY_MAX));
}

static void test_hostile_keys_rejected_with_reason(void **state)
{
    static const struct { const char *key; const char *reason; } bad[] = {
        {"", "empty"},
        {"/etc/passwd", "starts with '/'"},
        {"../x", "\"..\""},
        {"a/../../x", "\"..\""},
        {"..", "\"..\""},
        {".", "\".\""},
        {"a/./b", "\".\""},
        {"a//b", "empty path component"},
        {"a/", "empty path component"},
        {".og-tmp/123", ".og"},
        {"x/.og-lock/00", ".og"},
        {".og", ".og"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        og_status rc = kv(bad[i].key);
        if (rc != OG_E_INVALID) fail_msg("key \"%s\" gave %d", bad[i].key, rc);
        if (!strstr(og_error_last()->message, bad[i].reason))
            fail_msg("key \"%s\": message \"%s\" does not name \"%s\"", bad[i].key,
                     og_error_last()->message, bad[i].reason);
    }
    assert_int_equal(og_store_key_validate("a\0b", 3), OG_E_INVALID);
    assert_non_null(strstr(og_error_last()->message, "NUL"));
    assert_int_equal(og_store_key_validate(NULL, 0), OG_E_INVALID);
    char *big = malloc(OG_STORE_KEY_MAX + 2);
    memset(big, 'a', OG_STORE_KEY_MAX + 1);
    big[OG_STORE_KEY_MAX + 1] = 0;
    assert_int_equal(og_store_key_validate(big, OG_STORE_KEY_MAX + 1), OG_E_INVALID);
    assert_non_null(strstr(og_error_last()->message, "1025 bytes"));
    free(big);
}

static void test_prefix_rules(void **state)
{
    static const char *const ok[] = {"", "a", "a/", "a/b", "a/b/", "a/.", "a/..", "a/.o", "."};
    static const char *const bad[] = {"/", "/a", "../", "a/../", "a//", ".og", "a/.og-tmp", "./"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (og_store_prefix_validate(ok[i]) != OG_OK) fail_msg("prefix \"%s\" rejected", ok[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (og_store_prefix_validate(bad[i]) != OG_E_INVALID) fail_msg("prefix \"%s\" accepted", bad[i]);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_hostile_keys_touch_nothing_outside_root(void **state)
{
    char *dir = og_test_tmpdir("store-hostile");
    char root[4096], victim[4096];
    og_store *s = NULL;
    og_buf b = OG_BUF_INIT;
    og_list l = {0};
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    FILE *f = fopen(victim, "w");
    assert_non_null(f);
    fputs("precious", f);
    fclose(f);
    OG_CHECK(og_store_fs_open(root, true, &s));
    static const char *const keys[] = {
        "../victim", "../../victim", "a/../../victim", "/tmp/og-victim", "..", ".og-tmp/../../victim",
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        assert_int_equal(og_store_put(s, keys[i], "pwned", 5, NULL), OG_E_INVALID);
        assert_int_equal(og_store_put_if_absent(s, keys[i], "pwned", 5, NULL), OG_E_INVALID);
        assert_int_equal(og_store_put_if_match(s, keys[i], "e", "pwned", 5, NULL), OG_E_INVALID);
        assert_int_equal(og_store_get(s, keys[i], &b, NULL), OG_E_INVALID);
        assert_int_equal(og_store_delete(s, keys[i]), OG_E_INVALID);
        /* ".." is a valid prefix (of keys like "..a" inside the root) */
        og_code want = strcmp(keys[i], "..") == 0 ? OG_OK : OG_E_INVALID;
        assert_int_equal(og_store_delete_prefix(s, keys[i]), want);
        assert_int_equal(og_store_list(s, keys[i], NULL, 0, &l), want);
        og_list_free(&l);
    }
    /* the directory holding the root still has exactly root + victim */
    assert_int_equal(count_entries(dir), 2);
    f = fopen(victim, "r");
    char got[32] = {0};
    assert_non_null(f);
    assert_true(fread(got, 1, sizeof got - 1, f) == 8);
    fclose(f);
    assert_string_equal(got, "precious");
    assert_int_equal(access("/tmp/og-victim", F_OK), -1);
    OG_CHECK(og_store_list_all(s, "", &l));
    assert_int_equal(l.len, 0);
    og_list_free(&l);
    og_buf_free(&b);
    og_store_close(s);
    og_test_rmtree(dir);
    free(dir);
}

static void test_fs_open_missing_root_without_create_is_config(void **state)
{
    char *dir = og_test_tmpdir("store-open");
    char root[4096];
    og_store *s = NULL;
    snprintf(root, sizeof root, "%s/absent", dir);
    assert_int_equal(og_store_fs_open(root, false, &s), OG_E_CONFIG);
    assert_null(s);
    snprintf(root, sizeof root, "%s/deep/er/root/", dir);
    OG_CHECK(og_store_fs_open(root, true, &s));
    OG_CHECK(og_store_put(s, "k", "v", 1, NULL));
    og_store_close(s);
    /* reopening without create sees the same object */
    OG_CHECK(og_store_fs_open(root, false, &s));
    og_obj_meta m;
    OG_CHECK(og_store_head(s, "k", &m));
    assert_int_equal(m.size, 1);
    og_store_close(s);
    og_test_rmtree(dir);
    free(dir);
}

static void test_fs_read_only_root_write_is_config(void **state)
{
    if (geteuid() == 0) { skip(); return; } /* root ignores permissions */
    char *dir = og_test_tmpdir("store-ro");
    char root[4096];
    og_store *s = NULL;
    snprintf(root, sizeof root, "%s/root", dir);
    OG_CHECK(og_store_fs_open(root, true, &s));
    OG_CHECK(og_store_put(s, "k", "v", 1, NULL));
    og_store_close(s);
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/.og-tmp", root);
    chmod(sub, 0555);
    OG_CHECK(og_store_fs_open(root, false, &s));
    assert_int_equal(og_store_put(s, "k2", "v", 1, NULL), OG_E_CONFIG);
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_store_get(s, "k", &b, NULL)); /* reads still work */
    og_buf_free(&b);
    og_store_close(s);
    chmod(sub, 0755);
    og_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_keys_accepted),
        cmocka_unit_test(test_hostile_keys_rejected_with_reason),
        cmocka_unit_test(test_prefix_rules),
        cmocka_unit_test(test_hostile_keys_touch_nothing_outside_root),
        cmocka_unit_test(test_fs_open_missing_root_without_create_is_config),
        cmocka_unit_test(test_fs_read_only_root_write_is_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
