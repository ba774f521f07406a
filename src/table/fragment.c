/* fragment.c — fragment file writer and validating reader.
 * (1) The writer emits header, pages in column-major order, footer, tail.
 * (2) The reader never touches a byte it has not bounds-checked: the tail
 *     is checked first, then the footer checksum, then every footer field
 *     against the file size; a page is checksummed before decompression
 *     and its decoded layout is validated before it is appended.
 * (3) All integers are little-endian (the host is assumed little-endian). */
#include "fragment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <zstd.h>

#define ZLEVEL 3

struct og_fragment_reader {
    og_store *store;
    char *key;
    const char *mem;
    og_buf owned;            /* backs mem for og_fragment_open_copy */
    uint64_t base;           /* the fragment starts here in the object (a pack) */
    uint64_t size;
    uint64_t nrows;
    uint32_t page_rows;
    uint32_t ncols;
    og_frag_col *cols;
    og_buf footer;
    og_buf scratch;
    og_buf raw;
    og_column **memo;        /* ncols * npages decoded pages, lazily */
    uint64_t memo_bytes;
};

/* ---------- little-endian helpers ---------- */

static og_status put32(og_buf *b, uint32_t v) { return og_buf_append(b, &v, 4); }
static og_status put64(og_buf *b, uint64_t v) { return og_buf_append(b, &v, 8); }
static uint32_t get32(const char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* A bounds-checked cursor over a byte range. */
typedef struct cur { const char *p; size_t n; bool bad; } cur;

static const char *take(cur *c, size_t n)
{
    if (c->bad || n > c->n) { c->bad = true; return NULL; }
    const char *p = c->p;
    c->p += n;
    c->n -= n;
    return p;
}
static uint8_t c8(cur *c) { const char *p = take(c, 1); return p ? (uint8_t)*p : 0; }
static uint16_t c16(cur *c) { uint16_t v = 0; const char *p = take(c, 2); if (p) memcpy(&v, p, 2); return v; }
static uint32_t c32(cur *c) { const char *p = take(c, 4); return p ? get32(p) : 0; }
static uint64_t c64(cur *c) { const char *p = take(c, 8); return p ? get64(p) : 0; }

static og_status corrupt(const char *what)
{
    return og_error_set(OG_E_CORRUPT, "fragment file is corrupt: %s", what);
}

/* ---------- writer ---------- */

static void bit_set(char *bm, size_t i) { bm[i >> 3] = (char)(bm[i >> 3] | (1 << (i & 7))); }
static bool bit_get(const char *bm, size_t i) { return (bm[i >> 3] >> (i & 7)) & 1; }

static og_status append_bitmap(og_buf *b, size_t n, const og_column *c, size_t r0, bool values)
{
    size_t nb = (n + 7) / 8;
    og_status rc = og_buf_reserve(b, nb);
    if (rc) return rc;
    char *bm = b->data + b->len;
    memset(bm, 0, nb);
    for (size_t i = 0; i < n; i++) {
        bool v = values ? c->data.data[r0 + i] != 0 : c->valid.data[r0 + i] != 0;
        if (v) bit_set(bm, i);
    }
    b->len += nb;
    return OG_OK;
}

static uint64_t off_at(const og_column *c, size_t i) { return get64(c->offs.data + i * 8); }

/* utf8/binary values [r0, r1) as u32 offsets + bytes. */
static og_status append_varlen(og_buf *b, const og_column *c, size_t r0, size_t r1)
{
    og_status rc = OG_OK;
    uint64_t base = off_at(c, r0), end = off_at(c, r1);
    if (end - base > UINT32_MAX) return og_error_set(OG_E_LIMIT, "page data exceeds 4 GiB");
    for (size_t i = r0; i <= r1 && !rc; i++) rc = put32(b, (uint32_t)(off_at(c, i) - base));
    if (!rc && end > base) rc = og_buf_append(b, c->data.data + base, (size_t)(end - base));
    return rc;
}

static void stats_compute(const og_column *c, size_t r0, size_t r1, og_stats *st)
{
    memset(st, 0, sizeof *st);
    og_type_id id = c->type.id;
    bool any = false;
    for (size_t i = r0; i < r1; i++) {
        if (og_column_is_null(c, i)) continue;
        if (id == OG_TYPE_U64) {
            uint64_t v = og_column_get_u64(c, i);
            if (!any || v < st->umin) st->umin = v;
            if (!any || v > st->umax) st->umax = v;
            st->kind = OG_STATS_U64;
        } else if (og_type_is_int(id)) {
            int64_t v = og_column_get_i64(c, i);
            if (!any || v < st->imin) st->imin = v;
            if (!any || v > st->imax) st->imax = v;
            st->kind = OG_STATS_I64;
        } else if (og_type_is_float(id)) {
            double v = og_column_get_f64(c, i);
            if (isnan(v)) continue;
            if (!any || v < st->fmin) st->fmin = v;
            if (!any || v > st->fmax) st->fmax = v;
            st->kind = OG_STATS_F64;
        } else if (id == OG_TYPE_UTF8 || id == OG_TYPE_BINARY) {
            size_t n;
            const char *p = og_column_get_bytes(c, i, &n);
            if (n > OG_STATS_BYTES_MAX) { st->kind = OG_STATS_NONE; return; }
            size_t m;
            if (!any || (m = n < st->bmin_len ? n : st->bmin_len,
                         memcmp(p, st->bmin, m) < 0 || (!memcmp(p, st->bmin, m) && n < st->bmin_len))) {
                st->bmin = p; st->bmin_len = n;
            }
            if (!any || (m = n < st->bmax_len ? n : st->bmax_len,
                         memcmp(p, st->bmax, m) > 0 || (!memcmp(p, st->bmax, m) && n > st->bmax_len))) {
                st->bmax = p; st->bmax_len = n;
            }
            st->kind = OG_STATS_BYTES;
        } else {
            return;
        }
        any = true;
    }
}

static og_status stats_encode(og_buf *b, const og_stats *st)
{
    og_status rc = og_buf_append_byte(b, (uint8_t)st->kind);
    switch (st->kind) {
    case OG_STATS_I64:
        if (!rc) rc = put64(b, (uint64_t)st->imin);
        if (!rc) rc = put64(b, (uint64_t)st->imax);
        break;
    case OG_STATS_U64:
        if (!rc) rc = put64(b, st->umin);
        if (!rc) rc = put64(b, st->umax);
        break;
    case OG_STATS_F64:
        if (!rc) rc = og_buf_append(b, &st->fmin, 8);
        if (!rc) rc = og_buf_append(b, &st->fmax, 8);
        break;
    case OG_STATS_BYTES: {
        uint16_t a = (uint16_t)st->bmin_len, z = (uint16_t)st->bmax_len;
        if (!rc) rc = og_buf_append(b, &a, 2);
        if (!rc) rc = og_buf_append(b, st->bmin, a);
        if (!rc) rc = og_buf_append(b, &z, 2);
        if (!rc) rc = og_buf_append(b, st->bmax, z);
        break;
    }
    default: break;
    }
    return rc;
}

/* Raw (uncompressed) layout of rows [r0, r1): validity bitmap then body. */
static og_status page_build(const og_column *c, size_t r0, size_t r1, og_buf *raw)
{
    size_t n = r1 - r0;
    og_status rc = append_bitmap(raw, n, c, r0, false);
    if (rc) return rc;
    switch (c->type.id) {
    case OG_TYPE_BOOL:
        return append_bitmap(raw, n, c, r0, true);
    case OG_TYPE_UTF8: case OG_TYPE_BINARY:
        return append_varlen(raw, c, r0, r1);
    case OG_TYPE_LIST: {
        uint64_t e0 = off_at(c, r0), e1 = off_at(c, r1);
        if (e1 - e0 > UINT32_MAX) return og_error_set(OG_E_LIMIT, "page data exceeds 4 GiB");
        for (size_t i = r0; i <= r1 && !rc; i++) rc = put32(raw, (uint32_t)(off_at(c, i) - e0));
        if (rc) return rc;
        const og_column *ch = c->child;
        if (ch->type.id == OG_TYPE_UTF8) return append_varlen(raw, ch, (size_t)e0, (size_t)e1);
        return og_buf_append(raw, ch->data.data + e0 * 8, (size_t)(e1 - e0) * 8);
    }
    default: {
        size_t w = og_type_width(c->type);
        return og_buf_append(raw, c->data.data + r0 * w, n * w);
    }
    }
}

og_status og_fragment_encode(const og_frag_field *fields, size_t nfields,
                             uint32_t page_rows, og_buf *out)
{
    og_status rc = OG_OK;
    og_buf raw = OG_BUF_INIT, footer = OG_BUF_INIT;
    og_frag_page *pages = NULL;
    size_t base = out->len;
    /* one context for every page: a fresh one per ZSTD_compress call
     * costs more than compressing a small page */
    ZSTD_CCtx *zc = ZSTD_createCCtx();
    if (!zc) return og_error_set(OG_E_NOMEM, "out of memory (zstd context)");
    if (page_rows == 0) page_rows = OG_FRAG_DEFAULT_PAGE_ROWS;
    size_t nrows = nfields ? fields[0].col->len : 0;
    if (nrows > UINT32_MAX) {
        rc = og_error_set(OG_E_LIMIT, "a fragment holds at most %u rows", UINT32_MAX);
        goto done;
    }
    for (size_t f = 0; f < nfields; f++)
        if (fields[f].col->len != nrows) {
            rc = og_error_set(OG_E_INVALID, "fragment columns differ in length");
            goto done;
        }
    uint32_t npages = (uint32_t)((nrows + page_rows - 1) / page_rows);
    pages = calloc(npages ? npages : 1, sizeof *pages);
    if (!pages) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if ((rc = og_buf_append(out, OG_FRAG_MAGIC, 4)) || (rc = put32(out, OG_FRAG_VERSION))) goto done;
    if ((rc = put32(&footer, (uint32_t)nfields)) || (rc = put64(&footer, nrows)) ||
        (rc = put32(&footer, page_rows)))
        goto done;
    for (size_t f = 0; f < nfields; f++) {
        const og_column *c = fields[f].col;
        uint16_t zero16 = 0;
        if ((rc = put32(&footer, fields[f].field_id)) ||
            (rc = og_buf_append_byte(&footer, (uint8_t)c->type.id)) ||
            (rc = og_buf_append_byte(&footer, (uint8_t)c->type.elem)) ||
            (rc = og_buf_append(&footer, &zero16, 2)) ||
            (rc = put32(&footer, c->type.dim)) || (rc = put32(&footer, npages)))
            goto done;
        for (uint32_t p = 0; p < npages; p++) {
            size_t r0 = (size_t)p * page_rows, r1 = r0 + page_rows < nrows ? r0 + page_rows : nrows;
            og_buf_clear(&raw);
            if ((rc = page_build(c, r0, r1, &raw))) goto done;
            if (raw.len > OG_FRAG_MAX_PAGE_RAW) {
                rc = og_error_set(OG_E_LIMIT, "page of %zu bytes exceeds the page limit; use fewer rows per page", raw.len);
                goto done;
            }
            size_t bound = ZSTD_compressBound(raw.len);
            if ((rc = og_buf_reserve(out, bound))) goto done;
            size_t z = ZSTD_compressCCtx(zc, out->data + out->len, bound, raw.len ? raw.data : "", raw.len, ZLEVEL);
            if (ZSTD_isError(z)) {
                rc = og_error_set(OG_E_INTERNAL, "zstd: %s", ZSTD_getErrorName(z));
                goto done;
            }
            og_frag_page *pg = &pages[p];
            pg->off = out->len - base;
            pg->comp_len = (uint32_t)z;
            pg->raw_len = (uint32_t)raw.len;
            pg->nrows = (uint32_t)(r1 - r0);
            pg->checksum = XXH64(out->data + out->len, z, 0);
            out->len += z;
            out->data[out->len] = 0;
            size_t nulls = 0;
            for (size_t i = r0; i < r1; i++) nulls += c->valid.data[i] == 0;
            pg->null_count = (uint32_t)nulls;
            stats_compute(c, r0, r1, &pg->stats);
            if ((rc = put64(&footer, pg->off)) || (rc = put32(&footer, pg->comp_len)) ||
                (rc = put32(&footer, pg->raw_len)) || (rc = put32(&footer, pg->nrows)) ||
                (rc = put32(&footer, pg->null_count)) || (rc = put64(&footer, pg->checksum)) ||
                (rc = stats_encode(&footer, &pg->stats)))
                goto done;
        }
    }
    uint64_t foff = out->len - base;
    if ((rc = og_buf_append(out, footer.data, footer.len))) goto done;
    if ((rc = put64(out, foff)) || (rc = put32(out, (uint32_t)footer.len)) ||
        (rc = put64(out, XXH64(footer.data, footer.len, 0))) ||
        (rc = put32(out, OG_FRAG_VERSION)) || (rc = og_buf_append(out, OG_FRAG_MAGIC, 4)))
        goto done;
done:
    if (rc) out->len = base;
    ZSTD_freeCCtx(zc);
    free(pages);
    og_buf_free(&raw);
    og_buf_free(&footer);
    return rc;
}

/* ---------- reader ---------- */

static og_status read_range(og_fragment_reader *r, uint64_t off, uint64_t len, og_buf *out)
{
    if (off > r->size || len > r->size - off) return corrupt("range past the end of the file");
    if (r->mem) {
        og_buf_clear(out);
        return og_buf_append(out, r->mem + off, (size_t)len);
    }
    og_status rc = og_store_get_range(r->store, r->key, r->base + off, len, out);
    if (rc == OG_E_INVALID) /* the object is shorter than its manifest says */
        return og_error_set(OG_E_CORRUPT, "fragment %s is shorter than its recorded size %llu", r->key,
                            (unsigned long long)r->size);
    if (rc) return og_error_context(rc, "reading fragment %s", r->key);
    if (out->len != len) return corrupt("short read (file truncated?)");
    return OG_OK;
}

static og_status stats_decode(cur *c, og_type t, og_stats *st)
{
    memset(st, 0, sizeof *st);
    st->kind = (og_stats_kind)c8(c);
    switch (st->kind) {
    case OG_STATS_NONE: break;
    case OG_STATS_I64:
        st->imin = (int64_t)c64(c); st->imax = (int64_t)c64(c);
        if (!og_type_is_int(t.id) || t.id == OG_TYPE_U64 || st->imin > st->imax) return corrupt("bad statistics");
        break;
    case OG_STATS_U64:
        st->umin = c64(c); st->umax = c64(c);
        if (t.id != OG_TYPE_U64 || st->umin > st->umax) return corrupt("bad statistics");
        break;
    case OG_STATS_F64: {
        const char *a = take(c, 8), *b = take(c, 8);
        if (a) memcpy(&st->fmin, a, 8);
        if (b) memcpy(&st->fmax, b, 8);
        if (!og_type_is_float(t.id) || !(st->fmin <= st->fmax)) return corrupt("bad statistics");
        break;
    }
    case OG_STATS_BYTES:
        st->bmin_len = c16(c); st->bmin = take(c, st->bmin_len);
        st->bmax_len = c16(c); st->bmax = take(c, st->bmax_len);
        if ((t.id != OG_TYPE_UTF8 && t.id != OG_TYPE_BINARY) ||
            st->bmin_len > OG_STATS_BYTES_MAX || st->bmax_len > OG_STATS_BYTES_MAX)
            return corrupt("bad statistics");
        break;
    default:
        return corrupt("unknown statistics kind");
    }
    return c->bad ? corrupt("footer truncated in statistics") : OG_OK;
}

static og_status footer_parse(og_fragment_reader *r, uint64_t foff)
{
    og_status rc = OG_OK;
    cur c = {r->footer.data, r->footer.len, false};
    uint32_t ncols = c32(&c);
    r->nrows = c64(&c);
    r->page_rows = c32(&c);
    if (c.bad) return corrupt("footer too short");
    if (r->page_rows == 0) return corrupt("zero rows per page");
    if (ncols > r->footer.len / 16) return corrupt("column count exceeds footer size");
    uint64_t npages_expect = (r->nrows + r->page_rows - 1) / r->page_rows;
    if (r->nrows > UINT32_MAX) return corrupt("row count out of range");
    r->cols = calloc(ncols ? ncols : 1, sizeof *r->cols);
    if (!r->cols) return og_error_set(OG_E_NOMEM, "out of memory");
    r->ncols = ncols;
    for (uint32_t i = 0; i < ncols; i++) {
        og_frag_col *col = &r->cols[i];
        col->field_id = c32(&c);
        col->type.id = (og_type_id)c8(&c);
        col->type.elem = (og_type_id)c8(&c);
        (void)c16(&c);
        col->type.dim = c32(&c);
        col->npages = c32(&c);
        if (c.bad) return corrupt("footer truncated in a column");
        if (col->type.id != OG_TYPE_LIST) col->type.elem = OG_TYPE_NONE;
        if (col->type.id != OG_TYPE_VECTOR) col->type.dim = 0;
        if (!og_type_valid(col->type)) return corrupt("unknown column type");
        for (uint32_t j = 0; j < i; j++)
            if (r->cols[j].field_id == col->field_id) return corrupt("duplicate field id");
        if (col->npages != npages_expect) return corrupt("page count does not match row count");
        if (col->npages > c.n / 33) return corrupt("page count exceeds footer size");
        col->pages = calloc(col->npages ? col->npages : 1, sizeof *col->pages);
        if (!col->pages) return og_error_set(OG_E_NOMEM, "out of memory");
        for (uint32_t p = 0; p < col->npages; p++) {
            og_frag_page *pg = &col->pages[p];
            pg->off = c64(&c);
            pg->comp_len = c32(&c);
            pg->raw_len = c32(&c);
            pg->nrows = c32(&c);
            pg->null_count = c32(&c);
            pg->checksum = c64(&c);
            pg->row_start = (uint64_t)p * r->page_rows;
            if (c.bad) return corrupt("footer truncated in a page");
            if ((rc = stats_decode(&c, col->type, &pg->stats))) return rc;
            uint64_t want = p + 1 < col->npages ? r->page_rows : r->nrows - pg->row_start;
            if (pg->nrows != want) return corrupt("page row count mismatch");
            if (pg->null_count > pg->nrows) return corrupt("null count exceeds page rows");
            if (pg->off < 8 || pg->off > foff || pg->comp_len > foff - pg->off)
                return corrupt("page outside the data region");
            if (pg->raw_len > OG_FRAG_MAX_PAGE_RAW) return corrupt("page too large");
        }
    }
    if (c.n != 0) return corrupt("trailing bytes in footer");
    return OG_OK;
}

static og_status reader_init(og_fragment_reader *r)
{
    og_status rc;
    og_buf tail = OG_BUF_INIT;
    if (r->size < 8 + OG_FRAG_TAIL_LEN) { rc = corrupt("file too short"); goto done; }
    if ((rc = read_range(r, r->size - OG_FRAG_TAIL_LEN, OG_FRAG_TAIL_LEN, &tail))) goto done;
    const char *t = tail.data;
    if (memcmp(t + 24, OG_FRAG_MAGIC, 4)) { rc = corrupt("bad magic at end of file"); goto done; }
    uint32_t ver = get32(t + 20);
    if (ver > OG_FRAG_VERSION) {
        rc = og_error_set(OG_E_CORRUPT, "fragment format version %u is newer than supported version %u",
                          ver, OG_FRAG_VERSION);
        goto done;
    }
    if (ver == 0) { rc = corrupt("format version 0"); goto done; }
    uint64_t foff = get64(t), fsum = get64(t + 12);
    uint32_t flen = get32(t + 8);
    uint64_t data_end = r->size - OG_FRAG_TAIL_LEN;
    if (foff < 8 || foff > data_end || flen != data_end - foff) { rc = corrupt("footer location out of bounds"); goto done; }
    if ((rc = read_range(r, foff, flen, &r->footer))) goto done;
    if (XXH64(r->footer.data, r->footer.len, 0) != fsum) { rc = corrupt("footer checksum mismatch"); goto done; }
    rc = footer_parse(r, foff);
done:
    og_buf_free(&tail);
    return rc;
}

static og_status reader_new(og_fragment_reader **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? OG_OK : og_error_set(OG_E_NOMEM, "out of memory");
}

og_status og_fragment_open(og_store *s, const char *key, uint64_t size, og_fragment_reader **out)
{
    return og_fragment_open_at(s, key, 0, size, out);
}

og_status og_fragment_open_at(og_store *s, const char *key, uint64_t offset, uint64_t size,
                              og_fragment_reader **out)
{
    og_fragment_reader *r = NULL;
    og_status rc = reader_new(&r);
    if (rc) return rc;
    r->store = s;
    r->base = offset;
    r->size = size;
    r->key = strdup(key);
    if (!r->key) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    rc = reader_init(r);
    if (rc) og_error_context(rc, "fragment %s", key);
done:
    if (rc) { og_fragment_close(r); r = NULL; }
    *out = r;
    return rc;
}

og_status og_fragment_open_written(og_store *s, const char *key, const void *p, size_t n,
                                   og_fragment_reader **out)
{
    og_fragment_reader *r = NULL;
    og_status rc = reader_new(&r);
    if (rc) return rc;
    r->store = s;
    r->size = n;
    r->mem = p;
    r->key = strdup(key);
    if (!r->key) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    rc = reader_init(r);
    r->mem = NULL; /* from now on pages come from the store */
done:
    if (rc) { og_fragment_close(r); r = NULL; }
    *out = r;
    return rc;
}

/* A reader over n bytes at p, copied into the reader first when copy. */
static og_status open_bytes(const void *p, size_t n, bool copy, og_fragment_reader **out)
{
    og_fragment_reader *r = NULL;
    og_status rc = reader_new(&r);
    if (rc) return rc;
    if (copy && (rc = og_buf_set(&r->owned, p, n))) goto done;
    r->mem = copy ? (const void *)r->owned.data : p;
    r->size = n;
    if (n < 8 || memcmp(p, OG_FRAG_MAGIC, 4)) { rc = corrupt("bad magic at start of file"); goto done; }
    uint32_t ver = get32((const char *)p + 4);
    if (ver > OG_FRAG_VERSION) {
        rc = og_error_set(OG_E_CORRUPT, "fragment format version %u is newer than supported version %u",
                          ver, OG_FRAG_VERSION);
        goto done;
    }
    rc = reader_init(r);
done:
    if (rc) { og_fragment_close(r); r = NULL; }
    *out = r;
    return rc;
}

og_status og_fragment_open_copy(const void *p, size_t n, og_fragment_reader **out)
{
    return open_bytes(p, n, true, out);
}

og_status og_fragment_open_mem(const void *p, size_t n, og_fragment_reader **out)
{
    return open_bytes(p, n, false, out);
}

void og_fragment_close(og_fragment_reader *r)
{
    if (!r) return;
    if (r->memo) {
        size_t n = (size_t)r->ncols * (r->ncols ? r->cols[0].npages : 0);
        for (size_t i = 0; i < n; i++) og_column_destroy(r->memo[i]);
        free(r->memo);
    }
    for (uint32_t i = 0; i < r->ncols; i++) free(r->cols[i].pages);
    free(r->cols);
    free(r->key);
    og_buf_free(&r->footer);
    og_buf_free(&r->owned);
    og_buf_free(&r->scratch);
    og_buf_free(&r->raw);
    free(r);
}

uint64_t og_fragment_nrows(const og_fragment_reader *r) { return r->nrows; }
uint32_t og_fragment_ncols(const og_fragment_reader *r) { return r->ncols; }
const og_frag_col *og_fragment_col(const og_fragment_reader *r, uint32_t i)
{ return i < r->ncols ? &r->cols[i] : NULL; }
uint32_t og_fragment_npages(const og_fragment_reader *r)
{ return (uint32_t)((r->nrows + r->page_rows - 1) / r->page_rows); }

int og_fragment_find(const og_fragment_reader *r, uint32_t field_id)
{
    for (uint32_t i = 0; i < r->ncols; i++)
        if (r->cols[i].field_id == field_id) return (int)i;
    return -1;
}

/* Validates n+1 u32 offsets starting at 0, non-decreasing, ending at
 * *total (checked against what remains). */
static og_status offsets_check(cur *c, size_t n, const char **offs, uint32_t *total)
{
    *offs = take(c, (n + 1) * 4);
    if (!*offs) return corrupt("page truncated in offsets");
    uint32_t prev = 0;
    for (size_t i = 0; i <= n; i++) {
        uint32_t o = get32(*offs + i * 4);
        if ((i == 0 && o != 0) || o < prev) return corrupt("offsets not monotonic");
        prev = o;
    }
    *total = prev;
    return OG_OK;
}

static og_status page_decode(const char *raw, size_t len, const og_frag_page *pg, og_type t, og_column *dst)
{
    og_status rc = OG_OK;
    size_t n = pg->nrows, nb = (n + 7) / 8;
    cur c = {raw, len, false};
    const char *vbm = take(&c, nb);
    if (!vbm) return corrupt("page truncated in validity bitmap");
    size_t nulls = 0;
    for (size_t i = 0; i < n; i++) nulls += !bit_get(vbm, i);
    if (nulls != pg->null_count) return corrupt("null count does not match the validity bitmap");
    size_t mark = dst->len;
    switch (t.id) {
    case OG_TYPE_BOOL: {
        const char *bm = take(&c, nb);
        if (!bm) return corrupt("page truncated in values");
        if (c.n) return corrupt("trailing bytes in page");
        for (size_t i = 0; i < n && !rc; i++)
            rc = bit_get(vbm, i) ? og_column_push_bool(dst, bit_get(bm, i)) : og_column_push_null(dst);
        break;
    }
    case OG_TYPE_UTF8: case OG_TYPE_BINARY: {
        const char *offs;
        uint32_t total;
        if ((rc = offsets_check(&c, n, &offs, &total))) return rc;
        const char *bytes = take(&c, total);
        if (!bytes || c.n) return corrupt("page byte length mismatch");
        for (size_t i = 0; i < n && !rc; i++) {
            uint32_t b = get32(offs + i * 4), e = get32(offs + (i + 1) * 4);
            if (!bit_get(vbm, i)) {
                if (b != e) return corrupt("null value with bytes");
                rc = og_column_push_null(dst);
            } else {
                rc = og_column_push_bytes(dst, bytes + b, e - b);
            }
        }
        break;
    }
    case OG_TYPE_LIST: {
        const char *offs, *eoffs = NULL, *bytes = NULL, *vals = NULL;
        uint32_t m, total = 0;
        if ((rc = offsets_check(&c, n, &offs, &m))) return rc;
        if (t.elem == OG_TYPE_UTF8) {
            if ((rc = offsets_check(&c, m, &eoffs, &total))) return rc;
            bytes = take(&c, total);
            if (!bytes) return corrupt("page truncated in list bytes");
        } else {
            vals = take(&c, (size_t)m * 8);
            if (!vals) return corrupt("page truncated in list values");
        }
        if (c.n) return corrupt("trailing bytes in page");
        og_column *ch = og_column_child(dst);
        for (size_t i = 0; i < n && !rc; i++) {
            uint32_t b = get32(offs + i * 4), e = get32(offs + (i + 1) * 4);
            if (!bit_get(vbm, i)) {
                if (b != e) return corrupt("null list with elements");
                rc = og_column_push_null(dst);
                continue;
            }
            for (uint32_t k = b; k < e && !rc; k++) {
                if (t.elem == OG_TYPE_UTF8) {
                    uint32_t x = get32(eoffs + (size_t)k * 4), y = get32(eoffs + ((size_t)k + 1) * 4);
                    rc = og_column_push_bytes(ch, bytes + x, y - x);
                } else if (t.elem == OG_TYPE_I64) {
                    rc = og_column_push_i64(ch, (int64_t)get64(vals + (size_t)k * 8));
                } else {
                    double d;
                    memcpy(&d, vals + (size_t)k * 8, 8);
                    rc = og_column_push_f64(ch, d);
                }
            }
            if (!rc) rc = og_column_list_close(dst);
        }
        break;
    }
    default: {
        size_t w = og_type_width(t);
        const char *vals = take(&c, n * w);
        if (!vals || c.n) return corrupt("page value length mismatch");
        if ((rc = og_buf_reserve(&dst->data, n * w)) || (rc = og_buf_reserve(&dst->valid, n))) return rc;
        memcpy(dst->data.data + dst->data.len, vals, n * w);
        dst->data.len += n * w;
        for (size_t i = 0; i < n; i++) {
            bool v = bit_get(vbm, i);
            dst->valid.data[dst->valid.len++] = v ? 1 : 0;
            if (!v) {
                memset(dst->data.data + (mark + i) * w, 0, w);
                dst->null_count++;
            }
        }
        dst->data.data[dst->data.len] = 0;
        dst->valid.data[dst->valid.len] = 0;
        dst->len += n;
        break;
    }
    }
    (void)mark;
    return rc;
}

og_status og_fragment_page_decode(const void *raw, size_t len, og_type t, uint32_t nrows,
                                  uint32_t null_count, og_column *dst)
{
    og_frag_page pg;
    memset(&pg, 0, sizeof pg);
    pg.nrows = nrows;
    pg.null_count = null_count;
    if (!og_type_valid(t) || !og_type_eq(t, dst->type))
        return og_error_set(OG_E_INVALID, "page type does not match the destination");
    return page_decode(raw, len, &pg, t, dst);
}

og_status og_fragment_read_page(og_fragment_reader *r, uint32_t col, uint32_t page, og_column *dst)
{
    og_status rc;
    if (col >= r->ncols || page >= r->cols[col].npages)
        return og_error_set(OG_E_INVALID, "page %u of column %u does not exist", page, col);
    const og_frag_col *fc = &r->cols[col];
    const og_frag_page *pg = &fc->pages[page];
    if (!og_type_eq(dst->type, fc->type))
        return og_error_set(OG_E_INVALID, "destination column type differs from stored type");
    if ((rc = read_range(r, pg->off, pg->comp_len, &r->scratch))) return rc;
    if (XXH64(r->scratch.data, r->scratch.len, 0) != pg->checksum) return corrupt("page checksum mismatch");
    unsigned long long fsz = ZSTD_getFrameContentSize(r->scratch.data, r->scratch.len);
    if (fsz != pg->raw_len) return corrupt("page size does not match its frame");
    og_buf_clear(&r->raw);
    if ((rc = og_buf_reserve(&r->raw, pg->raw_len))) return rc;
    size_t z = ZSTD_decompress(r->raw.data, pg->raw_len + 1, r->scratch.data, r->scratch.len);
    if (ZSTD_isError(z) || z != pg->raw_len) return corrupt("page does not decompress");
    r->raw.len = z;
    return page_decode(r->raw.data, r->raw.len, pg, fc->type, dst);
}

const og_column *og_fragment_page_memo(const og_fragment_reader *r, uint32_t col, uint32_t page)
{
    if (!r->memo || col >= r->ncols || page >= r->cols[col].npages) return NULL;
    return r->memo[(size_t)col * r->cols[0].npages + page];
}

static uint64_t column_bytes(const og_column *c)
{
    return c ? c->valid.cap + c->data.cap + c->offs.cap + column_bytes(c->child) + sizeof *c : 0;
}

const og_column *og_fragment_page_keep(og_fragment_reader *r, uint32_t col, uint32_t page, og_column *c)
{
    if (col >= r->ncols || page >= r->cols[col].npages) return NULL;
    uint64_t sz = column_bytes(c);
    if (r->memo_bytes + sz > OG_FRAG_MEMO_BYTES) return NULL;
    size_t np = r->cols[0].npages;
    if (!r->memo && !(r->memo = calloc((size_t)r->ncols * np, sizeof *r->memo))) return NULL;
    og_column **slot = &r->memo[(size_t)col * np + page];
    if (*slot) return NULL;
    og_column *k = malloc(sizeof *k);
    if (!k) return NULL;
    *k = *c;
    memset(c, 0, sizeof *c);
    *slot = k;
    r->memo_bytes += sz;
    return k;
}

og_status og_fragment_read_column(og_fragment_reader *r, uint32_t col, og_column *dst)
{
    og_status rc = OG_OK;
    if (col >= r->ncols) return og_error_set(OG_E_INVALID, "column %u does not exist", col);
    for (uint32_t p = 0; p < r->cols[col].npages && !rc; p++) rc = og_fragment_read_page(r, col, p, dst);
    return rc;
}
