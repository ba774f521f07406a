/* yaml_doc.c — libyaml document helpers (see yaml_doc.h). */
#include "yaml_doc.h"

#include "base/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

og_status og_yaml_load(const char *text, size_t len, const char *what, yaml_document_t *doc)
{
    og_status rc = OG_OK;
    yaml_parser_t p;
    memset(doc, 0, sizeof *doc);
    if (!yaml_parser_initialize(&p)) return og_error_set(OG_E_NOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, doc)) {
        rc = og_error_set(OG_E_PARSE, "%s: line %zu, column %zu: %s", what,
                          p.problem_mark.line + 1, p.problem_mark.column + 1,
                          p.problem ? p.problem : "invalid YAML");
        memset(doc, 0, sizeof *doc);
        goto done;
    }
    if (!yaml_document_get_root_node(doc)) {
        yaml_document_delete(doc);
        memset(doc, 0, sizeof *doc);
        rc = og_error_set(OG_E_PARSE, "%s: empty document", what);
    }
done:
    yaml_parser_delete(&p);
    return rc;
}

yaml_node_t *og_yaml_root(yaml_document_t *doc) { return yaml_document_get_root_node(doc); }

const char *og_yaml_str(yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE) return NULL;
    return (const char *)n->data.scalar.value;
}

yaml_node_t *og_yaml_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        const char *k = og_yaml_str(yaml_document_get_node(doc, pr->key));
        if (k && !strcmp(k, key)) return yaml_document_get_node(doc, pr->value);
    }
    return NULL;
}

size_t og_yaml_len(yaml_node_t *seq)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE) return 0;
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

yaml_node_t *og_yaml_item(yaml_document_t *doc, yaml_node_t *seq, size_t i)
{
    if (i >= og_yaml_len(seq)) return NULL;
    return yaml_document_get_node(doc, seq->data.sequence.items.start[i]);
}

const char *og_yaml_unknown_key(yaml_document_t *doc, yaml_node_t *map, const char *const *allowed)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        const char *k = og_yaml_str(yaml_document_get_node(doc, pr->key));
        if (!k) return "(non-scalar key)";
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (!strcmp(*a, k)) ok = true;
        if (!ok) return k;
    }
    return NULL;
}

og_status og_yaml_read_file(const char *path, char **out, size_t *len)
{
    return og_file_read(path, (size_t)16 << 20, out, len);
}
