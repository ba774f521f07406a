/* replay_main.c — runs a fuzz target over every file of a corpus directory
 * once, so fuzz findings stay fixed as ordinary ctest tests. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", path); return 1; }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) { cap *= 2; uint8_t *nb = realloc(buf, cap); if (!nb) { free(buf); buf = NULL; } else buf = nb; }
    }
    fclose(f);
    if (!buf) return 1;
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    /* Always exercise the empty input, even without a corpus. */
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    if (argc < 2) return 0;
    DIR *d = opendir(argv[1]);
    if (!d) return 0; /* no corpus yet */
    struct dirent *e;
    int files = 0, rc = 0;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        rc |= run_file(path);
        files++;
    }
    closedir(d);
    printf("replayed %d corpus files\n", files);
    return rc;
}
