/* cache.h — per-handle cache of immutable objects (internal).
 * (1) A tbl_cache is shared by a table handle and every snapshot that a
 *     commit staged from it returns (refcounted), so a warm handle does not
 *     re-read fragment footers or key index files it has read before.
 * (2) Only immutable objects are cached (fragment and index files are
 *     write-once, named by fresh ULIDs), so an entry is never stale.
 * (3) Thread safety: a mutex guards the maps. A fragment reader is checked
 *     out (removed) while in use and put back after, so no two threads use
 *     one reader; a cached blob is never freed before the cache is.
 * (4) Bounded: at most TBL_CACHE_READERS readers (further ones are closed
 *     on return) and TBL_CACHE_BLOB_BYTES bytes of blobs (further ones are
 *     not cached: the caller keeps its own copy). */
#ifndef OG_TABLE_CACHE_H
#define OG_TABLE_CACHE_H

#include "base/buf.h"
#include "base/status.h"
#include "fragment.h"

#define TBL_CACHE_READERS 4096u
#define TBL_CACHE_BLOB_BYTES (512ull << 20)

typedef struct tbl_cache tbl_cache;

og_status tbl_cache_new(tbl_cache **out);
tbl_cache *tbl_cache_ref(tbl_cache *c);   /* NULL-safe; returns c */
void tbl_cache_unref(tbl_cache *c);       /* NULL-safe */

/* Removes and returns the cached reader of `key`, NULL when none. */
og_fragment_reader *tbl_cache_take_reader(tbl_cache *c, const char *key);
/* Calls fn on the cached reader of `key` under the cache lock, without
 * checking it out, and returns its result; -1 when none is cached. fn may
 * only read what a reader never changes after open (footer, page
 * statistics), since another thread may be using a checked-out reader. */
int tbl_cache_peek_reader(tbl_cache *c, const char *key, int (*fn)(void *ud, const og_fragment_reader *r),
                          void *ud);
/* Gives r (owned) back to the cache; closes it when the cache is full or
 * already holds a reader for key. NULL c or r: r is closed. */
void tbl_cache_put_reader(tbl_cache *c, const char *key, og_fragment_reader *r);

/* The cached bytes of `key`, or NULL. Valid until the cache is freed. */
const og_buf *tbl_cache_get_blob(tbl_cache *c, const char *key);
/* Moves *b into the cache and returns the cached copy in *out; when the
 * cache is over budget (or c is NULL) *b is left untouched and *out = b. */
og_status tbl_cache_put_blob(tbl_cache *c, const char *key, og_buf *b, const og_buf **out);

#endif
