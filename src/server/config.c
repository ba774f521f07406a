/* config.c — boot configuration of omnigraph-server (§5.1, §5.2, §7).
 * (1) Sources, later wins: environment (OMNIGRAPH_*), then argv.
 * (2) Graphs come from --graph ID=URI or from --cluster DIR/cluster.yaml;
 *     ids are unique and match ^[a-zA-Z0-9-]{1,64}$.
 * (3) The auth mode is decided once by og_srv_finish_boot: no tokens and no
 *     policy needs --unauthenticated; a policy without tokens is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "yaml_doc.h"

static og_status dupstr(char **dst, const char *s)
{
    char *d = strdup(s);
    if (!d) return og_error_set(OG_E_NOMEM, "out of memory");
    free(*dst);
    *dst = d;
    return OG_OK;
}

static bool truthy(const char *v)
{
    return v && (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"));
}

static og_status parse_u64(const char *name, const char *v, uint64_t *out)
{
    char *end = NULL;
    unsigned long long x;
    if (!v || !*v || *v == '-') return og_error_set(OG_E_CONFIG, "%s: expected a positive integer", name);
    x = strtoull(v, &end, 10);
    if (*end || x == 0) return og_error_set(OG_E_CONFIG, "%s: expected a positive integer, got '%s'", name, v);
    *out = x;
    return OG_OK;
}

og_status og_srv_add_graph(og_srv *s, const char *id, const char *uri)
{
    if (!og_route_graph_id_ok(id, strlen(id)))
        return og_error_set(OG_E_CONFIG, "graph id '%s' must match ^[a-zA-Z0-9-]{1,64}$", id);
    if (!uri || !*uri) return og_error_set(OG_E_CONFIG, "graph '%s': empty URI", id);
    for (size_t i = 0; i < s->ngraphs; i++)
        if (!strcmp(s->graphs[i].id, id)) return og_error_set(OG_E_CONFIG, "duplicate graph id '%s'", id);
    og_srv_graph *n = realloc(s->graphs, (s->ngraphs + 1) * sizeof *n);
    if (!n) return og_error_set(OG_E_NOMEM, "out of memory");
    s->graphs = n;
    og_srv_graph *g = &n[s->ngraphs];
    memset(g, 0, sizeof *g);
    strcpy(g->id, id);
    if (!(g->uri = strdup(uri))) return og_error_set(OG_E_NOMEM, "out of memory");
    s->ngraphs++;
    return OG_OK;
}

og_status og_srv_config_parse(og_srv *s, int argc, char **argv, const char *(*getenv_fn)(const char *))
{
    og_status rc = OG_OK;
    const char *v;
    uint64_t x;
    if (!s->cfg.bind && (rc = dupstr(&s->cfg.bind, "127.0.0.1:8080"))) return rc;
    if (!s->cfg.threads) s->cfg.threads = 8;
    if (!s->cfg.timeout_s) s->cfg.timeout_s = 60;
    if (!s->cfg.actor_inflight_max) s->cfg.actor_inflight_max = 16;
    if (!s->cfg.actor_bytes_max) s->cfg.actor_bytes_max = (uint64_t)4 << 30;
    if ((v = getenv_fn("OMNIGRAPH_BIND")) && *v && (rc = dupstr(&s->cfg.bind, v))) return rc;
    if ((v = getenv_fn("OMNIGRAPH_CLUSTER")) && *v && (rc = dupstr(&s->cfg.cluster_dir, v))) return rc;
    if (truthy(getenv_fn("OMNIGRAPH_UNAUTHENTICATED"))) s->cfg.unauthenticated = true;
    if ((v = getenv_fn("OMNIGRAPH_PER_ACTOR_INFLIGHT_MAX"))) {
        if ((rc = parse_u64("OMNIGRAPH_PER_ACTOR_INFLIGHT_MAX", v, &x))) return rc;
        s->cfg.actor_inflight_max = (size_t)x;
    }
    if ((v = getenv_fn("OMNIGRAPH_PER_ACTOR_BYTES_MAX"))) {
        if ((rc = parse_u64("OMNIGRAPH_PER_ACTOR_BYTES_MAX", v, &x))) return rc;
        s->cfg.actor_bytes_max = x;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (!strcmp(a, "--unauthenticated")) { s->cfg.unauthenticated = true; takes = false; }
        else if (!strcmp(a, "--require-all-graphs")) { takes = false; }
        else if (!val) return og_error_set(OG_E_INVALID, "%s needs a value", a);
        else if (!strcmp(a, "--bind")) rc = dupstr(&s->cfg.bind, val);
        else if (!strcmp(a, "--policy")) rc = dupstr(&s->cfg.policy_file, val);
        else if (!strcmp(a, "--cluster")) rc = dupstr(&s->cfg.cluster_dir, val);
        else if (!strcmp(a, "--threads")) {
            if (!(rc = parse_u64("--threads", val, &x))) s->cfg.threads = x > 256 ? 256 : (size_t)x;
        } else if (!strcmp(a, "--timeout")) {
            if (!(rc = parse_u64("--timeout", val, &x))) s->cfg.timeout_s = x > 86400 ? 86400 : (unsigned)x;
        } else if (!strcmp(a, "--graph")) {
            const char *eq = strchr(val, '=');
            char id[OG_ROUTE_GRAPH_MAX + 2];
            if (!eq || (size_t)(eq - val) > OG_ROUTE_GRAPH_MAX)
                return og_error_set(OG_E_INVALID, "--graph expects ID=URI, got '%s'", val);
            memcpy(id, val, (size_t)(eq - val));
            id[eq - val] = '\0';
            rc = og_srv_add_graph(s, id, eq + 1);
        } else {
            return og_error_set(OG_E_INVALID, "unknown option '%s'", a);
        }
        if (rc) return rc;
        if (takes) i++;
    }
    return OG_OK;
}

static og_status push_policy(og_srv *s, og_policy *p)
{
    og_policy **n = realloc(s->policies, (s->npolicies + 1) * sizeof *n);
    if (!n) { og_policy_free(p); return og_error_set(OG_E_NOMEM, "out of memory"); }
    s->policies = n;
    n[s->npolicies++] = p;
    return OG_OK;
}

static og_status join_path(const char *dir, const char *rel, char **out)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p) return og_error_set(OG_E_NOMEM, "out of memory");
    if (rel[0] == '/' || strstr(rel, "://")) snprintf(p, n, "%s", rel);
    else snprintf(p, n, "%s/%s", dir, rel);
    *out = p;
    return OG_OK;
}

static og_srv_graph *graph_by_id(og_srv *s, const char *id)
{
    for (size_t i = 0; i < s->ngraphs; i++)
        if (!strcmp(s->graphs[i].id, id)) return &s->graphs[i];
    return NULL;
}

og_status og_srv_cluster_load(og_srv *s, const char *dir)
{
    static const char *const top[] = {"version", "metadata", "graphs", "policies", NULL};
    static const char *const gkeys[] = {"schema", "queries", "uri", NULL};
    static const char *const pkeys[] = {"file", "applies_to", NULL};
    og_status rc = OG_OK;
    char *path = NULL, *text = NULL, *tmp = NULL;
    size_t len;
    yaml_document_t doc;
    bool have = false;
    const char *bad;
    if ((rc = join_path(dir, "cluster.yaml", &path))) goto done;
    if ((rc = og_yaml_read_file(path, &text, &len))) goto done;
    if ((rc = og_yaml_load(text, len, path, &doc))) goto done;
    have = true;
    yaml_node_t *root = og_yaml_root(&doc);
    if (root->type != YAML_MAPPING_NODE) { rc = og_error_set(OG_E_CONFIG, "%s: expected a mapping", path); goto done; }
    if ((bad = og_yaml_unknown_key(&doc, root, top))) { rc = og_error_set(OG_E_CONFIG, "%s: unknown field '%s'", path, bad); goto done; }
    const char *ver = og_yaml_str(og_yaml_get(&doc, root, "version"));
    if (!ver || strcmp(ver, "1")) { rc = og_error_set(OG_E_CONFIG, "%s: version must be 1", path); goto done; }
    const char *name = og_yaml_str(og_yaml_get(&doc, og_yaml_get(&doc, root, "metadata"), "name"));
    if (name && (rc = dupstr(&s->cluster_name, name))) goto done;
    yaml_node_t *graphs = og_yaml_get(&doc, root, "graphs");
    if (!graphs || graphs->type != YAML_MAPPING_NODE) { rc = og_error_set(OG_E_CONFIG, "%s: graphs must be a mapping", path); goto done; }
    for (yaml_node_pair_t *pr = graphs->data.mapping.pairs.start; pr < graphs->data.mapping.pairs.top; pr++) {
        const char *id = og_yaml_str(yaml_document_get_node(&doc, pr->key));
        yaml_node_t *g = yaml_document_get_node(&doc, pr->value);
        if (!id) { rc = og_error_set(OG_E_CONFIG, "%s: graph ids must be strings", path); goto done; }
        if (g && g->type == YAML_MAPPING_NODE && (bad = og_yaml_unknown_key(&doc, g, gkeys))) {
            rc = og_error_set(OG_E_CONFIG, "%s: graphs.%s: unknown field '%s'", path, id, bad);
            goto done;
        }
        const char *uri = og_yaml_str(og_yaml_get(&doc, g, "uri"));
        char rel[200];
        snprintf(rel, sizeof rel, "graphs/%.64s", id);
        if ((rc = join_path(dir, uri ? uri : rel, &tmp))) goto done;
        rc = og_srv_add_graph(s, id, tmp);
        free(tmp);
        tmp = NULL;
        if (rc) { og_error_context(rc, "%s", path); goto done; }
        const char *q = og_yaml_str(og_yaml_get(&doc, g, "queries"));
        if (q && (rc = join_path(dir, q, &s->graphs[s->ngraphs - 1].queries_dir))) goto done;
    }
    yaml_node_t *pols = og_yaml_get(&doc, root, "policies");
    if (pols && pols->type != YAML_MAPPING_NODE) { rc = og_error_set(OG_E_CONFIG, "%s: policies must be a mapping", path); goto done; }
    for (yaml_node_pair_t *pr = pols ? pols->data.mapping.pairs.start : NULL; pols && pr < pols->data.mapping.pairs.top; pr++) {
        const char *pname = og_yaml_str(yaml_document_get_node(&doc, pr->key));
        yaml_node_t *pn = yaml_document_get_node(&doc, pr->value);
        og_policy *p = NULL;
        if (!pname || !pn || pn->type != YAML_MAPPING_NODE) { rc = og_error_set(OG_E_CONFIG, "%s: bad policies entry", path); goto done; }
        if ((bad = og_yaml_unknown_key(&doc, pn, pkeys))) { rc = og_error_set(OG_E_CONFIG, "%s: policies.%s: unknown field '%s'", path, pname, bad); goto done; }
        const char *file = og_yaml_str(og_yaml_get(&doc, pn, "file"));
        yaml_node_t *ap = og_yaml_get(&doc, pn, "applies_to");
        if (!file || !ap || ap->type != YAML_SEQUENCE_NODE || !og_yaml_len(ap)) {
            rc = og_error_set(OG_E_CONFIG, "%s: policies.%s needs file and a non-empty applies_to list", path, pname);
            goto done;
        }
        if ((rc = join_path(dir, file, &tmp))) goto done;
        rc = og_policy_load_file(tmp, &p);
        free(tmp);
        tmp = NULL;
        if (rc || (rc = push_policy(s, p))) goto done;
        for (size_t i = 0; i < og_yaml_len(ap); i++) {
            const char *t = og_yaml_str(og_yaml_item(&doc, ap, i));
            og_srv_graph *g = t ? graph_by_id(s, t) : NULL;
            if (t && !strcmp(t, "cluster")) {
                if (!og_policy_server_scoped(p) || s->server_policy) {
                    rc = og_error_set(OG_E_CONFIG, "%s: policies.%s: cluster scope needs one server-scoped bundle", path, pname);
                    goto done;
                }
                s->server_policy = p;
            } else if (!g) {
                rc = og_error_set(OG_E_CONFIG, "%s: policies.%s applies to unknown graph '%s'", path, pname, t ? t : "?");
                goto done;
            } else if (g->policy || og_policy_server_scoped(p)) {
                rc = og_error_set(OG_E_CONFIG, "%s: policies.%s: graph '%s' needs exactly one graph-scoped bundle", path, pname, t);
                goto done;
            } else {
                g->policy = p;
            }
        }
    }
done:
    if (have) yaml_document_delete(&doc);
    free(tmp);
    free(text);
    free(path);
    return rc;
}

og_status og_srv_finish_boot(og_srv *s, const char *(*getenv_fn)(const char *))
{
    og_status rc = OG_OK;
    if (s->cfg.cluster_dir && (rc = og_srv_cluster_load(s, s->cfg.cluster_dir))) return rc;
    if (s->cfg.policy_file) {
        og_policy *p = NULL;
        if ((rc = og_policy_load_file(s->cfg.policy_file, &p)) || (rc = push_policy(s, p))) return rc;
        if (og_policy_server_scoped(p)) s->server_policy = p;
        else
            for (size_t i = 0; i < s->ngraphs; i++)
                if (!s->graphs[i].policy) s->graphs[i].policy = p;
    }
    if (!s->ngraphs) return og_error_set(OG_E_CONFIG, "no graphs: pass --graph ID=URI or --cluster DIR");
    if ((rc = og_auth_load_env(&s->auth, getenv_fn))) return rc;
    if (s->npolicies && !s->auth.len)
        return og_error_set(OG_E_CONFIG, "a policy is configured but no bearer tokens are: set OMNIGRAPH_SERVER_BEARER_TOKEN(S_FILE|S_JSON)");
    if (!s->auth.len) {
        if (!s->cfg.unauthenticated)
            return og_error_set(OG_E_CONFIG, "no bearer tokens configured: set OMNIGRAPH_SERVER_BEARER_TOKEN, "
                                             "OMNIGRAPH_SERVER_BEARER_TOKENS_FILE or _JSON, or pass --unauthenticated");
        s->mode = OG_MODE_OPEN;
    } else if (s->cfg.unauthenticated) {
        return og_error_set(OG_E_CONFIG, "--unauthenticated conflicts with configured bearer tokens");
    } else {
        s->mode = s->npolicies ? OG_MODE_POLICY : OG_MODE_DEFAULT_DENY;
    }
    return OG_OK;
}

void og_srv_free(og_srv *s)
{
    for (size_t i = 0; i < s->ngraphs; i++) {
        og_srv_graph_close(&s->graphs[i]);
        free(s->graphs[i].uri);
        free(s->graphs[i].queries_dir);
    }
    free(s->graphs);
    for (size_t i = 0; i < s->npolicies; i++) og_policy_free(s->policies[i]);
    free(s->policies);
    for (size_t i = 0; i < s->nloads; i++) free(s->loads[i].actor);
    free(s->loads);
    og_auth_free(&s->auth);
    free(s->cfg.bind);
    free(s->cfg.policy_file);
    free(s->cfg.cluster_dir);
    free(s->cluster_name);
    memset(s, 0, sizeof *s);
}
