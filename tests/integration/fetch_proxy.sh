#!/bin/bash
# fetch_proxy.sh - downloads go through the proxy libcurl's environment
# names (http_proxy), except for the hosts no_proxy lists; https_proxy is
# asked for a tunnel (CONNECT), and its refusal ends the fetch at once. The proxy is a real nginx on 127.0.0.1
# (nginx.sh: a forward proxy for plain http that logs the request line
# it gets, absolute URI included); the bundles' host, bundles.invalid,
# never resolves (RFC 6761), so only the proxy can reach it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"

if ! nginx_available; then
	skip "downloads through a proxy" "nginx is not installed (scripts/install-deps)"
	done_testing
	exit
fi
NGINX_PROXY_PORT=$(nginx_free_port)
ok "nginx starts on 127.0.0.1, also as a proxy" nginx_start
cp "$SAMPLE" "$NGINX_ROOT/a.bfb"
cp "$SAMPLE" "$NGINX_ROOT/b.bfb"
PROXY="http://127.0.0.1:$NGINX_PROXY_PORT"
ORIGIN="127.0.0.1:$NGINX_PORT"
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

cached() {  # cached DIR NAME -- the path of the complete file NAME in the cache
	ls "$1"/*/"$2" 2>/dev/null | head -1
}
proxied() {  # proxied REQUEST-LINE-REGEX -- the proxy logged such a request
	grep -qE "$1" "$NGINX_PROXY_LOG"
}

# --- http_proxy: a host only the proxy reaches ------------------------------
expect_rc 1 "no proxy: a bundle on bundles.invalid cannot be fetched (exit 1)" \
	"$BFCTL" bfb verify --cache "$TMP/c0" http://bundles.invalid/a.bfb
expect_rc 0 "http_proxy set: the same URL is fetched and verified" \
	env http_proxy="$PROXY" "$BFCTL" --json bfb verify --cache "$TMP/c1" http://bundles.invalid/a.bfb
ok "the cached file is the server's, byte for byte" cmp "$(cached "$TMP/c1" a.bfb)" "$SAMPLE"
ok "the proxy got the absolute URI and answered 200" proxied '^GET http://bundles\.invalid/a\.bfb HTTP/1\.1 200 '
ok "the server behind it sent the whole file once" test "$(nginx_bytes /a.bfb 200)" = "$(stat -c %s "$SAMPLE")"
ok "--json: the download event names the URL, not the proxy" - <<'CHECK'
grep -q '"event":"download".*"url":"http://bundles.invalid/a.bfb"' "$TMP/rc.out" &&
	! grep -q "$NGINX_PROXY_PORT" "$TMP/rc.out" "$TMP/rc.err"
CHECK

# --- proxy credentials are not printed ---------------------------------------
expect_rc 0 "a proxy URL with a user and password: fetched (-v)" \
	env http_proxy="http://fleetuser:Pr0xySecret@127.0.0.1:$NGINX_PROXY_PORT" \
	"$BFCTL" -v --json bfb verify --cache "$TMP/c2" http://bundles.invalid/a.bfb
ok "the proxy password appears in no output" not grep -q Pr0xySecret "$TMP/rc.out" "$TMP/rc.err"

# --- no_proxy: the hosts it lists are reached directly -----------------------
: > "$NGINX_PROXY_LOG"
expect_rc 0 "http_proxy set, the server not in no_proxy: fetched" \
	env http_proxy="$PROXY" "$BFCTL" bfb verify --cache "$TMP/c3" "http://$ORIGIN/b.bfb"
ok "... through the proxy" proxied "^GET http://$ORIGIN/b\\.bfb HTTP/1\\.1 200 "
: > "$NGINX_PROXY_LOG"
expect_rc 0 "no_proxy=127.0.0.1: fetched" \
	env http_proxy="$PROXY" no_proxy=127.0.0.1 "$BFCTL" bfb verify --cache "$TMP/c4" "http://$ORIGIN/b.bfb"
ok "... directly: the proxy saw nothing" test ! -s "$NGINX_PROXY_LOG"
ok "... the server sent the file (two whole bodies in all)" \
	test "$(nginx_bytes /b.bfb 200)" = "$(($(stat -c %s "$SAMPLE") * 2))"
expect_rc 0 "no_proxy names the host, the proxy is down: fetched directly" \
	env http_proxy=http://127.0.0.1:9 no_proxy="localhost,127.0.0.1" \
	"$BFCTL" bfb verify --cache "$TMP/c5" "http://$ORIGIN/b.bfb"

# --- https_proxy: a tunnel is asked for ---------------------------------------
: > "$NGINX_PROXY_LOG"
expect_rc 1 "https_proxy set to a proxy that tunnels nothing: exit 1" \
	env https_proxy="$PROXY" "$BFCTL" bfb verify --cache "$TMP/c6" https://bundles.invalid/a.bfb
ok "... the proxy was asked for a tunnel to bundles.invalid:443 once (the .sha256 sidecar), not again for the file" \
	test "$(grep -cE '^CONNECT bundles\.invalid:443 HTTP/1\.1 400 ' "$NGINX_PROXY_LOG")" = 1
ok "... the message says the proxy refused the tunnel, with what to check" \
	grep -q 'the proxy refused the tunnel (HTTP 400); check https_proxy and no_proxy' "$TMP/rc.err"

done_testing
