/* cleanup.c — graph version GC (maint.h (5)–(7); internals §7.5).
 * (1) Preflight: list sidecars (refuse a pending one unless allow_pending,
 *     which protects its expected and post versions instead), list the
 *     live branch refs and every key under __manifest/chains/ once.
 * (2) Per live chain, newest first: keep the head, fork origins of live
 *     branches, and every version that fails a bound (inside the newest
 *     `keep`, or not older than the older_than cutoff). Kept versions are
 *     read for their pins: each main-branch table version they pin is
 *     protected. Chain times are monotone, so reading stops at the first
 *     version older than the cutoff.
 * (3) Chains of no live branch whose uid (a ULID: its creation time) is
 *     older than the grace period are reclaimed: a deleted branch's
 *     leftovers, or an abandoned create.
 * (4) Manifest versions are deleted before any table version, so a crash
 *     between never leaves a kept manifest version pinning a deleted table
 *     version; table GC (og_table_cleanup_keep) then runs per table with
 *     the protected versions, fault-isolated.
 * (5) Bytes and objects per table are measured by listing its prefix
 *     (forks included) before and after; a dry run reports what would go
 *     and deletes nothing.
 * (6) After a table's main versions, its forks (table branches named by
 *     a graph branch's chain uid, graph_txn.c (4)): the fork of a live
 *     branch is collected like main, its versions protected by the pins
 *     (table_branch = that uid) of every kept manifest version of every
 *     chain and of pending sidecars; the fork of a branch that no longer
 *     exists is reclaimed whole (og_table_branch_reclaim: ref, versions,
 *     then only files no remaining version of main or any branch names)
 *     once its uid is older than the grace period, so a branch created
 *     after the preflight is never mistaken for a deleted one, and while
 *     no retained manifest version or sidecar pins a version of it. */
#include "maint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/failpoint.h"
#include "base/log.h"
#include "base/vec.h"
#include "branch.h"
#include "engine_internal.h"
#include "internal.h"
#include "recovery.h"
#include "sidecar.h"

typedef struct prot { char *path, *branch; uint64_t version; } prot; /* branch NULL = main */
typedef OG_VEC(prot) prot_vec;
typedef struct tref { char *key, *path; } tref;
typedef OG_VEC(tref) tref_vec;
typedef struct cver { uint64_t version; char *key; } cver;
typedef struct chain { char uid[OG_ULID_LEN + 1]; cver *v; size_t n, cap; bool live; } chain;
typedef OG_VEC(chain) chain_vec;

typedef struct gc {
    og_graph *g;
    const og_cleanup_policy *p;
    bool has_time;           /* a time bound applies */
    int64_t cutoff_us;       /* remove only versions older than this (has_time) */
    int64_t grace_us;
    int64_t now_us;
    prot_vec prot;
    tref_vec tables;
    chain_vec chains;
    og_graph_ref *refs;
    size_t nrefs;
} gc;

void og_cleanup_result_clear(og_cleanup_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->ntables; i++) {
        free(r->tables[i].table_key);
        free(r->tables[i].path);
        free(r->tables[i].error);
    }
    free(r->tables);
    memset(r, 0, sizeof *r);
}

static void gc_free(gc *c)
{
    for (size_t i = 0; i < c->prot.len; i++) { free(c->prot.items[i].path); free(c->prot.items[i].branch); }
    og_vec_free(&c->prot);
    for (size_t i = 0; i < c->tables.len; i++) { free(c->tables.items[i].key); free(c->tables.items[i].path); }
    og_vec_free(&c->tables);
    for (size_t i = 0; i < c->chains.len; i++) {
        for (size_t j = 0; j < c->chains.items[i].n; j++) free(c->chains.items[i].v[j].key);
        free(c->chains.items[i].v);
    }
    og_vec_free(&c->chains);
    for (size_t i = 0; i < c->nrefs; i++) og_graph_ref_clear(&c->refs[i]);
    free(c->refs);
}

static bool same_branch(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static og_status protect(gc *c, const char *path, const char *branch, uint64_t version)
{
    for (size_t i = 0; i < c->prot.len; i++)
        if (c->prot.items[i].version == version && !strcmp(c->prot.items[i].path, path) &&
            same_branch(c->prot.items[i].branch, branch))
            return OG_OK;
    prot p = {strdup(path), branch ? strdup(branch) : NULL, version};
    og_status rc = p.path && (p.branch || !branch) ? og_vec_push(&c->prot, p)
                                                   : og_error_set(OG_E_NOMEM, "out of memory");
    if (rc) { free(p.path); free(p.branch); }
    return rc;
}

static og_status note_table(gc *c, const char *key, const char *path)
{
    for (size_t i = 0; i < c->tables.len; i++)
        if (!strcmp(c->tables.items[i].path, path)) return OG_OK;
    tref t = {strdup(key), strdup(path)};
    og_status rc = t.key && t.path ? og_vec_push(&c->tables, t) : og_error_set(OG_E_NOMEM, "out of memory");
    if (rc) { free(t.key); free(t.path); }
    return rc;
}

/* (1) sidecars: refuse or protect. */
static og_status sidecars(gc *c)
{
    og_list l;
    og_status rc = og_sidecar_list(c->g->root, &l);
    if (rc) return rc;
    for (size_t i = 0; i < l.len && !rc; i++) {
        char id[OG_ULID_LEN + 1];
        snprintf(id, sizeof id, "%.*s", OG_ULID_LEN, l.items[i].key + strlen(OG_SIDECAR_PREFIX));
        if (!c->p->allow_pending && !og_recovery_inflight_has(id)) {
            rc = og_error_set(OG_E_CONFLICT, "recovery required: the write of sidecar `%s` is pending; cleanup "
                              "refuses to run until it is recovered (reopen the graph read-write)", l.items[i].key);
            break;
        }
        og_sidecar sc;
        rc = og_sidecar_read(c->g->root, l.items[i].key, &sc);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; continue; } /* finished meanwhile */
        for (size_t t = 0; t < sc.ntables && !rc; t++) {
            const char *tb = sc.tables[t].table_branch;
            rc = protect(c, sc.tables[t].path, tb, sc.tables[t].expected_version);
            if (!rc) rc = protect(c, sc.tables[t].path, tb, sc.tables[t].post_version);
        }
        og_sidecar_free(&sc);
    }
    og_list_free(&l);
    return rc;
}

static og_status refs(gc *c)
{
    og_graph_branch_list bl;
    memset(&bl, 0, sizeof bl);
    og_status rc = og_graph_branch_list_all(c->g->root, OG_GRAPH_BRANCH_INTERNAL, &bl);
    if (rc) return rc;
    c->refs = calloc(bl.len ? bl.len : 1, sizeof *c->refs);
    if (!c->refs) rc = og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < bl.len && !rc; i++) {
        rc = og_graph_ref_read(c->g->root, strcmp(bl.names[i], OG_GRAPH_MAIN) ? bl.names[i] : NULL, &c->refs[c->nrefs]);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; continue; } /* deleted meanwhile */
        if (!rc) c->nrefs++;
    }
    og_graph_branch_list_free(&bl);
    return rc;
}

static chain *chain_of(gc *c, const char *uid)
{
    for (size_t i = 0; i < c->chains.len; i++)
        if (!strcmp(c->chains.items[i].uid, uid)) return &c->chains.items[i];
    chain ch;
    memset(&ch, 0, sizeof ch);
    snprintf(ch.uid, sizeof ch.uid, "%s", uid);
    if (og_vec_push(&c->chains, ch)) return NULL;
    return &c->chains.items[c->chains.len - 1];
}

/* Every chain version key, grouped by chain uid, newest first. */
static og_status chains(gc *c)
{
    og_list l;
    og_status rc = og_store_list_all(c->g->root, OG_GRAPH_CHAINS_PREFIX, &l);
    if (rc) return rc;
    size_t plen = strlen(OG_GRAPH_CHAINS_PREFIX);
    for (size_t i = 0; i < l.len && !rc; i++) {
        const char *k = l.items[i].key + plen;
        char uid[OG_ULID_LEN + 1];
        uint64_t v = 0;
        if (strlen(k) <= OG_ULID_LEN || k[OG_ULID_LEN] != '/') continue;
        snprintf(uid, sizeof uid, "%.*s", OG_ULID_LEN, k);
        if (og_graph_key_version_parse(l.items[i].key, uid, &v)) { og_error_clear(); continue; } /* not ours */
        chain *ch = chain_of(c, uid);
        if (!ch) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        if (ch->n == ch->cap) {
            size_t nc = ch->cap ? ch->cap * 2 : 16;
            cver *nv = realloc(ch->v, nc * sizeof *nv);
            if (!nv) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
            ch->v = nv;
            ch->cap = nc;
        }
        if (!(ch->v[ch->n].key = strdup(l.items[i].key))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        ch->v[ch->n++].version = v; /* reversed names: listing order is newest first */
    }
    og_list_free(&l);
    for (size_t i = 0; i < c->nrefs; i++) {
        chain *ch = NULL;
        for (size_t j = 0; j < c->chains.len; j++)
            if (!strcmp(c->chains.items[j].uid, c->refs[i].uid)) ch = &c->chains.items[j];
        if (ch) ch->live = true;
    }
    return rc;
}

static bool fork_origin(const gc *c, const char *uid, uint64_t v)
{
    for (size_t i = 0; i < c->nrefs; i++)
        if (!strcmp(c->refs[i].from_uid, uid) && c->refs[i].from_version == v) return true;
    return false;
}

/* (2) for one live chain: marks doomed versions (key freed to NULL means
 * kept) and protects what kept versions pin. */
static og_status chain_plan(gc *c, chain *ch, bool *doomed)
{
    og_status rc = OG_OK;
    bool past_cutoff = false;
    for (size_t i = 0; i < ch->n && !rc; i++) {
        bool by_count = c->p->keep ? i >= c->p->keep : true;
        bool need_time = c->has_time && !past_cutoff;
        bool keep = i == 0 || fork_origin(c, ch->uid, ch->v[i].version) || !by_count;
        og_graph_snapshot s = {0};
        if (!keep && !need_time && c->has_time) { doomed[i] = true; continue; }
        if (!keep && !c->has_time) { doomed[i] = true; continue; }
        rc = og_graph_chain_read(c->g->root, ch->uid, ch->v[i].version, &s);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; doomed[i] = false; continue; }
        if (rc) break;
        if (!keep) {
            if (s.head.created_at_us < c->cutoff_us) past_cutoff = true;
            else keep = true;
        }
        doomed[i] = !keep;
        for (size_t t = 0; keep && t < s.npins && !rc; t++) {
            const og_graph_pin *pin = &s.pins[t];
            rc = note_table(c, pin->table_key, pin->path);
            if (!rc) rc = protect(c, pin->path, pin->table_branch, pin->version);
        }
        og_graph_snapshot_free(&s);
    }
    return rc;
}

static og_status list_size(og_store *st, const char *prefix, uint64_t *objects, uint64_t *bytes, uint64_t *versions)
{
    og_list l;
    og_buf vp = OG_BUF_INIT;
    og_status rc = og_buf_printf(&vp, "%s_versions/", prefix);
    if (!rc) rc = og_store_list_all(st, prefix, &l);
    *objects = *bytes = 0;
    if (versions) *versions = 0;
    if (!rc) {
        for (size_t i = 0; i < l.len; i++) {
            (*objects)++;
            *bytes += l.items[i].size;
            if (versions && !strncmp(l.items[i].key, og_buf_cstr(&vp), vp.len)) (*versions)++;
        }
        og_list_free(&l);
    }
    og_buf_free(&vp);
    return rc;
}

/* Versions a real run would remove (dry run). */
static og_status preview_table(gc *c, const char *path, const uint64_t *pv, size_t npv, uint64_t *out)
{
    og_version_info *vi = NULL;
    size_t n = 0;
    og_status rc = og_table_versions(c->g->root, path, &vi, &n);
    *out = 0;
    if (rc) return rc;
    for (size_t i = 0; i + 1 < n; i++) { /* the latest stays */
        bool old_count = c->p->keep ? n - i > c->p->keep : true;
        bool old_time = c->has_time ? vi[i].timestamp_us < c->cutoff_us : true;
        bool pinned = false;
        for (size_t k = 0; k < npv; k++) pinned |= pv[k] == vi[i].version;
        *out += old_count && old_time && !pinned;
    }
    free(vi);
    return OG_OK;
}

static bool live_uid(const gc *c, const char *uid)
{
    for (size_t i = 0; i < c->nrefs; i++)
        if (!strcmp(c->refs[i].uid, uid)) return true;
    return false;
}

/* The versions of (path, branch) that kept manifest versions or pending
 * sidecars pin, into pv (room for every protected version). */
static size_t prot_of(const gc *c, const char *path, const char *branch, uint64_t *pv)
{
    size_t n = 0;
    for (size_t i = 0; i < c->prot.len; i++)
        if (!strcmp(c->prot.items[i].path, path) && same_branch(c->prot.items[i].branch, branch))
            pv[n++] = c->prot.items[i].version;
    return n;
}

/* (6) the table's forks: a live graph branch's fork is collected like
 * main (its own pins protected, never its latest); a fork whose graph
 * branch (by uid) no longer exists goes whole once its uid is older than
 * the grace period. A tree not named by a ULID is no graph fork: left. */
static og_status forks_gc(gc *c, const tref *t, const og_cleanup_opts *o, uint64_t *pv, og_cleanup_table *r)
{
    char **names = NULL;
    size_t n = 0;
    og_status rc = og_table_branch_trees(c->g->root, t->path, &names, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        og_cleanup_stats st = {0, 0};
        if (live_uid(c, names[i])) {
            og_cleanup_keep k = {c->p->keep, pv, prot_of(c, t->path, names[i], pv)};
            rc = og_table_cleanup_branch(c->g->root, t->path, names[i], o, &k, c->p->dry_run, &st);
        } else {
            /* a retained version of a live chain still pinning it (only
             * after a crashed or forced delete) keeps it whole */
            if (!og_ulid_valid(names[i]) || (int64_t)og_ulid_time_ms(names[i]) * 1000 >= c->now_us - c->grace_us ||
                prot_of(c, t->path, names[i], pv))
                continue;
            rc = og_table_branch_reclaim(c->g->root, t->path, names[i], o, c->p->dry_run, &st);
            if (!rc) r->forks_reclaimed++;
        }
        r->fork_versions_removed += st.versions_removed;
        r->versions_removed += st.versions_removed;
        r->files_removed += st.files_removed;
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

static og_status table_gc(gc *c, const tref *t, og_cleanup_table *r)
{
    og_status rc = OG_OK;
    og_buf prefix = OG_BUF_INIT;
    uint64_t *pv = calloc(c->prot.len + 1, sizeof *pv);
    uint64_t objs = 0, after = 0, vafter = 0;
    og_cleanup_opts o = {0, c->has_time ? (c->cutoff_us > 0 ? c->cutoff_us : 1) : 0, c->grace_us};
    if (!pv || !(r->table_key = strdup(t->key)) || !(r->path = strdup(t->path))) {
        free(pv);
        return og_error_set(OG_E_NOMEM, "out of memory");
    }
    size_t npv = prot_of(c, t->path, NULL, pv);
    if ((rc = og_buf_printf(&prefix, "%s/", t->path))) goto done;
    if ((rc = list_size(c->g->root, og_buf_cstr(&prefix), &objs, &r->bytes_before, &r->versions_before))) goto done;
    if (c->p->dry_run) {
        if (!(rc = preview_table(c, t->path, pv, npv, &r->versions_removed))) rc = forks_gc(c, t, &o, pv, r);
        goto done;
    }
    og_cleanup_keep k = {c->p->keep, pv, npv};
    og_cleanup_stats st = {0, 0};
    if ((rc = og_table_cleanup_keep(c->g->root, t->path, &o, &k, &st))) goto done;
    r->versions_removed = st.versions_removed;
    r->files_removed = st.files_removed;
    if ((rc = forks_gc(c, t, &o, pv, r))) goto done;
    if ((rc = list_size(c->g->root, og_buf_cstr(&prefix), &objs, &after, &vafter))) goto done;
    r->bytes_removed = r->bytes_before > after ? r->bytes_before - after : 0;
done:
    og_buf_free(&prefix);
    free(pv);
    return rc;
}

static og_status check_policy(const og_cleanup_policy *p)
{
    if (!p || (!p->keep && !p->has_older_than))
        return og_error_set(OG_E_INVALID, "cleanup needs a retention policy: --keep N and/or --older-than DUR");
    if (p->has_older_than && p->older_than_us < 0)
        return og_error_set(OG_E_INVALID, "cleanup: --older-than must not be negative");
    return OG_OK;
}

og_status og_graph_cleanup(og_graph *g, const og_cleanup_policy *p, og_cleanup_result *out)
{
    og_status rc = OG_OK;
    gc c;
    bool *doomed = NULL;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    if ((rc = check_policy(p))) return rc;
    if (g->mode != OG_GRAPH_RW && !p->dry_run) return og_error_set(OG_E_INVALID, "cleanup needs a read-write graph");
    c.g = g;
    c.p = p;
    int64_t now = og_clock_now_us();
    c.now_us = now;
    int64_t min_age = p->min_age_us == 0 ? OG_MAINT_MIN_AGE_DEFAULT_US : p->min_age_us;
    c.has_time = p->has_older_than || min_age > 0;
    c.cutoff_us = now - (min_age > 0 ? min_age : 0);
    if (p->has_older_than && now - p->older_than_us < c.cutoff_us) c.cutoff_us = now - p->older_than_us;
    c.grace_us = p->grace_us <= 0 ? OG_MAINT_GRACE_DEFAULT_US : p->grace_us;
    out->dry_run = p->dry_run;
    if ((rc = sidecars(&c)) || (rc = refs(&c)) || (rc = chains(&c))) goto done;
    /* (2) plan every live chain before deleting anything. */
    for (size_t i = 0; i < c.chains.len && !rc; i++) {
        chain *ch = &c.chains.items[i];
        if (!ch->live) continue;
        free(doomed);
        if (!(doomed = calloc(ch->n ? ch->n : 1, sizeof *doomed))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        if ((rc = chain_plan(&c, ch, doomed))) break;
        for (size_t j = 0; j < ch->n; j++) {
            if (!doomed[j]) { out->manifest_versions_kept++; continue; }
            if (!p->dry_run && (rc = og_store_delete(g->root, ch->v[j].key))) {
                if (rc != OG_E_NOTFOUND) goto done;
                og_error_clear();
                rc = OG_OK;
            }
            out->manifest_versions_removed++;
        }
    }
    if (rc) goto done;
    /* (3) chains of deleted branches, past the grace period. */
    for (size_t i = 0; i < c.chains.len && !rc; i++) {
        chain *ch = &c.chains.items[i];
        if (ch->live || (int64_t)og_ulid_time_ms(ch->uid) * 1000 >= now - c.grace_us) continue;
        og_buf key = OG_BUF_INIT;
        if (!p->dry_run && !(rc = og_graph_key_chain(&key, ch->uid))) rc = og_store_delete_prefix(g->root, og_buf_cstr(&key));
        og_buf_free(&key);
        if (!rc) out->orphan_chains_removed++;
    }
    if (rc) goto done;
    if ((rc = OG_FAILPOINT("cleanup.post_manifest_gc"))) goto done;
    /* (4) tables; the recovery audit table when it exists. */
    og_list al;
    if ((rc = og_store_list(g->root, OG_RECOVERY_AUDIT_TABLE "/", NULL, 1, &al))) goto done;
    if (al.len) rc = note_table(&c, OG_RECOVERY_AUDIT_TABLE, OG_RECOVERY_AUDIT_TABLE);
    og_list_free(&al);
    if (rc) goto done;
    size_t n = c.tables.len;
    if (p->max_tables && n > p->max_tables) n = p->max_tables;
    if (!(out->tables = calloc(n ? n : 1, sizeof *out->tables))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < n; i++) {
        og_cleanup_table *r = &out->tables[out->ntables++];
        og_status trc = table_gc(&c, &c.tables.items[i], r);
        if (trc == OG_E_CRASHED || trc == OG_E_NOMEM) { rc = trc; goto done; }
        if (trc) {
            char msg[1024];
            og_error_format(msg, sizeof msg);
            og_log_warn("cleanup: table `%s`: %s", c.tables.items[i].key, msg);
            free(r->error);
            r->error = strdup(msg);
            og_error_clear();
        }
        if ((rc = OG_FAILPOINT("cleanup.post_table_gc"))) goto done;
    }
    {
        uint64_t vr = 0, fr = 0, br = 0;
        for (size_t i = 0; i < out->ntables; i++) {
            vr += out->tables[i].versions_removed;
            fr += out->tables[i].files_removed;
            br += out->tables[i].bytes_removed;
        }
        og_log_info("cleanup%s: %llu manifest version(s), %llu table version(s), %llu file(s), %llu byte(s) "
                    "removed across %zu table(s)", p->dry_run ? " (preview)" : "",
                    (unsigned long long)out->manifest_versions_removed, (unsigned long long)vr,
                    (unsigned long long)fr, (unsigned long long)br, out->ntables);
    }
done:
    /* This handle's cached heads may be trusted within their lease by a
     * probe of V+1 (engine.c), which a collected V+1 would fool when
     * min_age is below the lease: make the next head open LIST instead. */
    if (out->manifest_versions_removed && !p->dry_run) og_graph_hcache_expire(g->hc);
    free(doomed);
    gc_free(&c);
    return rc;
}
