/* policy.c — parses and evaluates policy bundles (see policy.h).
 * (1) The parsed bundle owns copies of every string; the YAML document is
 *     released before og_policy_parse returns.
 * (2) Scopes: branch_scope constrains the source branch (read, export,
 *     change); target_branch_scope the destination (branch_create,
 *     branch_delete, branch_merge, schema_apply); "any" always matches. */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_doc.h"

enum { SCOPE_NONE = 0, SCOPE_ANY, SCOPE_PROTECTED, SCOPE_UNPROTECTED };

typedef struct strlist {
    char **v;
    size_t n;
} strlist;

typedef struct group {
    char *name;
    strlist members;
} group;

typedef struct rule {
    char *id;
    bool deny;
    strlist groups;   /* actor groups */
    strlist actors;   /* actor ids */
    bool any_actor;
    unsigned actions; /* bit set over action_names */
    int branch_scope;
    int target_scope;
} rule;

struct og_policy {
    group *groups;
    size_t ngroups;
    strlist protected_branches;
    rule *rules;
    size_t nrules;
    bool server_scoped;
};

static const char *const action_names[] = {
    "read", "export", "change", "schema_apply", "branch_create", "branch_delete",
    "branch_merge", "invoke_query", "admin", "graph_list", NULL};
enum {
    A_READ = 1u << 0, A_EXPORT = 1u << 1, A_CHANGE = 1u << 2, A_SCHEMA_APPLY = 1u << 3,
    A_BRANCH_CREATE = 1u << 4, A_BRANCH_DELETE = 1u << 5, A_BRANCH_MERGE = 1u << 6,
    A_INVOKE = 1u << 7, A_ADMIN = 1u << 8, A_GRAPH_LIST = 1u << 9,
};
#define A_SOURCE_SCOPED (A_READ | A_EXPORT | A_CHANGE)
#define A_TARGET_SCOPED (A_SCHEMA_APPLY | A_BRANCH_CREATE | A_BRANCH_DELETE | A_BRANCH_MERGE)

static int action_bit(const char *s)
{
    for (int i = 0; action_names[i]; i++)
        if (!strcmp(action_names[i], s)) return 1 << i;
    return 0;
}

bool og_policy_action_known(const char *s) { return s && action_bit(s) != 0; }

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static bool strlist_has(const strlist *l, const char *s)
{
    if (!s) return false;
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s)) return true;
    return false;
}

static og_status strlist_push(strlist *l, const char *s)
{
    char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);
    if (!nv) return og_error_set(OG_E_NOMEM, "out of memory");
    l->v = nv;
    if (!(l->v[l->n] = strdup(s))) return og_error_set(OG_E_NOMEM, "out of memory");
    l->n++;
    return OG_OK;
}

/* Reads a sequence of non-blank scalars. */
static og_status read_strlist(yaml_document_t *d, yaml_node_t *n, const char *what, bool nonempty,
                              strlist *out)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return og_error_set(OG_E_VALIDATION, "%s: expected a list", what);
    if (nonempty && og_yaml_len(n) == 0)
        return og_error_set(OG_E_VALIDATION, "%s: must not be empty", what);
    for (size_t i = 0; i < og_yaml_len(n); i++) {
        const char *s = og_yaml_str(og_yaml_item(d, n, i));
        if (!s || !*s) return og_error_set(OG_E_VALIDATION, "%s: item %zu must be a non-blank string", what, i + 1);
        og_status rc = strlist_push(out, s);
        if (rc) return rc;
    }
    return OG_OK;
}

static int parse_scope(const char *s)
{
    if (!s) return -1;
    if (!strcmp(s, "any")) return SCOPE_ANY;
    if (!strcmp(s, "protected")) return SCOPE_PROTECTED;
    if (!strcmp(s, "unprotected")) return SCOPE_UNPROTECTED;
    return -1;
}

static group *find_group(const og_policy *p, const char *name)
{
    for (size_t i = 0; i < p->ngroups; i++)
        if (!strcmp(p->groups[i].name, name)) return &p->groups[i];
    return NULL;
}

static og_status parse_actors(yaml_document_t *d, yaml_node_t *n, og_policy *p, rule *r)
{
    static const char *const keys[] = {"group", "groups", "actor", "ids", "any", NULL};
    og_status rc = OG_OK;
    const char *bad;
    if (!n || n->type != YAML_MAPPING_NODE)
        return og_error_set(OG_E_VALIDATION, "rule '%s': actors must be a mapping like { group: NAME }", r->id);
    if ((bad = og_yaml_unknown_key(d, n, keys)))
        return og_error_set(OG_E_VALIDATION, "rule '%s': actors: unknown field '%s'", r->id, bad);
    yaml_node_t *g = og_yaml_get(d, n, "group"), *gs = og_yaml_get(d, n, "groups");
    yaml_node_t *a = og_yaml_get(d, n, "actor"), *ids = og_yaml_get(d, n, "ids");
    yaml_node_t *any = og_yaml_get(d, n, "any");
    if (g) {
        const char *s = og_yaml_str(g);
        if (!s || !*s) return og_error_set(OG_E_VALIDATION, "rule '%s': actors.group must be a name", r->id);
        if ((rc = strlist_push(&r->groups, s))) return rc;
    }
    if (gs && (rc = read_strlist(d, gs, "actors.groups", true, &r->groups))) return og_error_context(rc, "rule '%s'", r->id);
    if (a) {
        const char *s = og_yaml_str(a);
        if (!s || !*s) return og_error_set(OG_E_VALIDATION, "rule '%s': actors.actor must be an actor id", r->id);
        if ((rc = strlist_push(&r->actors, s))) return rc;
    }
    if (ids && (rc = read_strlist(d, ids, "actors.ids", true, &r->actors))) return og_error_context(rc, "rule '%s'", r->id);
    if (any) {
        const char *s = og_yaml_str(any);
        if (!s || strcmp(s, "true") != 0) return og_error_set(OG_E_VALIDATION, "rule '%s': actors.any must be true", r->id);
        r->any_actor = true;
    }
    if (!r->groups.n && !r->actors.n && !r->any_actor)
        return og_error_set(OG_E_VALIDATION, "rule '%s': actors names no group and no actor", r->id);
    for (size_t i = 0; i < r->groups.n; i++)
        if (!find_group(p, r->groups.v[i]))
            return og_error_set(OG_E_VALIDATION, "rule '%s': undefined group '%s'", r->id, r->groups.v[i]);
    return OG_OK;
}

static og_status parse_rule(yaml_document_t *d, yaml_node_t *n, og_policy *p, size_t idx, rule *r)
{
    static const char *const rkeys[] = {"id", "allow", "deny", NULL};
    static const char *const bkeys[] = {"actors", "actions", "branch_scope", "target_branch_scope", NULL};
    og_status rc = OG_OK;
    const char *bad;
    if (!n || n->type != YAML_MAPPING_NODE)
        return og_error_set(OG_E_VALIDATION, "rules[%zu]: expected a mapping", idx);
    const char *id = og_yaml_str(og_yaml_get(d, n, "id"));
    bool blank = !id;
    for (const char *c = id; c && *c; c++)
        if (*c != ' ' && *c != '\t') { blank = false; break; } else blank = true;
    if (!id || blank || !*id) return og_error_set(OG_E_VALIDATION, "rules[%zu]: id must be a non-blank string", idx);
    if (!(r->id = strdup(id))) return og_error_set(OG_E_NOMEM, "out of memory");
    if ((bad = og_yaml_unknown_key(d, n, rkeys)))
        return og_error_set(OG_E_VALIDATION, "rule '%s': unknown field '%s'", id, bad);
    yaml_node_t *allow = og_yaml_get(d, n, "allow"), *deny = og_yaml_get(d, n, "deny");
    if (!!allow == !!deny)
        return og_error_set(OG_E_VALIDATION, "rule '%s': needs exactly one of 'allow' or 'deny'", id);
    yaml_node_t *b = allow ? allow : deny;
    r->deny = deny != NULL;
    if (b->type != YAML_MAPPING_NODE)
        return og_error_set(OG_E_VALIDATION, "rule '%s': %s must be a mapping", id, allow ? "allow" : "deny");
    if ((bad = og_yaml_unknown_key(d, b, bkeys)))
        return og_error_set(OG_E_VALIDATION, "rule '%s': unknown field '%s'", id, bad);
    if ((rc = parse_actors(d, og_yaml_get(d, b, "actors"), p, r))) return rc;
    yaml_node_t *acts = og_yaml_get(d, b, "actions");
    if (!acts || acts->type != YAML_SEQUENCE_NODE || og_yaml_len(acts) == 0)
        return og_error_set(OG_E_VALIDATION, "rule '%s': actions must be a non-empty list", id);
    for (size_t i = 0; i < og_yaml_len(acts); i++) {
        const char *s = og_yaml_str(og_yaml_item(d, acts, i));
        int bit = s ? action_bit(s) : 0;
        if (!bit) return og_error_set(OG_E_VALIDATION, "rule '%s': unknown action '%s'", id, s ? s : "(non-scalar)");
        r->actions |= (unsigned)bit;
    }
    yaml_node_t *bs = og_yaml_get(d, b, "branch_scope"), *ts = og_yaml_get(d, b, "target_branch_scope");
    if (bs && ts)
        return og_error_set(OG_E_VALIDATION, "rule '%s': use at most one of branch_scope and target_branch_scope", id);
    if (bs) {
        if ((r->branch_scope = parse_scope(og_yaml_str(bs))) < 0)
            return og_error_set(OG_E_VALIDATION, "rule '%s': branch_scope must be any, protected or unprotected", id);
        if (r->actions & ~(unsigned)A_SOURCE_SCOPED)
            return og_error_set(OG_E_VALIDATION, "rule '%s': branch_scope applies only to read, export and change", id);
    }
    if (ts) {
        if ((r->target_scope = parse_scope(og_yaml_str(ts))) < 0)
            return og_error_set(OG_E_VALIDATION, "rule '%s': target_branch_scope must be any, protected or unprotected", id);
        if (r->actions & ~(unsigned)A_TARGET_SCOPED)
            return og_error_set(OG_E_VALIDATION,
                                "rule '%s': target_branch_scope applies only to branch_create, branch_delete, branch_merge and schema_apply", id);
    }
    if ((r->actions & A_GRAPH_LIST) && (r->actions & ~(unsigned)A_GRAPH_LIST))
        return og_error_set(OG_E_VALIDATION, "rule '%s': graph_list cannot be mixed with per-graph actions", id);
    return OG_OK;
}

void og_policy_free(og_policy *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->ngroups; i++) {
        free(p->groups[i].name);
        strlist_free(&p->groups[i].members);
    }
    free(p->groups);
    for (size_t i = 0; i < p->nrules; i++) {
        free(p->rules[i].id);
        strlist_free(&p->rules[i].groups);
        strlist_free(&p->rules[i].actors);
    }
    free(p->rules);
    strlist_free(&p->protected_branches);
    free(p);
}

og_status og_policy_parse(const char *text, size_t len, const char *what, og_policy **out)
{
    static const char *const keys[] = {"version", "kind", "groups", "protected_branches", "rules", NULL};
    og_status rc = OG_OK;
    yaml_document_t doc;
    bool have_doc = false;
    og_policy *p = NULL;
    const char *bad;
    *out = NULL;
    if ((rc = og_yaml_load(text, len, what, &doc))) goto done;
    have_doc = true;
    yaml_node_t *root = og_yaml_root(&doc);
    if (root->type != YAML_MAPPING_NODE) { rc = og_error_set(OG_E_VALIDATION, "expected a mapping at the top"); goto done; }
    if ((bad = og_yaml_unknown_key(&doc, root, keys))) { rc = og_error_set(OG_E_VALIDATION, "unknown field '%s'", bad); goto done; }
    const char *ver = og_yaml_str(og_yaml_get(&doc, root, "version"));
    if (!ver || strcmp(ver, "1") != 0) { rc = og_error_set(OG_E_VALIDATION, "version must be 1"); goto done; }
    const char *kind = og_yaml_str(og_yaml_get(&doc, root, "kind"));
    if (og_yaml_get(&doc, root, "kind") && (!kind || (strcmp(kind, "graph") && strcmp(kind, "server")))) {
        rc = og_error_set(OG_E_VALIDATION, "kind must be graph or server");
        goto done;
    }
    if (!(p = calloc(1, sizeof *p))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    yaml_node_t *groups = og_yaml_get(&doc, root, "groups");
    if (groups) {
        if (groups->type != YAML_MAPPING_NODE) { rc = og_error_set(OG_E_VALIDATION, "groups must be a mapping"); goto done; }
        size_t ng = (size_t)(groups->data.mapping.pairs.top - groups->data.mapping.pairs.start);
        if (ng && !(p->groups = calloc(ng, sizeof *p->groups))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        for (size_t i = 0; i < ng; i++) {
            yaml_node_pair_t *pr = &groups->data.mapping.pairs.start[i];
            const char *name = og_yaml_str(yaml_document_get_node(&doc, pr->key));
            if (!name || !*name) { rc = og_error_set(OG_E_VALIDATION, "groups: blank group name"); goto done; }
            if (find_group(p, name)) { rc = og_error_set(OG_E_VALIDATION, "groups: duplicate group '%s'", name); goto done; }
            if (!(p->groups[i].name = strdup(name))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
            p->ngroups = i + 1;
            rc = read_strlist(&doc, yaml_document_get_node(&doc, pr->value), name, true, &p->groups[i].members);
            if (rc) { og_error_context(rc, "groups"); goto done; }
        }
    }
    yaml_node_t *pb = og_yaml_get(&doc, root, "protected_branches");
    if (pb && (rc = read_strlist(&doc, pb, "protected_branches", false, &p->protected_branches))) goto done;
    yaml_node_t *rules = og_yaml_get(&doc, root, "rules");
    if (rules && rules->type != YAML_SEQUENCE_NODE) { rc = og_error_set(OG_E_VALIDATION, "rules must be a list"); goto done; }
    size_t nr = og_yaml_len(rules);
    if (nr && !(p->rules = calloc(nr, sizeof *p->rules))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    unsigned all = 0;
    for (size_t i = 0; i < nr; i++) {
        p->nrules = i + 1;
        if ((rc = parse_rule(&doc, og_yaml_item(&doc, rules, i), p, i + 1, &p->rules[i]))) goto done;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(p->rules[j].id, p->rules[i].id)) {
                rc = og_error_set(OG_E_VALIDATION, "duplicate rule id '%s'", p->rules[i].id);
                goto done;
            }
        all |= p->rules[i].actions;
    }
    if ((all & A_GRAPH_LIST) && (all & ~(unsigned)A_GRAPH_LIST)) {
        rc = og_error_set(OG_E_VALIDATION, "a bundle is either server-scoped (graph_list) or graph-scoped, not both");
        goto done;
    }
    p->server_scoped = (all & A_GRAPH_LIST) != 0 || (kind && !strcmp(kind, "server"));
    if (kind && !strcmp(kind, "graph") && (all & A_GRAPH_LIST)) {
        rc = og_error_set(OG_E_VALIDATION, "kind graph cannot grant graph_list");
        goto done;
    }
    if (kind && !strcmp(kind, "server") && (all & ~(unsigned)A_GRAPH_LIST)) {
        rc = og_error_set(OG_E_VALIDATION, "kind server can only grant graph_list");
        goto done;
    }
    *out = p;
    p = NULL;
done:
    if (rc && what) og_error_context(rc, "%s", what);
    og_policy_free(p);
    if (have_doc) yaml_document_delete(&doc);
    return rc;
}

og_status og_policy_load_file(const char *path, og_policy **out)
{
    char *text = NULL;
    size_t len = 0;
    og_status rc = og_yaml_read_file(path, &text, &len);
    if (!rc) rc = og_policy_parse(text, len, path, out);
    free(text);
    return rc;
}

bool og_policy_server_scoped(const og_policy *p) { return p && p->server_scoped; }

static bool scope_ok(const og_policy *p, int scope, const char *branch)
{
    if (scope == SCOPE_NONE || scope == SCOPE_ANY) return true;
    if (!branch) return false;
    bool prot = strlist_has(&p->protected_branches, branch);
    return scope == SCOPE_PROTECTED ? prot : !prot;
}

static bool rule_matches(const og_policy *p, const rule *r, const og_policy_req *q, unsigned bit)
{
    if (!(r->actions & bit)) return false;
    bool who = r->any_actor || strlist_has(&r->actors, q->actor);
    for (size_t i = 0; !who && i < r->groups.n; i++) {
        const group *g = find_group(p, r->groups.v[i]);
        who = g && strlist_has(&g->members, q->actor);
    }
    if (!who) return false;
    return scope_ok(p, r->branch_scope, q->branch) && scope_ok(p, r->target_scope, q->target_branch);
}

void og_policy_deny_message(const og_policy_req *r, char *msg, size_t cap)
{
    char b[600] = "", t[600] = "";
    if (!msg || !cap) return;
    if (r->branch) snprintf(b, sizeof b, " on branch '%.512s'", r->branch);
    if (r->target_branch) snprintf(t, sizeof t, " targeting branch '%.512s'", r->target_branch);
    snprintf(msg, cap, "policy denied action '%s'%s%s for actor '%s'", r->action ? r->action : "?", b, t,
             r->actor ? r->actor : "anonymous");
}

bool og_policy_allows(const og_policy *p, const og_policy_req *q, char *msg, size_t cap, const char **rule_out)
{
    const char *allow_rule = NULL, *deny_rule = NULL;
    unsigned bit = q->action ? (unsigned)action_bit(q->action) : 0;
    if (rule_out) *rule_out = NULL;
    if (p && bit && q->actor && bit != A_ADMIN) {
        for (size_t i = 0; i < p->nrules; i++) {
            if (!rule_matches(p, &p->rules[i], q, bit)) continue;
            if (p->rules[i].deny && !deny_rule) deny_rule = p->rules[i].id;
            if (!p->rules[i].deny && !allow_rule) allow_rule = p->rules[i].id;
        }
    }
    bool ok = allow_rule && !deny_rule;
    if (rule_out) *rule_out = deny_rule ? deny_rule : allow_rule;
    if (!ok) og_policy_deny_message(q, msg, cap);
    return ok;
}
