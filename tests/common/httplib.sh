# Sourced after testlib.sh by the shell tests that talk HTTP with curl (the
# demo app's and the gateway's): one request at a time, its status, headers
# and body kept for the checks; string tests.
#   CURL_OPTS=(...)   extra curl options for every req (e.g. --path-as-is)
STATUS=0
CURL_OPTS=()
req() { # url [curl args...]: headers in $W/headers, body in $W/body, status in $STATUS
  local url=$1; shift
  STATUS=$(curl -s "${CURL_OPTS[@]}" -o "$W/body" -D "$W/headers" -w '%{http_code}' --max-time 20 \
    "$@" "$url")
}
hdr() { # header value of the last response (first one), case-insensitive
  grep -i "^$1:" "$W/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'
}
body_has() { grep -qF -- "$1" "$W/body"; }
body_lacks() { ! grep -qF -- "$1" "$W/body"; }
is() { [ "$1" = "$2" ]; }
isnt() { [ "$1" != "$2" ]; }
has() { [[ "$1" == *"$2"* ]]; }
lacks() { [[ "$1" != *"$2"* ]]; }
starts() { [[ "$1" == "$2"* ]]; }
cookie_cleared() { has "$(hdr set-cookie)" "Max-Age=0"; }
# Every byte percent-encoded: a query value the server decodes back to exactly $1.
pct() { printf '%s' "$1" | od -An -tx1 -v | tr -s ' \n' ' ' | sed 's/^ //; s/ $//; s/ /%/g; s/^/%/'; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# A browser with cookie jar JAR at the emulator's authorize URL: its sign-in
# page answers the form with EMAIL (a jar still signed in there is sent on at
# once). The last answer, the redirect to the callback, is the one kept.
emulator_sign_in() { # authorize-url jar email
  req "$1" -b "$2" -c "$2"
  [ "$STATUS" = 200 ] || return 0
  local rid; rid=$(sed -nE 's/.*name="request" value="([^"]*)".*/\1/p' "$W/body" | head -1)
  [ -n "$rid" ] || return 1
  req "${1%%/oauth2/*}/login/submit" -b "$2" -c "$2" --data-urlencode "request=$rid" \
    --data-urlencode "email=$3"
}

# SECURITY.md E34's hostile return targets, for a site at $1: every one must
# leave the browser on that site's "/" (the tests add their own extras).
e34_hostile() { # site-url: sets E34_HOSTILE
  E34_HOSTILE=('//evil.example' '///evil.example' '/\evil.example' '\\evil.example' '\/evil.example'
               '/a\b' 'https:evil.example' '%2f%2fevil.example' '/%2f%2fevil.example'
               '/%2F%2Fevil.example' '/%5Cevil.example' '/%252f%252fevil.example' $'/\tevil'
               $'/\t/evil.example' '/%09/evil.example' $'/\r\nSet-Cookie: x=1' '/%0d%0aSet-Cookie:x=1'
               'https://evil.example' 'https://evil.example/' 'javascript:alert(1)'
               'evil.example' "$1/" "$1//evil.example")
}
