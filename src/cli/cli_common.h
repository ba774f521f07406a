/* cli_common.h — what the verb handlers share: the global flags, graph
 * addressing, file reading, error printing and JSON output.
 * (1) Every verb's flag table is its own flags plus the global flags of
 *     surface.md §4.1 (main.c moves globals given before the verb after
 *     it), so globals are accepted anywhere; a global that does not apply
 *     to the verb fails loudly with a message naming it.
 * (2) Errors go to stderr as `error: <message>`; exit codes: 0 ok, 1 error,
 *     2 usage, 4 lost --if-commit (surface.md §4.4).
 * (3) A graph is addressed by a positional URI (where the verb takes
 *     one), --store or --uri, or the operator config's profile /
 *     defaults.store; or, for the served verbs, by --server URL [--graph
 *     ID] (cli_remote.h): the verbs then call cli_db_* for og_db_*. */
#ifndef OG_CLI_COMMON_H
#define OG_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "args.h"
#include "omnigraph.h"
#include "cli_remote.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_ERR 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_PRECONDITION 4

/* Parses argv[start..] with verb flags + globals; prints the usage error
 * and returns -1 on failure. */
int cli_parse(cli_args *a, const cli_flag *flags, size_t n, int argc, char **argv, int start);

void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef enum cli_access {
    CLI_ANY = 0,    /* query, mutate, load, branch, snapshot, export, commit, schema show */
    CLI_DIRECT,     /* init, lint: storage only */
} cli_access;

/* Resolves the graph URI of a verb: positional (pos may be NULL), then
 * --store / --uri, then the config. Refuses --server, --cluster, --graph,
 * http(s) URIs. Returns NULL after printing the error. */
const char *cli_target(const cli_args *a, const char *verb, const char *pos);
/* The addressing guards of a direct (storage-native) verb (surface.md
 * §4.1): --server, --as and a remote URI do not apply. Prints why and
 * returns 1 when one is given. */
int cli_direct_guard(const cli_args *a, const char *verb);

/* Opens the graph; prints the error and returns NULL on failure. */
og_db *cli_open(const char *uri);
/* cli_open for verbs that only read: a read-only open, which never writes
 * and never runs the recovery sweep (a live server or writer beside us may
 * own a pending sidecar); it reads the last published state. */
og_db *cli_open_read(const char *uri);

/* Prints og_errmsg() as an error and returns the exit code of the failed
 * call (4 for a lost precondition, else 1). */
int cli_fail(int rc);

/* Whole file (NUL-terminated), or NULL after printing an error naming the
 * file and the OS reason. */
char *cli_read_file(const char *what, const char *path, size_t *len);

/* Pretty-prints compact JSON text to stdout. */
int cli_print_json(const char *text);

/* True for a path or file:// URI. */
bool cli_is_local(const char *uri);
/* Destructive writes to a non-local target need --yes (no prompt: stdin is
 * not consulted); prints the refusal and returns false otherwise. */
bool cli_confirm_destructive(const cli_args *a, const char *what, const char *uri);

/* `omnigraph <verb> → <uri> (direct, local|remote)` on stderr unless --quiet. */
void cli_echo_write(const cli_args *a, const char *verb, const char *uri);

/* The actor for writes: --as, else the config's operator.actor, else NULL. */
const char *cli_actor(const cli_args *a);

/* Operator config values (OMNIGRAPH_HOME/config.yaml): NULL when absent. */
const char *cli_config_get(const char *path);
const char *cli_config_profile_store(const char *profile);

/* Automatic maintenance after a local write (cli_maint.c): off with the
 * global --no-auto-maintenance or OMNIGRAPH_AUTO_MAINTENANCE=0. */
extern bool cli_auto_maintenance_off;
/* Records a successful local write on branch (NULL = main); cli_db_close
 * then runs og_db_maintain when a table crossed the fragment threshold. */
void cli_maint_note_write(const char *branch);
void cli_maint_before_close(og_db *db);

#endif
