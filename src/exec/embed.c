/* embed.c — query-time embeddings: configuration, the deterministic mock,
 * and the OpenAI-compatible / Gemini HTTP clients (embed.h (1)-(4)).
 * (1) The model check comes before the key check and before any network
 *     use, so a mismatched model is reported as such even offline.
 * (2) One HTTP attempt is bounded by the per-request timeout and by what
 *     is left of the deadline (deadline 0 = unbounded); the API key is
 *     never put in an error message. */
#include "embed.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"

#define KEYS_OPENAI "OPENROUTER_API_KEY or OPENAI_API_KEY"
#define KEYS_GEMINI "GEMINI_API_KEY"

const char *og_embed_provider_name(og_embed_provider p)
{
    switch (p) {
    case OG_EMBED_OPENAI_COMPATIBLE: return "openai-compatible";
    case OG_EMBED_OPENAI: return "openai";
    case OG_EMBED_GEMINI: return "gemini";
    case OG_EMBED_MOCK: return "mock";
    }
    return "?";
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static bool truthy(const char *v)
{
    return v && (!strcasecmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"));
}

static og_status env_ms(const char *name, int64_t def, int64_t *out)
{
    const char *v = env(name);
    char *end = NULL;
    *out = def;
    if (!v) return OG_OK;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || !end || *end || x < 0)
        return og_error_set(OG_E_CONFIG, "%s must be a non-negative integer, got '%s'", name, v);
    *out = x;
    return OG_OK;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

og_status og_embed_config_from_env(og_embed_config *out)
{
    og_status rc = OG_OK;
    int64_t attempts = 0;
    const char *prov = env("OMNIGRAPH_EMBED_PROVIDER");
    memset(out, 0, sizeof *out);
    if (!prov || !strcmp(prov, "openai-compatible") || !strcmp(prov, "openrouter")) out->provider = OG_EMBED_OPENAI_COMPATIBLE;
    else if (!strcmp(prov, "openai")) out->provider = OG_EMBED_OPENAI;
    else if (!strcmp(prov, "gemini")) out->provider = OG_EMBED_GEMINI;
    else if (!strcmp(prov, "mock")) out->provider = OG_EMBED_MOCK;
    else
        return og_error_set(OG_E_CONFIG, "OMNIGRAPH_EMBED_PROVIDER '%s' is not one of openai-compatible, "
                            "openai, gemini, mock", prov);
    if (truthy(env("OMNIGRAPH_EMBEDDINGS_MOCK"))) {
        if (out->provider != OG_EMBED_MOCK && prov)
            og_log(OG_LOG_WARN, "OMNIGRAPH_EMBEDDINGS_MOCK is set: using mock embeddings instead of provider %s", prov);
        out->provider = OG_EMBED_MOCK;
    }
    switch (out->provider) {
    case OG_EMBED_OPENAI_COMPATIBLE:
        copy(out->base_url, sizeof out->base_url, "https://openrouter.ai/api/v1");
        copy(out->model, sizeof out->model, "openai/text-embedding-3-large");
        break;
    case OG_EMBED_OPENAI:
        copy(out->base_url, sizeof out->base_url, "https://api.openai.com/v1");
        copy(out->model, sizeof out->model, "text-embedding-3-large");
        break;
    case OG_EMBED_GEMINI:
        copy(out->base_url, sizeof out->base_url, "https://generativelanguage.googleapis.com/v1beta");
        copy(out->model, sizeof out->model, "gemini-embedding-2");
        break;
    case OG_EMBED_MOCK:
        break;
    }
    if (env("OMNIGRAPH_EMBED_MODEL")) copy(out->model, sizeof out->model, env("OMNIGRAPH_EMBED_MODEL"));
    if (env("OMNIGRAPH_EMBED_BASE_URL")) copy(out->base_url, sizeof out->base_url, env("OMNIGRAPH_EMBED_BASE_URL"));
    size_t bl = strlen(out->base_url);
    while (bl && out->base_url[bl - 1] == '/') out->base_url[--bl] = 0;
    if (out->provider == OG_EMBED_GEMINI) {
        out->key_vars = KEYS_GEMINI;
        copy(out->api_key, sizeof out->api_key, env("GEMINI_API_KEY"));
    } else if (out->provider != OG_EMBED_MOCK) {
        out->key_vars = KEYS_OPENAI;
        copy(out->api_key, sizeof out->api_key,
             env("OPENROUTER_API_KEY") ? env("OPENROUTER_API_KEY") : env("OPENAI_API_KEY"));
    }
    if ((rc = env_ms("OMNIGRAPH_EMBED_DEADLINE_MS", 60000, &out->deadline_ms)) ||
        (rc = env_ms("OMNIGRAPH_EMBED_TIMEOUT_MS", 30000, &out->timeout_ms)) ||
        (rc = env_ms("OMNIGRAPH_EMBED_RETRY_BACKOFF_MS", 200, &out->backoff_ms)) ||
        (rc = env_ms("OMNIGRAPH_EMBED_RETRY_ATTEMPTS", 4, &attempts)))
        return rc;
    out->retry_attempts = attempts > 100 ? 100 : (int)attempts;
    return OG_OK;
}

void og_embed_mock(const char *text, size_t n, uint32_t dim, float *out)
{
    uint64_t seed = 14695981039346656037ull;
    double norm = 0;
    for (size_t i = 0; i < n; i++) {
        seed ^= (unsigned char)text[i];
        seed *= 1099511628211ull;
    }
    for (uint32_t d = 0; d < dim; d++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        double r = (double)seed / (double)UINT64_MAX;
        out[d] = (float)(2.0 * r - 1.0);
        norm += (double)out[d] * (double)out[d];
    }
    norm = sqrt(norm);
    for (uint32_t d = 0; norm > 0 && d < dim; d++) out[d] = (float)((double)out[d] / norm);
}

/* (4) on a provider's answer: dimension, finite, non-zero; normalises. */
static og_status accept_vector(const og_embed_config *cfg, json_t *arr, uint32_t dim, float *out)
{
    double norm = 0;
    if (!json_is_array(arr))
        return og_error_set(OG_E_PERMANENT, "embedding provider %s returned no embedding array",
                            og_embed_provider_name(cfg->provider));
    if (json_array_size(arr) != dim)
        return og_error_set(OG_E_PERMANENT, "embedding provider %s returned %zu dimensions, expected %u",
                            og_embed_provider_name(cfg->provider), json_array_size(arr), dim);
    for (uint32_t d = 0; d < dim; d++) {
        json_t *x = json_array_get(arr, d);
        double v = json_number_value(x);
        if (!json_is_number(x) || !isfinite(v) || !isfinite((float)v))
            return og_error_set(OG_E_PERMANENT, "embedding provider %s returned a non-finite value",
                                og_embed_provider_name(cfg->provider));
        out[d] = (float)v;
        norm += (double)out[d] * (double)out[d];
    }
    if (!(norm > 0))
        return og_error_set(OG_E_PERMANENT, "embedding provider %s returned an all-zero vector",
                            og_embed_provider_name(cfg->provider));
    norm = sqrt(norm);
    for (uint32_t d = 0; d < dim; d++) out[d] = (float)((double)out[d] / norm);
    return OG_OK;
}

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
    return og_buf_append((og_buf *)ud, p, sz * n) ? 0 : sz * n;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

/* One POST; *status gets the HTTP status (0: transport error, message in err). */
static og_status post(const og_embed_config *cfg, const char *url, const char *auth, const char *body,
                      int64_t timeout_ms, og_buf *resp, long *status, char *err, size_t errcap)
{
    og_status rc = OG_OK;
    struct curl_slist *h = NULL;
    CURL *c = curl_easy_init();
    *status = 0;
    og_buf_clear(resp);
    if (!c) return og_error_set(OG_E_NOMEM, "out of memory (HTTP client)");
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    if (!h) { rc = og_error_set(OG_E_NOMEM, "out of memory (HTTP client)"); goto done; }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (timeout_ms > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) snprintf(err, errcap, "%s", curl_easy_strerror(cc));
    else curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
done:
    (void)cfg;
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

static og_status http_embed(const og_embed_config *cfg, const char *text, size_t n, uint32_t dim, float *out)
{
    og_status rc = OG_OK;
    og_buf url = OG_BUF_INIT, auth = OG_BUF_INIT, resp = OG_BUF_INIT;
    json_t *req = NULL, *ans = NULL;
    char *body = NULL, err[256] = "";
    long status = 0;
    int64_t start = og_clock_mono_us(), backoff = cfg->backoff_ms;
    bool gem = cfg->provider == OG_EMBED_GEMINI;
    if (gem) {
        req = json_pack("{s:{s:[{s:s%}]}, s:s, s:i}", "content", "parts", "text", text, n,
                        "taskType", "RETRIEVAL_QUERY", "outputDimensionality", (json_int_t)dim);
        rc = og_buf_printf(&url, "%s/models/%s:embedContent", cfg->base_url, cfg->model);
        if (!rc) rc = og_buf_printf(&auth, "x-goog-api-key: %s", cfg->api_key);
    } else {
        req = json_pack("{s:s, s:s%, s:i}", "model", cfg->model, "input", text, n, "dimensions", (json_int_t)dim);
        rc = og_buf_printf(&url, "%s/embeddings", cfg->base_url);
        if (!rc) rc = og_buf_printf(&auth, "Authorization: Bearer %s", cfg->api_key);
    }
    if (rc) goto done;
    if (!req || !(body = json_dumps(req, JSON_COMPACT))) { rc = og_error_set(OG_E_NOMEM, "out of memory (embedding request)"); goto done; }
    for (int attempt = 0;; attempt++) {
        int64_t left = cfg->timeout_ms;
        if (cfg->deadline_ms > 0) {
            int64_t rem = cfg->deadline_ms - (og_clock_mono_us() - start) / 1000;
            if (rem <= 0) {
                rc = og_error_set(OG_E_TRANSIENT, "embedding provider %s: deadline of %lld ms exceeded%s%s",
                                  og_embed_provider_name(cfg->provider), (long long)cfg->deadline_ms,
                                  err[0] ? ": " : "", err);
                goto done;
            }
            if (left <= 0 || rem < left) left = rem;
        }
        err[0] = 0;
        if ((rc = post(cfg, og_buf_cstr(&url), og_buf_cstr(&auth), body, left, &resp, &status, err, sizeof err))) goto done;
        if (status >= 200 && status < 300) break;
        bool retry = status == 0 || status == 429 || status >= 500;
        if (!err[0]) snprintf(err, sizeof err, "HTTP %ld: %.160s", status, resp.len ? og_buf_cstr(&resp) : "");
        if (!retry || attempt + 1 >= cfg->retry_attempts) {
            rc = og_error_set(retry ? OG_E_TRANSIENT : OG_E_PERMANENT, "embedding provider %s (%s) failed: %s",
                              og_embed_provider_name(cfg->provider), og_buf_cstr(&url), err);
            goto done;
        }
        sleep_ms(backoff);
        backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
    }
    json_error_t je;
    if (!(ans = json_loadb(resp.len ? (const char *)resp.data : "", resp.len, 0, &je))) {
        rc = og_error_set(OG_E_PERMANENT, "embedding provider %s returned invalid JSON: %s",
                          og_embed_provider_name(cfg->provider), je.text);
        goto done;
    }
    json_t *arr = gem ? json_object_get(json_object_get(ans, "embedding"), "values")
                      : json_object_get(json_array_get(json_object_get(ans, "data"), 0), "embedding");
    rc = accept_vector(cfg, arr, dim, out);
done:
    json_decref(req);
    json_decref(ans);
    free(body);
    og_buf_free(&url);
    og_buf_free(&auth);
    og_buf_free(&resp);
    return rc;
}

og_status og_embed_query(const og_embed_config *cfg, const char *text, size_t n, uint32_t dim,
                         const char *recorded_model, const char *what, float *out)
{
    if (dim == 0) return og_error_set(OG_E_INVALID, "cannot embed into a zero-dimension vector");
    if (recorded_model && strcmp(recorded_model, cfg->model) != 0)   /* (1) */
        return og_error_set(OG_E_CONFIG,
                            "embedding model mismatch for %s: @embed recorded model '%s' but the query "
                            "embedder (%s) resolves model '%s'; set OMNIGRAPH_EMBED_MODEL=%s",
                            what ? what : "the target", recorded_model, og_embed_provider_name(cfg->provider),
                            cfg->model, recorded_model);
    if (cfg->provider == OG_EMBED_MOCK) {
        og_embed_mock(text, n, dim, out);
        return OG_OK;
    }
    if (!cfg->api_key[0])
        return og_error_set(OG_E_CONFIG,
                            "embedding provider %s needs an API key to embed the query text for %s: set %s "
                            "(or OMNIGRAPH_EMBEDDINGS_MOCK=1 for offline mock embeddings)",
                            og_embed_provider_name(cfg->provider), what ? what : "nearest()", cfg->key_vars);
    return http_embed(cfg, text, n, dim, out);
}
