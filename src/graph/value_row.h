/* value_row.h — one typed entity row of a write delta (a load file, a
 * mutation's staged rows), before it becomes a table batch.
 * (1) vals[] is parallel to the owning og_decl's props[] (physical order);
 *     a null or absent property is OG_VALUE_NULL.
 * (2) id is the entity id (canonical key for keyed nodes, supplied or a
 *     fresh ULID otherwise); src/dst are set for edges only (node ids of
 *     the from/to types), NULL for nodes.
 * (3) line is the 1-based input line (0 when the row has no source line);
 *     bytes is the record's input size, for per-type byte ceilings.
 * Rows do not own memory: everything lives in the producer's arena. */
#ifndef OG_GRAPH_VALUE_ROW_H
#define OG_GRAPH_VALUE_ROW_H

#include <stdbool.h>
#include <stdint.h>
#include "base/value.h"

typedef struct og_row {
    const char *id;
    const char *src, *dst;
    og_value *vals;
    uint32_t line;
    uint32_t bytes;    /* input bytes of the record (its line), 0 if none */
    bool id_supplied;  /* data.id was given in the input */
} og_row;

#endif
