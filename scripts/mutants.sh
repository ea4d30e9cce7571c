#!/usr/bin/env bash
# make mutants: does a test guard every rule of docs/SECURITY.md the code
# checks? For each rule, one line of the check is changed so that the check
# no longer refuses (a "mutant"); the tree is rebuilt and the suites that
# should notice are run. They must FAIL. A mutant the suites let through
# ("survived") is a security check no test guards.
#
#   scripts/mutants.sh              every mutant below
#   scripts/mutants.sh A7 B15a      only these (by id)
#
# Works on a scratch copy of the tree (build-mutants/tree: the tracked and
# untracked-but-not-ignored files of the worktree as they are now); the
# worktree is never modified. Prints a table and exits non-zero if any mutant
# survived, or could not be applied or built (the list below is out of date).
# Takes 10-30 minutes; not part of make test.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
root=$PWD
work=$root/build-mutants
tree=$work/tree
build=$tree/build

# Suites, run in this order until one fails (ctest selections):
#   fast     unit, attack and integration tests
#   webapp   the web app's unit tests, then its HTTP test (minutes)
suite_args() {
  case $1 in
  fast) echo "-L unit|attacks|integration" ;;
  webapp-unit) echo "-R ^webapp_test_" ;;
  webapp-http) echo "-R ^webapp_http\$" ;;
  esac
}
suites_for() {
  case $1 in
  fast) echo fast ;;
  webapp) echo "webapp-unit webapp-http" ;;
  esac
}

# Not every check can be disabled alone: the web app's idle and absolute
# timeouts (E32) are enforced twice, by the check when a record is loaded and
# by the store's expiry (record_ttl), so a mutant of either survives; E32's
# mutant is the setting both use. docs/mutants.md lists such cases.
#
# The mutants. "@ ID RULE FILE SUITES what the mutant does", then the exact
# line as it is ("-") and what it becomes ("+"). FILE may have moved: then
# the one tracked file of that name holding the line is used.
mutants() {
  cat <<'EOF'
@ A1 A1 src/jws.c fast alg compared by length only: HS256, RS384 ... pass
-    if (!json_is_string(alg) || strcmp(json_string_value(alg), "RS256") != 0 ||
+    if (!json_is_string(alg) || 0 ||
@ A2 A2 src/jws.c fast a signature that does not verify (0) is accepted
-    if (v != 1) {
+    if (v < 0) {
@ A3a A3 src/b64.c fast non-canonical base64url (non-zero left-over bits) accepted
-    if ((bad & 0xc0) || acc != 0) {
+    if (bad & 0xc0) {
@ A3b A3 src/json.c fast duplicate JSON members accepted
-    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
+    json_t *v = json_loadb(text, len, 0, &jerr);
@ A4 A4 src/jws.c fast crit header ignored
-    if (json_object_get(h, "crit"))
+    if (0 && json_object_get(h, "crit"))
@ A5 A5 src/jws.c fast jku, x5u, x5c, jwk headers ignored
-        if (json_object_get(h, key_sources[i]))
+        if (0 && json_object_get(h, key_sources[i]))
@ A6a A6 src/jwks.c fast keys with use other than sig or alg other than RS256 used
-    if (!member_absent_or(jwk, "use", "sig") || !member_absent_or(jwk, "alg", "RS256"))
+    if (0)
@ A6b A6 src/jwks.c fast no kid and several keys: the first one used
-        if (n != 1)
+        if (n == 0)
@ A7 A7 src/keystore.c fast no cooldown between JWKS refetches
-                                           kinde__now() - ks->last_refetch >= ks->cooldown));
+                                           1));
@ A8 A8 src/verify.c fast iss not compared
-        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim 'iss' '%.100s' is not '%.100s'",
+        (void)kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim 'iss' '%.100s' is not '%.100s'",
@ A9a A9 src/verify.c fast ID token aud need not contain the client id
-    if (!aud_contains(aud, p->client_id))
+    if (0)
@ A9b A9 src/verify.c fast several audiences without azp accepted
-    if (n_aud > 1 && !azp)
+    if (0)
@ A9c A9 src/verify.c fast access token aud need not contain the configured audience
-            if (!aud || !aud_contains(aud, p->audiences[k]))
+            if (0)
@ A10a A10 src/verify.c fast exp not checked
-    if (now - leeway >= exp)
+    if (0)
@ A10b A10 src/verify.c fast nbf not checked
-        if (nbf > now + leeway)
+        if (0)
@ A10c A10 src/verify.c fast iat not checked
-        if (iat > now + leeway)
+        if (0)
@ A11a A11 src/verify.c fast a nonce other than the login's accepted
-            return kinde__fail(err, KINDE_E_TOKEN_NONCE,
+            (void)kinde__fail(err, KINDE_E_TOKEN_NONCE,
@ A11b A11 src/oauth.c fast the login's nonce not passed to the ID token check
-    rc = store_tokens(c, s, &tr, nonce, 0, err);
+    rc = store_tokens(c, s, &tr, NULL, 0, err);
@ A12a A12 src/verify.c fast an ID token (nonce) accepted as an access token
-        if (json_object_get(payload, "nonce"))
+        if (0)
@ A12b A12 src/verify.c fast an access token (scp, scope, client_id) accepted as an ID token
-        if (json_object_get(payload, access_only[k]))
+        if (0)
@ A12c A12 src/verify.c fast typ at+jwt accepted as an ID token
-        if (policy->kind == KINDE_ID_TOKEN && is_access_typ(kinde__json_str(jws.header, "typ")))
+        if (0)
@ B14a B14 src/urls.c fast PKCE method plain instead of S256
-    add_param(&b, "code_challenge_method", "S256");
+    add_param(&b, "code_challenge_method", "plain");
@ B14b B14 src/oauth.c fast no code_verifier in the token request
-    add_field(&form, "code_verifier", verifier);
+    (void)verifier;
@ B15a B15 src/oauth.c fast any state accepted
-    if (!cb.state || !equal_secret(cb.state, state)) {
+    if (!cb.state) {
@ B15b B15 src/oauth.c fast a login never expires
-    if (kinde__now() - started > c->login_ttl || kinde__now() < started - c->leeway) {
+    if (0) {
@ B15c B15 src/urls.c fast state and nonce of 64 bits
-    if ((rc = kinde__random_string(32, &state, err)) || (rc = kinde__random_string(32, &nonce, err)))
+    if ((rc = kinde__random_string(8, &state, err)) || (rc = kinde__random_string(8, &nonce, err)))
@ B16 B16 src/callback.c fast a repeated callback parameter: the last one wins
-            if (*slots[i]) {
+            if (0) {
@ B17 B17 src/oauth.c fast an error in the callback not surfaced
-    if (cb.error) {
+    if (0) {
@ B18 B18 src/oauth.c fast callback iss not compared
-    if (cb.iss && strcmp(cb.iss, c->domain) != 0) {
+    if (0) {
@ B19 B19 src/oauth.c fast the token request's redirect_uri is the configured one, not the login's
-    add_field(&form, "redirect_uri", redirect); /* byte-identical to the login URL's */
+    add_field(&form, "redirect_uri", c->callback_url);
@ B20 B20 src/urls.c fast response_type=token (implicit flow)
-    kinde__buf_adds(&b, "?response_type=code");
+    kinde__buf_adds(&b, "?response_type=token");
@ C21a C21 src/oauth.c fast token_type other than bearer accepted
-    else if (!json_is_string(tt) || strcasecmp(json_string_value(tt), "bearer") != 0)
+    else if (!json_is_string(tt))
@ C21b C21 src/oauth.c fast a non-2xx token answer read as a success
-    if (status < 200 || status > 299) {
+    if (status < 200) {
@ C22 C22 src/oauth.c fast the rotated refresh token dropped, the old one kept
-    const char *new_rt = tr->refresh_token ? tr->refresh_token : (is_refresh ? s->refresh_token : NULL);
+    const char *new_rt = is_refresh ? s->refresh_token : tr->refresh_token;
@ C23 C23 src/oauth.c fast refreshed tokens for another sub, iss or aud accepted
-    if (is_refresh) {
+    if (0) {
@ C24 C24 src/oauth.c fast a profile with another sub accepted
-    if (!sub || !expected || strcmp(sub, expected) != 0) {
+    if (!sub || !expected) {
@ C26 C26 src/alloc.c fast secrets freed without being wiped
-        OPENSSL_cleanse(p, n);
+        (void)p;
@ D27a D27 src/http.c fast TLS peer not verified
-    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
+    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
@ D27b D27 src/http.c fast TLS host name not verified
-    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
+    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
@ D27c D27 src/http.c fast plain http to any host
-            ok = host_is_loopback(host);
+            ok = 1;
@ D28a D28 src/http.c fast redirects followed
-    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
+    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
@ D28b D28 src/http.c fast no cap on a response without Content-Length
-    if (s->body.len + n > KINDE_HTTP_MAX_BODY) {
+    if (0) {
@ D28c D28 src/http.c fast no total timeout
-    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->http_timeout_ms);
+    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
@ D28d D28 src/http.c fast no connect timeout
-    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
+    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 0L);
@ D28e D28 src/http.c fast CR/LF in a request value not refused
-    if (has_crlf(url) || has_crlf(bearer))
+    if (0)
@ D29 D29 src/json.c fast no size cap on JSON text
-    if (len > KINDE_JSON_MAX) {
+    if (0) {
@ E30 E30 web/cookies.c webapp session cookie without HttpOnly
-    strbuf_addf(out, "%s=%s; Path=/; HttpOnly; SameSite=Lax", name, value);
+    strbuf_addf(out, "%s=%s; Path=/; SameSite=Lax", name, value);
@ E32 E32 web/app_setup.c webapp --idle-timeout ignored (the default, 30 min, applies)
-    case 1: o->idle_timeout = n; break;
+    case 1: o->idle_timeout = 1800; break;
@ E33 E33 web/session.c webapp sign-out without a valid CSRF token
-           token_equal(csrf, s->rec.csrf);
+           1;
@ E34 E34 web/redirects.c webapp //evil and /\evil taken for local paths
-    if (target[1] == '/' || target[1] == '\\')
+    if (0)
@ E35 E35 serve/web_glue.c webapp no Cache-Control: no-store
-        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
+        (void)0;
@ E37 E37 common/strbuf.c webapp < not escaped in HTML
-        case '<': ent = "&lt;"; break;
+        case '<': break;
@ G44a G44 gateway/uri.c fast an encoded '/' or '\' decoded into the path
-    if (c == '/' || c == '\\')
+    if (0)
@ G44b G44 gateway/uri.c fast a raw '\' taken as part of a segment
-    if (c == '\\')
+    if (0)
@ G44c G44 gateway/uri.c fast a dot segment taken as a name (/admin/%2e%2e/public is not /public)
-        if ((k == 1 && out[seg] == '.') || (k == 2 && out[seg] == '.' && out[seg + 1] == '.'))
+        if (0)
@ G44d G44 gateway/uri.c fast the fragment not cut: '#' kept in the path
-    size_t end = strcspn(p, "?#");
+    size_t end = strcspn(p, "?");
EOF
}

# The copy of the tree, configured and built once.
echo "== scratch tree $tree"
# Afresh every run, so that no file the worktree has moved or deleted stays.
rm -rf "$tree"
mkdir -p "$tree"
copied="$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
git ls-files -co --exclude-standard | while IFS= read -r f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$tree"
cmake -S "$tree" -B "$build" -DCMAKE_BUILD_TYPE=Debug >"$work/configure.log" 2>&1 ||
  { tail -20 "$work/configure.log"; exit 1; }
build() { cmake --build "$build" -j"$JOBS" >"$work/build.log" 2>&1; }
run_suite() { # suite, log
  local timeout=300
  [ "$1" = webapp-http ] && timeout=900
  # shellcheck disable=SC2046
  ctest --test-dir "$build" $(suite_args "$1") -j"$JOBS" --timeout "$timeout" --stop-on-failure \
    --output-on-failure >"$2" 2>&1
}
build || { tail -30 "$work/build.log"; echo "the unmutated tree does not build"; exit 1; }

selected=" $* "
ids=() rules=() files=() suites=() whats=() froms=() tos=()
while IFS= read -r line; do
  case $line in
  "@ "*)
    read -r _ id rule file suite what <<<"$line"
    ids+=("$id"); rules+=("$rule"); files+=("$file"); suites+=("$suite"); whats+=("$what") ;;
  -*) froms+=("${line:1}") ;;
  +*) tos+=("${line:1}") ;;
  esac
done < <(mutants)

# Without mutants every suite used must pass, or "caught" would mean nothing.
declare -A baseline_done
for i in "${!ids[@]}"; do
  [ "$#" -eq 0 ] || [[ $selected == *" ${ids[$i]} "* ]] || continue
  for s in $(suites_for "${suites[$i]}"); do
    [ -z "${baseline_done[$s]:-}" ] || continue
    echo "== baseline: $s"
    run_suite "$s" "$work/baseline-$s.log" ||
      { echo "the unmutated tree fails $s (see $work/baseline-$s.log)"; exit 1; }
    baseline_done[$s]=1
  done
done

# The one file (by path, else by name) that holds the line exactly once.
locate() { # file line
  local f
  for f in "$1" $(cd "$tree" && find . -name "$(basename "$1")" -not -path './build/*' | sed 's|^\./||'); do
    [ -f "$tree/$f" ] || continue
    [ "$(FROM=$2 awk '$0 == ENVIRON["FROM"]' "$tree/$f" | wc -l)" = 1 ] && { echo "$f"; return 0; }
  done
  return 1
}

results=()
bad=0
for i in "${!ids[@]}"; do
  id=${ids[$i]}
  [ "$#" -eq 0 ] || [[ $selected == *" $id "* ]] || continue
  if ! f=$(locate "${files[$i]}" "${froms[$i]}"); then
    results+=("| ${rules[$i]} | $id | ${files[$i]} | ${whats[$i]} | NOT APPLIED (line not found once) |")
    bad=1; echo "$id: line not found"; continue
  fi
  cp "$tree/$f" "$work/original"
  FROM=${froms[$i]} TO=${tos[$i]} awk '$0 == ENVIRON["FROM"] { print ENVIRON["TO"]; next } { print }' \
    "$work/original" >"$tree/$f"
  verdict="survived"
  if ! build; then
    verdict="BUILD FAILED"; cp "$work/build.log" "$work/$id.build.log"
  else
    for s in $(suites_for "${suites[$i]}"); do
      if ! run_suite "$s" "$work/$id.log"; then
        verdict="caught ($(grep -m1 -oE '[0-9]+ - [A-Za-z0-9_]+ \(' "$work/$id.log" | sed -E 's/^[0-9]+ - //; s/ \($//'))"
        break
      fi
    done
  fi
  cp "$work/original" "$tree/$f"
  case $verdict in caught*) ;; *) bad=1 ;; esac
  echo "$id (${rules[$i]}): $verdict"
  results+=("| ${rules[$i]} | $id | $f | ${whats[$i]} | $verdict |")
done
build || true # leave the copy built unmutated

echo
echo "Mutants of $copied, $(date -u +%Y-%m-%d):"
echo
echo "| rule | mutant | file | what the mutant does | result |"
echo "|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
exit $bad
