#include "metrics.h"

static const char *const result_names[GW_RESULTS] = {"allowed", "public", "not_signed_in",
                                                     "forbidden", "unavailable"};

static void head(strbuf *out, const char *name, const char *type, const char *help)
{
    strbuf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(strbuf *out, const char *name, const char *help, const unsigned long *value)
{
    head(out, name, "counter", help);
    strbuf_addf(out, "%s %lu\n", name, web_counter_get(value));
}

void gw_metrics_text(const gw_metrics *m, size_t rules, strbuf *out)
{
    head(out, "kinde_gateway_requests_total", "counter",
         "Auth requests answered, by what they came to.");
    for (int i = 0; i < GW_RESULTS; i++)
        strbuf_addf(out, "kinde_gateway_requests_total{result=\"%s\"} %lu\n", result_names[i],
                    web_counter_get(&m->requests[i]));
    counter(out, "kinde_gateway_sign_ins_total", "Sign-ins completed (callbacks that signed someone in).",
            &m->web.sign_ins);
    counter(out, "kinde_gateway_refreshes_total", "Token refreshes Kinde granted.",
            &m->web.refreshes);
    counter(out, "kinde_gateway_store_errors_total",
            "Requests answered 503 because the session store failed.", &m->web.store_errors);
    head(out, "kinde_gateway_rules_reloads_total", "counter",
         "Reloads of the rules file (SIGHUP); a failed one keeps the old rules.");
    strbuf_addf(out, "kinde_gateway_rules_reloads_total{result=\"ok\"} %lu\n",
                web_counter_get(&m->reloads_ok));
    strbuf_addf(out, "kinde_gateway_rules_reloads_total{result=\"failed\"} %lu\n",
                web_counter_get(&m->reloads_failed));
    head(out, "kinde_gateway_rules", "gauge", "Rules in use.");
    strbuf_addf(out, "kinde_gateway_rules %zu\n", rules);
}
