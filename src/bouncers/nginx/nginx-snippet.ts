// `crowdwatch bouncer nginx --print-config`: the nginx side of the bouncer. Each request is
// checked with auth_request against the bouncer; the answer is cached per client address, so a
// busy client costs one check per cache period.
export interface SnippetOptions {
  /** The bouncer's address as nginx reaches it (`127.0.0.1:8089`). */
  bouncer: string;
  cacheSeconds: number;
  /** Directory of nginx's answer cache. */
  cachePath: string;
}

/** What every request to the bouncer carries: the client address, no client header or body. */
const TO_BOUNCER = `    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_pass_request_headers off;
    proxy_pass_request_body off;
    proxy_set_header Content-Length "";
    proxy_set_header X-Real-IP $remote_addr;
    proxy_connect_timeout 1s;
    proxy_read_timeout 2s;`;

/** A named location for a 401 or 403: the crowdwatch page if crowdwatch refused, else nginx's. */
function refusal(status: number): string {
  return `location @crowdwatch_${status} {
    auth_request off;
    if ($crowdwatch_remediation = "") { return ${status}; }
    rewrite ^ /crowdwatch/$crowdwatch_remediation break;
    proxy_pass http://crowdwatch_bouncer;
${TO_BOUNCER}
}`;
}

export function nginxSnippet(o: SnippetOptions): string {
  const t = `${o.cacheSeconds}s`;
  return `# crowdwatch nginx bouncer (from \`crowdwatch bouncer nginx --print-config\`).
# nginx asks crowdwatch about each client (auth_request) and caches the answer per client address
# for up to ${t}: a new ban, or a lifted one, takes effect within that time.

# ---- in the http { } block ----
proxy_cache_path ${o.cachePath} levels=1:2 keys_zone=crowdwatch:10m max_size=64m inactive=10m use_temp_path=off;
upstream crowdwatch_bouncer {
    server ${o.bouncer};
    keepalive 16;
}

# ---- in each server { } block to protect ----
auth_request /crowdwatch-auth;
auth_request_set $crowdwatch_remediation $upstream_http_x_crowdwatch_remediation;
# A ban shows crowdwatch's ban page, a captcha its captcha page, both with status 403.
# A 401 or 403 of the site itself (no crowdwatch verdict) keeps its status.
error_page 401 = @crowdwatch_401;
error_page 403 = @crowdwatch_403;

location = /crowdwatch-auth {
    internal;
    auth_request off;
    proxy_pass http://crowdwatch_bouncer/crowdwatch/check;
${TO_BOUNCER}
    proxy_cache crowdwatch;
    proxy_cache_key $remote_addr;
    proxy_cache_valid 204 401 403 ${t};
    # crowdwatch down or slow: let the request through (fail open, as CrowdSec's bouncer does).
    error_page 500 502 503 504 = @crowdwatch_fail_open;
}
location @crowdwatch_fail_open {
    auth_request off;
    return 204;
}
${refusal(401)}
${refusal(403)}
`;
}
