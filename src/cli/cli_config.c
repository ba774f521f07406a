/* cli_config.c — the operator config (surface.md §4.5): reads
 * $OMNIGRAPH_HOME/config.yaml (default ~/.omnigraph/config.yaml) once and
 * exposes its scalars by dotted path ("defaults.store").
 * (1) An absent file is an empty config; an unreadable or malformed one is
 *     reported once on stderr as a warning and treated as empty.
 * (2) Only scalar leaves under mappings are kept; sequences are ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cli_common.h"

#define CFG_MAX 128

static struct { char *key; char *val; } g_cfg[CFG_MAX];
static size_t g_ncfg;
static bool g_loaded;

static void walk(yaml_document_t *d, yaml_node_t *n, const char *prefix)
{
    if (!n || n->type != YAML_MAPPING_NODE) return;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        yaml_node_t *v = yaml_document_get_node(d, p->value);
        if (!k || k->type != YAML_SCALAR_NODE || !v) continue;
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "",
                 (const char *)k->data.scalar.value);
        if (v->type == YAML_MAPPING_NODE) {
            walk(d, v, path);
        } else if (v->type == YAML_SCALAR_NODE && g_ncfg < CFG_MAX) {
            g_cfg[g_ncfg].key = strdup(path);
            g_cfg[g_ncfg].val = strdup((const char *)v->data.scalar.value);
            if (g_cfg[g_ncfg].key && g_cfg[g_ncfg].val) g_ncfg++;
            else { free(g_cfg[g_ncfg].key); free(g_cfg[g_ncfg].val); }
        }
    }
}

static void cfg_free(void)
{
    for (size_t i = 0; i < g_ncfg; i++) { free(g_cfg[i].key); free(g_cfg[i].val); }
    g_ncfg = 0;
}

static void load(void)
{
    char path[4096];
    const char *home = getenv("OMNIGRAPH_HOME");
    FILE *f = NULL;
    yaml_parser_t parser;
    yaml_document_t doc;
    g_loaded = true;
    if (home && *home) snprintf(path, sizeof path, "%s/config.yaml", home);
    else if (getenv("HOME")) snprintf(path, sizeof path, "%s/.omnigraph/config.yaml", getenv("HOME"));
    else return;
    f = fopen(path, "rb");
    if (!f) return;
    if (!yaml_parser_initialize(&parser)) { fclose(f); return; }
    yaml_parser_set_input_file(&parser, f);
    if (yaml_parser_load(&parser, &doc)) {
        walk(&doc, yaml_document_get_root_node(&doc), "");
        yaml_document_delete(&doc);
    } else {
        fprintf(stderr, "warning: ignoring malformed config %s\n", path);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    atexit(cfg_free);
}

const char *cli_config_get(const char *key)
{
    if (!g_loaded) load();
    for (size_t i = 0; i < g_ncfg; i++)
        if (!strcmp(g_cfg[i].key, key)) return g_cfg[i].val;
    return NULL;
}

const char *cli_config_profile_store(const char *profile)
{
    char key[512];
    snprintf(key, sizeof key, "profiles.%s.store", profile);
    return cli_config_get(key);
}
