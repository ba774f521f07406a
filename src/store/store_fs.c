/* store_fs.c — the object store on a local directory (docs/store.md).
 * (1) A key K is the file ROOT/K; parent directories are created on demand
 *     and fsynced into their parents. Directories are never removed (a
 *     concurrent put may be about to use them); they never show in listings.
 * (2) Every write goes to a fresh temp file in ROOT/.og-tmp/, is fsynced,
 *     and then enters the key atomically: rename(2) for put/put_if_match,
 *     link(2) for put_if_absent (EEXIST = lost). The key's directory is
 *     fsynced after. A reader opens whole inodes, so it sees the old or the
 *     new object, never a mix, and needs no lock.
 * (3) Writers that replace or remove a key (put, put_if_match, delete) hold
 *     an exclusive flock(2) on the key's lock stripe ROOT/.og-lock/XX while
 *     they compare and rename/unlink. So the compare and the swap of
 *     put_if_match happen with no other replace/remove of that key between
 *     them, across threads (each holder opens its own file description) and
 *     processes; the kernel releases the lock of a dead holder.
 * (4) Etags are the content hash (internal.h (1)), computed when needed.
 * (5) errno is mapped to a storage class in one place (fs_error).
 * (6) Failpoints "store.fs.<op>.<step>" after each durable step return
 *     OG_E_CRASHED without cleanup (temp files stay), as a process death
 *     there would. Names: put.{after_temp_write,after_temp_fsync,
 *     after_rename,after_dir_fsync}; put_if_absent.{after_temp_write,
 *     after_temp_fsync,after_link,after_dir_fsync}; put_if_match.
 *     {after_temp_write,after_temp_fsync,after_compare,after_rename,
 *     after_dir_fsync}.
 * (7) Temp files a dead writer left are swept at open once older than a
 *     day; until then they are invisible (listings skip ".og*").
 * (8) The change sequence (store.h) is a u64 in ROOT/.og-seq, mmap'd
 *     MAP_SHARED and advanced with an atomic add after each successful
 *     mutation, so every handle in every process sees one counter. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/failpoint.h"
#include "internal.h"

#define TMP_DIR ".og-tmp"
#define LOCK_DIR ".og-lock"
#define LOCK_STRIPES 256
#define READ_CHUNK (64 * 1024)
/* Temp files older than this are litter of dead writers, swept at open. A
 * live writer touches its temp file only for the length of one put. */
#define TEMP_MAX_AGE_S (24 * 3600)

typedef struct fs_store {
    og_store base;
    char *root;
    uint64_t *seq;   /* the shared change sequence (SEQ_FILE, mmap'd); NULL if unavailable */
} fs_store;

/* The change sequence of store.h lives in a small file under the root,
 * mapped shared by every handle of every process, advanced atomically. */
#define SEQ_FILE ".og-seq"
#define SEQ_BYTES 64

static void seq_advance(fs_store *f)
{
    if (f->seq) __atomic_fetch_add(f->seq, 1, __ATOMIC_SEQ_CST);
}

static og_status fs_change_seq(og_store *s, uint64_t *out)
{
    fs_store *f = (fs_store *)s->impl;
    if (!f->seq) return OG_E_UNSUPPORTED;
    *out = __atomic_load_n(f->seq, __ATOMIC_SEQ_CST);
    return OG_OK;
}

/* Maps SEQ_FILE; on any failure (read-only root, no space) the store just
 * has no sequence. */
static void seq_map(fs_store *f)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/" SEQ_FILE, f->root);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    if (fstat(fd, &st) == 0 && (st.st_size >= SEQ_BYTES || ftruncate(fd, SEQ_BYTES) == 0)) {
        void *m = mmap(NULL, SEQ_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m != MAP_FAILED) f->seq = m;
    }
    close(fd);
}

/* Temp names are <pid>.<seq>; one counter per process so that several
 * handles on one root never pick the same name. */
static atomic_ulong tmp_seq;

static fs_store *F(og_store *s) { return (fs_store *)s; }

/* (5): the one errno → class table. */
static og_code errno_class(int err)
{
    switch (err) {
    case ENOENT: case ENOTDIR:
        return OG_E_NOTFOUND;
    case EACCES: case EPERM: case EROFS:
        return OG_E_CONFIG;
    case EINTR: case EAGAIN: case EBUSY: case EMFILE: case ENFILE: case ETIMEDOUT:
        return OG_E_TRANSIENT;
    case ENOSPC: case EDQUOT: case EFBIG: case ENAMETOOLONG: case EISDIR:
    case EEXIST: case ENOTEMPTY: case EXDEV: case ELOOP: case EMLINK:
        return OG_E_PERMANENT;
    case ENOMEM:
        return OG_E_NOMEM;
    default:
        return OG_E_UNKNOWN; /* EIO and anything unforeseen: never retried */
    }
}

static og_status fs_error(int err, const char *op, const char *key, const char *what)
{
    return og_error_set(errno_class(err), "fs %s %s: %s: %s", op, key, what, strerror(err));
}

static og_status fp_check(const char *fp, const char *op, const char *key)
{
    og_status rc = OG_FAILPOINT(fp);
    if (rc) og_error_set((og_code)rc, "fs %s %s: failpoint %s fired", op, key, fp);
    return rc;
}

static og_status path_of(fs_store *f, const char *key, og_buf *out)
{
    og_buf_clear(out);
    og_status rc = og_buf_append_str(out, f->root);
    if (!rc) rc = og_buf_append_byte(out, '/');
    if (!rc) rc = og_buf_append_str(out, key);
    return rc;
}

static og_status fsync_dir(const char *dir, const char *op, const char *key)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fs_error(errno, op, key, "open directory for fsync");
    og_status rc = OG_OK;
    if (fsync(fd) != 0 && errno != EINVAL) rc = fs_error(errno, op, key, "fsync directory");
    close(fd);
    return rc;
}

/* fsyncs the directory holding `path` (the part before its last '/'). */
static og_status fsync_parent(const char *path, const char *op, const char *key)
{
    const char *slash = strrchr(path, '/');
    og_buf dir = OG_BUF_INIT;
    og_status rc = og_buf_append(&dir, path, slash ? (size_t)(slash - path) : 0);
    if (!rc && dir.len == 0) rc = og_buf_append_str(&dir, slash ? "/" : ".");
    if (!rc) rc = fsync_dir(dir.data, op, key);
    og_buf_free(&dir);
    return rc;
}

/* (1) Creates every missing parent directory of key, fsyncing each new one
 * into its parent. */
static og_status make_parents(fs_store *f, const char *key, const char *op)
{
    og_buf p = OG_BUF_INIT;
    og_status rc = path_of(f, key, &p);
    if (rc) goto done;
    size_t rl = strlen(f->root) + 1;
    for (size_t i = rl; i < p.len; i++) {
        if (p.data[i] != '/') continue;
        p.data[i] = 0;
        if (mkdir(p.data, 0755) == 0) {
            rc = fsync_parent(p.data, op, key);
        } else if (errno != EEXIST) {
            rc = fs_error(errno, op, key, "create parent directory");
        }
        p.data[i] = '/';
        if (rc) goto done;
    }
done:
    og_buf_free(&p);
    return rc;
}

/* (3) Takes the exclusive lock stripe of key; *fd_out is closed to unlock. */
static og_status lock_key(fs_store *f, const char *key, const char *op, int *fd_out)
{
    char path[4096];
    unsigned stripe = (unsigned)(XXH3_64bits(key, strlen(key)) % LOCK_STRIPES);
    og_status rc = OG_OK;
    int fd = -1;
    *fd_out = -1;
    snprintf(path, sizeof path, "%s/" LOCK_DIR "/%02x", f->root, stripe);
    /* the stripe file usually exists: opening without O_CREAT spares the
     * exclusive lock on the directory that O_CREAT takes */
    fd = open(path, O_RDWR | O_CLOEXEC);
    for (int attempt = 0; fd < 0 && attempt < 2; attempt++) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != ENOENT || attempt) break;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/" LOCK_DIR, f->root);
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) break;
    }
    if (fd < 0) { rc = fs_error(errno, op, key, "open lock file"); goto done; }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        rc = fs_error(errno, op, key, "lock");
        close(fd);
        goto done;
    }
    *fd_out = fd;
done:
    return rc;
}

static void unlock_key(int fd)
{
    if (fd >= 0) close(fd); /* closing the only description drops the flock */
}

static og_status write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* (2) Writes p[0..n) to a new temp file, fsyncs it, closes it. On success
 * tmp holds its path. Failpoints fire after the write and after the fsync;
 * on any failure except a crash the temp file is removed. */
static og_status temp_write(fs_store *f, const char *op, const char *key, const void *p, size_t n,
                            const char *fp_write, const char *fp_fsync, og_buf *tmp)
{
    og_status rc = OG_OK;
    int fd = -1;
    for (int attempt = 0; attempt < 64; attempt++) {
        unsigned long seq = atomic_fetch_add(&tmp_seq, 1);
        og_buf_clear(tmp);
        rc = og_buf_printf(tmp, "%s/" TMP_DIR "/%ld.%lu", f->root, (long)getpid(), seq);
        if (rc) goto done;
        fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) break;
        if (errno == ENOENT) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/" TMP_DIR, f->root);
            if (mkdir(dir, 0755) != 0 && errno != EEXIST) break;
            continue;
        }
        if (errno != EEXIST) break; /* EEXIST: a dead process's temp with our pid */
    }
    if (fd < 0) { rc = fs_error(errno, op, key, "create temp file"); og_buf_clear(tmp); goto done; }
    if (write_all(fd, p, n) != 0) { rc = fs_error(errno, op, key, "write temp file"); goto fail; }
    if ((rc = fp_check(fp_write, op, key))) goto fail;
    if (fsync(fd) != 0) { rc = fs_error(errno, op, key, "fsync temp file"); goto fail; }
    if ((rc = fp_check(fp_fsync, op, key))) goto fail;
    goto done;
fail:
    if (rc != OG_E_CRASHED) unlink(tmp->data);
done:
    if (fd >= 0) close(fd);
    return rc;
}

/* Opens key for reading; NOTFOUND unless it is a regular file. */
static og_status open_obj(fs_store *f, const char *key, const char *op, int *fd_out, struct stat *st)
{
    og_buf p = OG_BUF_INIT;
    og_status rc = path_of(f, key, &p);
    int fd = -1;
    *fd_out = -1;
    if (rc) goto done;
    fd = open(p.data, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            rc = og_error_set(OG_E_NOTFOUND, "fs %s %s: object not found", op, key);
        else
            rc = fs_error(errno, op, key, "open");
        goto done;
    }
    if (fstat(fd, st) != 0) { rc = fs_error(errno, op, key, "stat"); goto done; }
    if (!S_ISREG(st->st_mode)) {
        rc = og_error_set(OG_E_NOTFOUND, "fs %s %s: object not found (not a regular file)", op, key);
        goto done;
    }
    *fd_out = fd;
    fd = -1;
done:
    if (fd >= 0) close(fd);
    og_buf_free(&p);
    return rc;
}

/* Appends [off, off+len) of fd (clipped at EOF) to out. */
static og_status read_range(int fd, uint64_t off, uint64_t len, og_buf *out,
                            const char *op, const char *key)
{
    og_status rc = OG_OK;
    while (len > 0) {
        size_t want = len > READ_CHUNK ? READ_CHUNK : (size_t)len;
        if ((rc = og_buf_reserve(out, want))) goto done;
        ssize_t r = pread(fd, out->data + out->len, want, (off_t)off);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = fs_error(errno, op, key, "read");
            goto done;
        }
        if (r == 0) break;
        out->len += (size_t)r;
        out->data[out->len] = 0;
        off += (uint64_t)r;
        len -= (uint64_t)r;
    }
done:
    return rc;
}

/* Streams fd through the etag hash; *size gets the byte count. */
static og_status hash_fd(int fd, char etag[OG_ETAG_MAX], uint64_t *size, const char *op, const char *key)
{
    og_status rc = OG_OK;
    char *chunk = malloc(READ_CHUNK);
    XXH3_state_t *st = XXH3_createState();
    uint64_t off = 0;
    if (!chunk || !st) { rc = og_error_set(OG_E_NOMEM, "fs %s %s: out of memory", op, key); goto done; }
    XXH3_128bits_reset(st);
    for (;;) {
        ssize_t r = pread(fd, chunk, READ_CHUNK, (off_t)off);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = fs_error(errno, op, key, "read");
            goto done;
        }
        if (r == 0) break;
        XXH3_128bits_update(st, chunk, (size_t)r);
        off += (uint64_t)r;
    }
    XXH128_hash_t h = XXH3_128bits_digest(st);
    snprintf(etag, OG_ETAG_MAX, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);
    *size = off;
done:
    free(chunk);
    if (st) XXH3_freeState(st);
    return rc;
}

static og_status fs_get(og_store *s, const char *key, og_buf *out, og_obj_meta *meta)
{
    struct stat st;
    int fd = -1;
    og_status rc = open_obj(F(s), key, "get", &fd, &st);
    if (rc) goto done;
    if ((rc = og_buf_reserve(out, (size_t)st.st_size))) goto done;
    if ((rc = read_range(fd, 0, UINT64_MAX, out, "get", key))) goto done;
    meta->size = out->len;
    og_store_etag_compute(out->data, out->len, meta->etag);
done:
    if (fd >= 0) close(fd);
    return rc;
}

static og_status fs_get_range(og_store *s, const char *key, uint64_t off, uint64_t len, og_buf *out)
{
    struct stat st;
    int fd = -1;
    og_status rc = open_obj(F(s), key, "get_range", &fd, &st);
    if (rc) goto done;
    if (off > (uint64_t)st.st_size) {
        rc = og_error_set(OG_E_INVALID, "fs get_range %s: offset %llu is past the end (%llu bytes)",
                          key, (unsigned long long)off, (unsigned long long)st.st_size);
        goto done;
    }
    rc = read_range(fd, off, len, out, "get_range", key);
done:
    if (fd >= 0) close(fd);
    return rc;
}

static og_status fs_head(og_store *s, const char *key, og_obj_meta *out)
{
    struct stat st;
    int fd = -1;
    og_status rc = open_obj(F(s), key, "head", &fd, &st);
    if (rc) goto done;
    rc = hash_fd(fd, out->etag, &out->size, "head", key);
done:
    if (fd >= 0) close(fd);
    return rc;
}

/* rename/link tmp → target, creating parent directories on ENOENT once. */
static og_status enter_key(fs_store *f, bool use_link, const char *tmp, const char *target,
                           const char *op, const char *key)
{
    og_status rc = OG_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        int r = use_link ? link(tmp, target) : rename(tmp, target);
        if (r == 0) goto done;
        int err = errno;
        if (use_link && err == EEXIST) {
            rc = og_error_set(OG_E_PRECONDITION, "fs %s %s: object already exists", op, key);
            goto done;
        }
        if (err != ENOENT || attempt) {
            if (err == ENOTDIR || err == EISDIR || (err == ENOENT && attempt))
                rc = og_error_set(OG_E_PERMANENT,
                                  "fs %s %s: the key collides with an existing object or "
                                  "directory on its path (%s)", op, key, strerror(err));
            else
                rc = fs_error(err, op, key, use_link ? "link" : "rename");
            goto done;
        }
        if ((rc = make_parents(f, key, op))) goto done;
    }
done:
    return rc;
}

/* OG_OK iff key exists with etag; absent or different is PRECONDITION.
 * fd_keep (nullable) receives the open descriptor of the compared object. */
static og_status match_etag(fs_store *f, const char *key, const char *etag, int *fd_keep)
{
    struct stat st;
    char cur[OG_ETAG_MAX];
    uint64_t size;
    int fd = -1;
    og_status rc = open_obj(f, key, "put_if_match", &fd, &st);
    if (rc == OG_E_NOTFOUND) {
        rc = og_error_set(OG_E_PRECONDITION, "fs put_if_match %s: object is absent", key);
        goto done;
    }
    if (rc) goto done;
    if ((rc = hash_fd(fd, cur, &size, "put_if_match", key))) goto done;
    if (strcmp(cur, etag) != 0)
        rc = og_error_set(OG_E_PRECONDITION, "fs put_if_match %s: etag %s does not match %s",
                          key, etag, cur);
done:
    if (fd_keep && !rc) *fd_keep = fd;
    else if (fd >= 0) close(fd);
    return rc;
}

enum { PUT_ANY, PUT_ABSENT, PUT_MATCH };

static const char *const FP[3][5] = {
    {"store.fs.put.after_temp_write", "store.fs.put.after_temp_fsync", NULL,
     "store.fs.put.after_rename", "store.fs.put.after_dir_fsync"},
    {"store.fs.put_if_absent.after_temp_write", "store.fs.put_if_absent.after_temp_fsync", NULL,
     "store.fs.put_if_absent.after_link", "store.fs.put_if_absent.after_dir_fsync"},
    {"store.fs.put_if_match.after_temp_write", "store.fs.put_if_match.after_temp_fsync",
     "store.fs.put_if_match.after_compare", "store.fs.put_if_match.after_rename",
     "store.fs.put_if_match.after_dir_fsync"},
};
static const char *const OPNAME[3] = {"put", "put_if_absent", "put_if_match"};

static og_status fs_write(og_store *s, int mode, const char *key, const char *etag,
                          const void *p, size_t n, og_obj_meta *meta)
{
    fs_store *f = F(s);
    const char *op = OPNAME[mode];
    og_buf tmp = OG_BUF_INIT, target = OG_BUF_INIT;
    int lock_fd = -1, cur_fd = -1;
    bool tmp_live = false;
    og_status rc = path_of(f, key, &target);
    if (rc) goto done;
    /* A lock-free pre-check lets a sure loser fail before writing anything;
     * a failure observed here is a valid outcome at this instant. The
     * authoritative check is the one under the lock (or link's EEXIST). */
    if (mode == PUT_ABSENT && access(target.data, F_OK) == 0) {
        rc = og_error_set(OG_E_PRECONDITION, "fs put_if_absent %s: object already exists", key);
        goto done;
    }
    if (mode == PUT_MATCH && (rc = match_etag(f, key, etag, NULL))) goto done;
    if ((rc = temp_write(f, op, key, p, n, FP[mode][0], FP[mode][1], &tmp))) goto done;
    tmp_live = true;
    if (mode != PUT_ABSENT) {
        if ((rc = lock_key(f, key, op, &lock_fd))) goto done;
    }
    if (mode == PUT_MATCH) {
        if ((rc = match_etag(f, key, etag, &cur_fd))) goto done;
        if ((rc = fp_check(FP[mode][2], op, key))) goto done;
    }
    if ((rc = enter_key(f, mode == PUT_ABSENT, tmp.data, target.data, op, key))) goto done;
    if (mode != PUT_ABSENT) tmp_live = false; /* renamed away */
    if ((rc = fp_check(FP[mode][3], op, key))) goto done;
    if (mode == PUT_ABSENT) {
        unlink(tmp.data); /* the link holds the inode now */
        tmp_live = false;
    }
    if ((rc = fsync_parent(target.data, op, key))) goto done;
    if ((rc = fp_check(FP[mode][4], op, key))) goto done;
    meta->size = n;
    og_store_etag_compute(p, n, meta->etag);
done:
    if (tmp_live && rc != OG_E_CRASHED) unlink(tmp.data);
    if (cur_fd >= 0) close(cur_fd);
    unlock_key(lock_fd);
    og_buf_free(&tmp);
    og_buf_free(&target);
    return rc;
}

static og_status fs_put(og_store *s, const char *key, const void *p, size_t n, og_obj_meta *meta)
{
    og_status rc = fs_write(s, PUT_ANY, key, NULL, p, n, meta);
    if (rc == OG_OK) seq_advance(F(s));
    return rc;
}

static og_status fs_put_if_absent(og_store *s, const char *key, const void *p, size_t n,
                                  og_obj_meta *meta)
{
    og_status rc = fs_write(s, PUT_ABSENT, key, NULL, p, n, meta);
    if (rc == OG_OK) seq_advance(F(s));
    return rc;
}

static og_status fs_put_if_match(og_store *s, const char *key, const char *etag,
                                 const void *p, size_t n, og_obj_meta *meta)
{
    og_status rc = fs_write(s, PUT_MATCH, key, etag, p, n, meta);
    if (rc == OG_OK) seq_advance(F(s));
    return rc;
}

/* ---- listing ---- */

#define UNSIZED UINT64_MAX /* a listed file not stat'ed yet (fs_list) */

typedef struct walk {
    const char *prefix;
    size_t plen;
    const char *after;
    og_list *out;
    size_t cap;
} walk;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const og_list_entry *)a)->key, ((const og_list_entry *)b)->key);
}

/* Collects regular files under dir (path) whose key (rel) matches. rel is
 * the key prefix of this directory ("" or ending in '/'). */
static og_status walk_dir(walk *w, og_buf *path, og_buf *rel)
{
    og_status rc = OG_OK;
    DIR *d = opendir(path->data);
    size_t plen0 = path->len, rlen0 = rel->len;
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR) goto done;
        rc = fs_error(errno, "list", w->prefix, "open directory");
        goto done;
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno) rc = fs_error(errno, "list", w->prefix, "read directory");
            break;
        }
        const char *nm = e->d_name;
        if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
        if (strncmp(nm, ".og", 3) == 0) continue; /* temp and lock files */
        path->len = plen0; rel->len = rlen0;
        if ((rc = og_buf_append_byte(path, '/')) || (rc = og_buf_append_str(path, nm))) break;
        if ((rc = og_buf_append_str(rel, nm))) break;
        if (e->d_type == DT_REG) {
            /* the common case needs no stat: match on the name, and size
             * only the entries that survive the max_keys cut (fs_list) */
            if (rel->len < w->plen || strncmp(rel->data, w->prefix, w->plen) != 0) continue;
            if (w->after && strcmp(rel->data, w->after) <= 0) continue;
            if ((rc = og_store_list_push(w->out, &w->cap, rel->data, UNSIZED))) break;
            continue;
        }
        struct stat st;
        if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue; /* vanished meanwhile */
            rc = fs_error(errno, "list", w->prefix, "stat");
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            /* enter only if keys below can start with the prefix */
            if ((rc = og_buf_append_byte(rel, '/'))) break;
            size_t cmp = rel->len < w->plen ? rel->len : w->plen;
            if (strncmp(rel->data, w->prefix, cmp) != 0) continue;
            if ((rc = walk_dir(w, path, rel))) break;
        } else if (S_ISREG(st.st_mode)) {
            if (rel->len < w->plen || strncmp(rel->data, w->prefix, w->plen) != 0) continue;
            if (w->after && strcmp(rel->data, w->after) <= 0) continue;
            if ((rc = og_store_list_push(w->out, &w->cap, rel->data, (uint64_t)st.st_size))) break;
        }
    }
    closedir(d);
    path->len = plen0; rel->len = rlen0;
    if (path->data) path->data[plen0] = 0;
    if (rel->data) rel->data[rlen0] = 0;
done:
    return rc;
}

static og_status fs_list(og_store *s, const char *prefix, const char *start_after,
                         size_t max_keys, og_list *out)
{
    fs_store *f = F(s);
    og_buf path = OG_BUF_INIT, rel = OG_BUF_INIT;
    walk w = {prefix, strlen(prefix), start_after, out, 0};
    const char *slash = strrchr(prefix, '/');
    size_t dlen = slash ? (size_t)(slash - prefix) + 1 : 0; /* "a/b/" of "a/b/c" */
    og_status rc = og_buf_append_str(&path, f->root);
    if (!rc && dlen) rc = og_buf_append_byte(&path, '/');
    if (!rc && dlen) rc = og_buf_append(&path, prefix, dlen - 1);
    if (!rc) rc = og_buf_append(&rel, prefix, dlen);
    if (!rc) rc = og_buf_append_str(&rel, ""); /* make data non-NULL */
    if (rc) goto done;
    if ((rc = walk_dir(&w, &path, &rel))) goto done;
    if (out->len) qsort(out->items, out->len, sizeof *out->items, cmp_entry);
    /* Size the first max_keys entries in key order; one that vanished since
     * readdir is dropped and the next takes its place, so a bounded listing
     * stats O(max_keys) files however large the directory is. */
    size_t kept = 0, i = 0;
    for (; i < out->len && kept < max_keys && !rc; i++) {
        og_list_entry en = out->items[i];
        if (en.size == UNSIZED) {
            struct stat st;
            path.len = 0;
            rc = og_buf_append_str(&path, f->root);
            if (!rc) rc = og_buf_append_byte(&path, '/');
            if (!rc) rc = og_buf_append_str(&path, en.key);
            bool gone = false;
            if (!rc && stat(path.data, &st) != 0) {
                if (errno == ENOENT || errno == ENOTDIR) gone = true;
                else rc = fs_error(errno, "list", prefix, "stat");
            } else if (!rc && !S_ISREG(st.st_mode)) {
                gone = true;
            }
            if (rc || gone) { /* vanished since readdir: the next one moves up */
                free(en.key);
                continue;
            }
            en.size = (uint64_t)st.st_size;
        }
        out->items[kept++] = en;
    }
    for (size_t j = i; j < out->len; j++) free(out->items[j].key);
    if (i < out->len) out->truncated = true;
    out->len = kept;
done:
    og_buf_free(&path);
    og_buf_free(&rel);
    return rc;
}

static og_status fs_del(og_store *s, const char *key)
{
    fs_store *f = F(s);
    og_buf p = OG_BUF_INIT;
    int lock_fd = -1;
    og_status rc = path_of(f, key, &p);
    if (rc) goto done;
    if ((rc = lock_key(f, key, "delete", &lock_fd))) goto done;
    if (unlink(p.data) != 0) {
        /* absent, or a directory / path through a file: nothing to delete */
        if (errno != ENOENT && errno != ENOTDIR && errno != EISDIR)
            rc = fs_error(errno, "delete", key, "unlink");
        goto done;
    }
    rc = fsync_parent(p.data, "delete", key);
    if (rc == OG_OK) seq_advance(f);
done:
    unlock_key(lock_fd);
    og_buf_free(&p);
    return rc;
}

static og_status fs_del_prefix(og_store *s, const char *prefix)
{
    og_list l = {0};
    og_status rc = og_store_list_all(s, prefix, &l);
    if (rc) goto done;
    for (size_t i = 0; i < l.len; i++) {
        if ((rc = fs_del(s, l.items[i].key))) goto done;
    }
done:
    og_list_free(&l);
    return rc;
}

static void fs_close(og_store *s)
{
    fs_store *f = F(s);
    if (f->seq) munmap(f->seq, SEQ_BYTES);
    free(f->root);
    free(f);
}

static const og_store_ops fs_ops = {
    .name = "fs",
    .get = fs_get,
    .get_range = fs_get_range,
    .head = fs_head,
    .put = fs_put,
    .put_if_absent = fs_put_if_absent,
    .put_if_match = fs_put_if_match,
    .list = fs_list,
    .del = fs_del,
    .del_prefix = fs_del_prefix,
    .close = fs_close,
    .change_seq = fs_change_seq,
};

static og_status mkdir_p(const char *root)
{
    og_buf p = OG_BUF_INIT;
    og_status rc = og_buf_append_str(&p, root);
    if (rc) goto done;
    for (size_t i = 1; i <= p.len; i++) {
        if (i < p.len && p.data[i] != '/') continue;
        char c = p.data[i];
        p.data[i] = 0;
        if (mkdir(p.data, 0755) != 0 && errno != EEXIST) {
            rc = og_error_set(errno_class(errno), "fs open %s: cannot create %s: %s",
                              root, p.data, strerror(errno));
            goto done;
        }
        p.data[i] = c;
    }
done:
    og_buf_free(&p);
    return rc;
}

/* Removes temp files a dead writer left (see TEMP_MAX_AGE_S); best effort. */
static void sweep_temps(const char *root)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/" TMP_DIR, root);
    DIR *d = opendir(dir);
    if (!d) return;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.') continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISREG(st.st_mode) && now - st.st_mtime > TEMP_MAX_AGE_S)
            (void)unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

og_status og_store_fs_open(const char *root, bool create, og_store **out)
{
    fs_store *f = NULL;
    og_status rc = OG_OK;
    struct stat st;
    char sub[4096];
    if (!out) return og_error_set(OG_E_INVALID, "fs open: out is NULL");
    *out = NULL;
    if (!root || !*root) return og_error_set(OG_E_INVALID, "fs open: root path is empty");
    if (strlen(root) > 3000) return og_error_set(OG_E_INVALID, "fs open: root path is too long");
    if (create && (rc = mkdir_p(root))) goto done;
    if (stat(root, &st) != 0) {
        rc = og_error_set(errno == ENOENT ? OG_E_CONFIG : errno_class(errno),
                          "fs open %s: %s", root, strerror(errno));
        goto done;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = og_error_set(OG_E_CONFIG, "fs open %s: not a directory", root);
        goto done;
    }
    f = calloc(1, sizeof *f);
    if (!f || !(f->root = strdup(root))) {
        rc = og_error_set(OG_E_NOMEM, "fs open: out of memory");
        goto done;
    }
    /* strip trailing slashes (but keep "/") */
    for (size_t l = strlen(f->root); l > 1 && f->root[l - 1] == '/'; l--) f->root[l - 1] = 0;
    /* bookkeeping dirs; a read-only root may lack them (writes fail later) */
    snprintf(sub, sizeof sub, "%s/" TMP_DIR, f->root);
    (void)mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/" LOCK_DIR, f->root);
    (void)mkdir(sub, 0755);
    sweep_temps(f->root);
    seq_map(f);
    f->base.ops = &fs_ops;
    f->base.impl = f;
    *out = &f->base;
    f = NULL;
done:
    if (f) { free(f->root); free(f); }
    return rc;
}
