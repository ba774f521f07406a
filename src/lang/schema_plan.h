/* schema_plan.h — schema evolution planning: accepted catalog + desired
 * .pg -> ordered migration steps (surface.md §1.11, internals §6.2).
 * (1) Declarations are compared by stable identity (type id, property id),
 *     never by name, so renames are renames and not drop + add.
 * (2) The plan is supported iff no step is OG_STEP_UNSUPPORTED.
 * (3) Step order: per desired type in catalog order (type step, then its
 *     property / constraint steps), then drops (edges, nodes, interfaces).
 * (4) Planning is pure: applying a plan is the graph layer's job. */
#ifndef OG_LANG_SCHEMA_PLAN_H
#define OG_LANG_SCHEMA_PLAN_H

#include <stdbool.h>
#include "catalog.h"

typedef enum og_plan_step_kind {
    OG_STEP_ADD_TYPE = 0,
    OG_STEP_RENAME_TYPE,
    OG_STEP_ADD_PROPERTY,
    OG_STEP_RENAME_PROPERTY,
    OG_STEP_ADD_CONSTRAINT,          /* only @index additions */
    OG_STEP_EXTEND_ENUM,
    OG_STEP_UPDATE_TYPE_METADATA,    /* @description / @instruction */
    OG_STEP_UPDATE_PROPERTY_METADATA,
    OG_STEP_DROP_TYPE,
    OG_STEP_DROP_PROPERTY,
    OG_STEP_UNSUPPORTED
} og_plan_step_kind;

typedef enum og_drop_mode {
    OG_DROP_NONE = 0,   /* not a drop */
    OG_DROP_SOFT,       /* gone from the head; old versions readable until cleanup */
    OG_DROP_HARD        /* old versions garbage-collected at apply (allow_data_loss) */
} og_drop_mode;

/* Data-loss classification of a step. */
typedef enum og_data_loss {
    OG_LOSS_NONE = 0,
    OG_LOSS_RECOVERABLE,   /* soft drop: recoverable by time travel until cleanup */
    OG_LOSS_IRREVERSIBLE   /* hard drop */
} og_data_loss;

typedef struct og_plan_step {
    og_plan_step_kind kind;
    og_decl_kind type_kind;
    const char *type_name;        /* desired name (accepted name for drops) */
    const char *old_type_name;    /* RENAME_TYPE: accepted name */
    const char *property_name;    /* property steps: desired name (accepted for drops) */
    const char *old_property_name;/* RENAME_PROPERTY */
    uint64_t type_id, prop_id;    /* identities the step is about (0 if none) */
    og_drop_mode mode;
    og_data_loss data_loss;
    const char *detail;           /* human detail: "(I32?)", "@index(a)", "+c, +d", "@description(\"…\")" */
    const char *entity;           /* UNSUPPORTED: "node:T" or "node:T.p" */
    const char *reason;           /* UNSUPPORTED */
    const char *code;             /* UNSUPPORTED: "OG-MF-103" ... or NULL */
} og_plan_step;

typedef struct og_schema_plan {
    og_arena *arena;              /* owns steps and strings */
    bool supported;
    size_t n_steps;
    const og_plan_step *steps;
    og_catalog *desired;          /* resolved desired catalog (owned; may be NULL for diff) */
} og_schema_plan;

/* Compiles `src` against `accepted` (identity resolution incl. @rename_from)
 * and diffs. Errors from compiling (OG_E_PARSE, OG_E_VALIDATION) pass
 * through. Caller frees *out with og_schema_plan_free. */
og_status og_schema_plan_build(const og_catalog *accepted, const char *src, size_t len,
                               bool allow_data_loss, og_schema_plan **out);

/* Diffs two catalogs of the same identity domain (desired is borrowed). */
og_status og_schema_plan_diff(const og_catalog *accepted, const og_catalog *desired,
                              bool allow_data_loss, og_schema_plan **out);

void og_schema_plan_free(og_schema_plan *plan);

const char *og_plan_step_kind_name(og_plan_step_kind k); /* "add_property", ... */

/* {"supported":…,"step_count":…,"steps":[{kind,type_kind,type_name,…}]} */
og_status og_schema_plan_to_json(const og_schema_plan *plan, og_buf *out);
/* One human line per step, e.g. "add property 'Person.nick' (String?) on node 'Person'". */
og_status og_schema_plan_render(const og_schema_plan *plan, og_buf *out);
/* The first unsupported step rendered as the apply refusal
 * ("[OG-MF-106] changing property type ..."); "" when supported. */
og_status og_schema_plan_refusal(const og_schema_plan *plan, og_buf *out);

#endif
