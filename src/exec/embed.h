/* embed.h — the query-time embedding client (surface.md §9 "Embeddings").
 * (1) The configuration is resolved from the environment on each
 *     og_embed_config_from_env call: OMNIGRAPH_EMBEDDINGS_MOCK (truthy:
 *     1/true/yes/on) forces the mock; else OMNIGRAPH_EMBED_PROVIDER
 *     (openai-compatible (default) | openai | gemini | mock),
 *     OMNIGRAPH_EMBED_BASE_URL, OMNIGRAPH_EMBED_MODEL, the provider's API
 *     key, and the OMNIGRAPH_EMBED_{DEADLINE,TIMEOUT,RETRY_BACKOFF}_MS /
 *     RETRY_ATTEMPTS budgets. The mock's model is OMNIGRAPH_EMBED_MODEL or "".
 * (2) The mock is deterministic and offline: seed = FNV-1a-64 of the text;
 *     per dimension seed = xorshift64(seed), value = 2*seed/(2^64-1) - 1 in
 *     f64 narrowed to f32; then L2-normalised.
 * (3) Real providers speak HTTPS through libcurl (OpenAI-compatible
 *     `POST {base}/embeddings`, Gemini `POST {base}/models/{model}:embedContent`);
 *     transport errors, 429 and 5xx are retried with doubling backoff
 *     within the deadline. A missing API key fails before any network use.
 * (4) Every returned vector has the requested dimension, finite values, a
 *     non-zero norm, and is L2-normalised. */
#ifndef OG_EXEC_EMBED_H
#define OG_EXEC_EMBED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

typedef enum og_embed_provider {
    OG_EMBED_OPENAI_COMPATIBLE, OG_EMBED_OPENAI, OG_EMBED_GEMINI, OG_EMBED_MOCK
} og_embed_provider;

typedef struct og_embed_config {
    og_embed_provider provider;
    char model[256];
    char base_url[512];
    char api_key[512];          /* "" when none was found */
    const char *key_vars;       /* the variables the key is read from, for messages */
    int64_t deadline_ms, timeout_ms, backoff_ms;
    int retry_attempts;
} og_embed_config;

/* (1); OG_E_CONFIG for an unknown provider or a malformed budget. */
og_status og_embed_config_from_env(og_embed_config *out);
const char *og_embed_provider_name(og_embed_provider p);

/* The mock vector of text (2) into out[0..dim). */
void og_embed_mock(const char *text, size_t n, uint32_t dim, float *out);

/* Embeds one query text into out[0..dim) (4). recorded_model (NULL: none)
 * is the @embed model of the target property: the configured model must
 * equal it exactly (OG_E_CONFIG naming both otherwise). what names the
 * target in messages ("`$d.embedding`"). */
og_status og_embed_query(const og_embed_config *cfg, const char *text, size_t n, uint32_t dim,
                         const char *recorded_model, const char *what, float *out);

#endif
