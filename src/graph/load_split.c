/* load_split.c — `load --batch`: a text larger than the per-load limits
 * (load_mode.h (5)) loaded as consecutive, individually atomic batches
 * (engine.h, split loads).
 * (1) Batches are consecutive line ranges in file order, each at most
 *     OG_LOAD_BATCH_MAX_LINES lines and OG_LOAD_BATCH_MAX_BYTES bytes: a
 *     bound on the whole batch bounds every type in it, so no batch can
 *     exceed the per-type entity and byte limits. Line numbers in errors
 *     stay those of the whole text (og_graph_load_opts.line_offset).
 * (2) Each batch is one og_graph_load: one commit, all or nothing. A failed
 *     batch leaves the earlier batches committed and nothing of itself; the
 *     error says which batch failed, its lines, and how many landed.
 * (3) Overwrite: the first batch replaces every type the whole text names
 *     (found by parsing each batch once beforehand), the later batches
 *     merge, so the end state is that of one overwrite of the text. */
#include "engine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_batch.h"

void og_load_split_free(og_load_split *s)
{
    if (!s) return;
    free(s->off);
    free(s->len);
    free(s->first_line);
    free(s->nlines);
    memset(s, 0, sizeof *s);
}

static og_status split_push(og_load_split *s, size_t *cap, size_t off, size_t len, uint32_t first, uint32_t n)
{
    if (s->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        size_t *o = realloc(s->off, nc * sizeof *o);
        if (o) s->off = o;
        size_t *l = realloc(s->len, nc * sizeof *l);
        if (l) s->len = l;
        uint32_t *f = realloc(s->first_line, nc * sizeof *f);
        if (f) s->first_line = f;
        uint32_t *k = realloc(s->nlines, nc * sizeof *k);
        if (k) s->nlines = k;
        if (!o || !l || !f || !k) return og_error_set(OG_E_NOMEM, "out of memory splitting a load");
        *cap = nc;
    }
    s->off[s->n] = off;
    s->len[s->n] = len;
    s->first_line[s->n] = first;
    s->nlines[s->n] = n;
    s->n++;
    return OG_OK;
}

og_status og_load_split_text(const char *text, size_t len, size_t max_lines, size_t max_bytes,
                             og_load_split *out)
{
    og_status rc = OG_OK;
    size_t cap = 0, pos = 0, start = 0, lines = 0;
    uint32_t line = 0, first = 0;
    memset(out, 0, sizeof *out);
    if (!max_lines) max_lines = OG_LOAD_BATCH_MAX_LINES;
    if (!max_bytes) max_bytes = OG_LOAD_BATCH_MAX_BYTES;
    while (pos < len && !rc) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        /* close the batch before a line that would overflow it */
        if (lines && (lines + 1 > max_lines || end - start > max_bytes)) {
            rc = split_push(out, &cap, start, pos - start, first, (uint32_t)lines);
            start = pos;
            first = line;
            lines = 0;
        }
        lines++;
        line++;
        pos = end;
    }
    if (!rc && pos > start) rc = split_push(out, &cap, start, pos - start, first, (uint32_t)lines);
    if (rc) og_load_split_free(out);
    return rc;
}

/* (3): the types named anywhere in the text. */
static og_status named_types(og_graph *g, const char *text, const og_load_split *sp, const og_decl ***types,
                             size_t *n)
{
    og_status rc = OG_OK;
    const og_catalog *cat = g->cat;
    bool *seen = calloc(cat->n_types ? cat->n_types : 1, sizeof *seen);
    *types = calloc(cat->n_types ? cat->n_types : 1, sizeof **types);
    *n = 0;
    if (!seen || !*types) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t b = 0; b < sp->n && !rc; b++) {
        og_load_batch *lb = NULL;
        if ((rc = og_load_parse_at(cat, text + sp->off[b], sp->len[b], NULL, sp->first_line[b], &lb))) {
            og_error_context(rc, "load batch %zu/%zu (lines %u-%u); no batch landed", b + 1, sp->n,
                             sp->first_line[b] + 1, sp->first_line[b] + sp->nlines[b]);
            break;
        }
        for (size_t i = 0; i < lb->n_tables; i++)
            if (lb->tables[i].touched) seen[i] = true;
        og_load_batch_free(lb);
    }
    for (size_t i = 0; !rc && i < cat->n_types; i++)
        if (seen[i]) (*types)[(*n)++] = &cat->types[i];
done:
    free(seen);
    if (rc) { free(*types); *types = NULL; *n = 0; }
    return rc;
}

og_status og_graph_load_batched(og_graph *g, const og_graph_load_opts *o, const char *text, size_t len,
                                og_graph_batch_fn fn, void *arg, size_t *landed, og_graph_load_result *out)
{
    og_status rc = OG_OK;
    og_load_split sp;
    const og_decl **types = NULL;
    size_t ntypes = 0;
    og_graph_load_result r;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    *landed = 0;
    out->n_types = g->cat->n_types;
    out->loaded = calloc(g->cat->n_types ? g->cat->n_types : 1, sizeof *out->loaded);
    if (!out->loaded) return og_error_set(OG_E_NOMEM, "out of memory");
    if ((rc = og_load_split_text(text, len, 0, 0, &sp))) return rc;
    if (o->mode == OG_LOAD_OVERWRITE && sp.n > 1 && (rc = named_types(g, text, &sp, &types, &ntypes))) goto done;
    for (size_t b = 0; b < sp.n; b++) {
        og_graph_load_opts bo = *o;
        og_graph_load_part_opts po = {NULL, 0, sp.first_line[b]};
        if (b > 0) {
            bo.from_branch = NULL;   /* created by the first batch when missing */
            if (o->mode == OG_LOAD_OVERWRITE) bo.mode = OG_LOAD_MERGE;
        } else if (types) {
            po.replace_types = types;
            po.n_replace_types = ntypes;
        }
        og_graph_load_result_clear(&r);
        rc = og_graph_load_part(g, &bo, &po, text + sp.off[b], sp.len[b], &r);
        if (rc) {
            og_graph_commit_result_clear(&out->commit);
            out->commit = r.commit;  /* the conflict detail, if any */
            memset(&r.commit, 0, sizeof r.commit);
            if (b == 0)
                og_error_context(rc, "load batch 1/%zu (lines %u-%u) failed; no batch landed", sp.n,
                                 sp.first_line[b] + 1, sp.first_line[b] + sp.nlines[b]);
            else
                og_error_context(rc, "load batch %zu/%zu (lines %u-%u) failed; batches 1-%zu landed (up to "
                                 "line %u)", b + 1, sp.n, sp.first_line[b] + 1, sp.first_line[b] + sp.nlines[b],
                                 b, sp.first_line[b]);
            goto done;
        }
        (*landed)++;
        if (b == 0) out->branch_created = r.branch_created;
        for (size_t i = 0; i < out->n_types && i < r.n_types; i++) out->loaded[i] += r.loaded[i];
        out->total += r.total;
        if (r.commit.published) {
            og_graph_commit_result_clear(&out->commit);
            out->commit = r.commit;
            memset(&r.commit, 0, sizeof r.commit);
        }
        if (fn && (rc = fn(arg, b, sp.n, &sp, out))) goto done;
    }
done:
    og_graph_load_result_clear(&r);
    free(types);
    og_load_split_free(&sp);
    return rc;
}
