#!/bin/bash
# fetch.sh - bundles and bf.cfg by URL, from a real nginx on 127.0.0.1:
# download into the cache, revalidation (304), 404, checksum mismatch
# (given and from the .sha256 sidecar), resume after the server drops the
# connection mid-file (limit_rate, then nginx killed and restarted), a file
# changed on the server between two parts, two runs sharing one download,
# https with --cacert / --insecure, and install from URLs through bfsim,
# a wrong-platform bundle refused before anything is pushed, fw burn of an
# image by URL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
SAMPLE_BF2="$top_builddir/bfb/sample-full-bf2.bfb"
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
SPEED=${BFSIM_TEST_SPEED:-50}
CACHE="$TMP/cache"

if ! nginx_available; then
	skip "downloads from nginx" "nginx is not installed (scripts/install-deps)"
	done_testing
	exit
fi
ok "nginx starts on 127.0.0.1" nginx_start
SIZE=$(stat -c %s "$SAMPLE")
SUM=$(sha256sum "$SAMPLE" | cut -d' ' -f1)
cp "$SAMPLE" "$NGINX_ROOT/a.bfb"

wait_for() {  # wait_for SECONDS CMD... -- poll until CMD succeeds
	local i
	for i in $(seq $(($1 * 20))); do
		"${@:2}" && return 0
		sleep 0.05
	done
	return 1
}
part_over() {  # part_over DIR BYTES -- a .part in the cache holds more than BYTES
	local f
	for f in "$1"/*/*.part; do
		[ -f "$f" ] && [ "$(stat -c %s "$f")" -gt "$2" ] && return 0
	done
	return 1
}
cached() {  # cached DIR NAME -- the path of the complete file NAME in the cache
	ls "$1"/*/"$2" 2>/dev/null | head -1
}

# --- a download, then the cached copy revalidated ------------------------
expect_rc 0 "bfb verify URL: downloaded and verified" \
	"$BFCTL" bfb verify --cache "$CACHE" "$(nginx_url a.bfb)"
ok "the cached file is the server's, byte for byte" cmp "$(cached "$CACHE" a.bfb)" "$SAMPLE"
ok "the cache holds no partial file" not ls "$CACHE"/*/a.bfb.part
expect_rc 0 "the second run uses the cache" \
	"$BFCTL" --json bfb verify --cache "$CACHE" "$(nginx_url a.bfb)"
ok "--json: a download event says cached" grep -q '"event":"download".*"action":"cached"' "$TMP/rc.out"
ok "the server sent the body once (one 200, then a 304)" - <<'CHECK'
[ "$(nginx_count /a.bfb 200)" = 1 ] && [ "$(nginx_count /a.bfb 304)" = 1 ] && [ "$(nginx_bytes /a.bfb)" = "$SIZE" ]
CHECK
ok "the cache files are not readable by others" - <<'CHECK'
[ "$(stat -c %a "$(cached "$CACHE" a.bfb)")" = 600 ]
CHECK

# --- errors: 404, checksum given, checksum from the sidecar ---------------
expect_rc 3 "a URL the server does not have: exit 3" \
	"$BFCTL" bfb verify --cache "$CACHE" "$(nginx_url missing.bfb)"
ok "the message names the URL and the 404" grep -q 'missing.bfb: the server has no such file (HTTP 404)' "$TMP/rc.err"
ok "no partial file is left" not ls "$CACHE"/*/missing.bfb.part
cp "$SAMPLE" "$NGINX_ROOT/b.bfb"
BAD=0000000000000000000000000000000000000000000000000000000000000000
expect_rc 3 "--sha256 that does not match: exit 3" \
	"$BFCTL" bfb verify --cache "$CACHE" --sha256 "sha256:$BAD" "$(nginx_url b.bfb)"
ok "the message gives both digests" grep -q "SHA-256 $SUM, expected $BAD (as given); the download was deleted" "$TMP/rc.err"
ok "the mismatching download is deleted" not ls "$CACHE"/*/b.bfb "$CACHE"/*/b.bfb.part
expect_rc 0 "--sha256 that matches: verified" \
	"$BFCTL" --json bfb verify --cache "$CACHE" --sha256 "$SUM" "$(nginx_url b.bfb)"
ok "--json: the digest was checked" grep -q '"action":"done".*"checked":true' "$TMP/rc.out"
cp "$SAMPLE" "$NGINX_ROOT/c.bfb"
echo "$BAD  c.bfb" > "$NGINX_ROOT/c.bfb.sha256"
expect_rc 3 "a URL.sha256 sidecar that does not match: exit 3" \
	"$BFCTL" bfb verify --cache "$CACHE" "$(nginx_url c.bfb)"
ok "the sidecar is named as the source" grep -q 'from the .sha256 file beside it' "$TMP/rc.err"
echo "$SUM  c.bfb" > "$NGINX_ROOT/c.bfb.sha256"
expect_rc 0 "a matching sidecar: verified" \
	"$BFCTL" --json bfb verify --cache "$CACHE" "$(nginx_url c.bfb)"
ok "--json: checked against the sidecar" grep -q '"action":"done".*"checked":true' "$TMP/rc.out"

# --- file names that an entry's own files could have --------------------------
json_path() {  # json_path FILE -- the path of the last download event
	python3 -c 'import json,sys
p=[json.loads(l).get("path") for l in open(sys.argv[1]) if l.startswith("{")]
print([x for x in p if x][-1])' "$1"
}
for n in meta meta.new lock .meta .meta.new .lock; do
	cp "$SAMPLE" "$NGINX_ROOT/$n"
	expect_rc 0 "a URL whose file is named $n: verified" \
		"$BFCTL" --json bfb verify --cache "$CACHE" --sha256 "$SUM" "$(nginx_url "$n")"
	ok "$n: the path given holds the server's file, byte for byte" cmp "$(json_path "$TMP/rc.out")" "$SAMPLE"
	ok "$n: its cache entry keeps the file apart from its metadata and lock (3 entries)" - <<'CHECK'
[ "$(ls -A "$(dirname "$(json_path "$TMP/rc.out")")" | wc -l)" = 3 ]
CHECK
	expect_rc 0 "$n: the second run uses the cache" \
		"$BFCTL" --json bfb verify --cache "$CACHE" --sha256 "$SUM" "$(nginx_url "$n")"
	ok "$n: --json says cached, and the path still holds the file" - <<'CHECK'
grep -q '"event":"download".*"action":"cached"' "$TMP/rc.out" && cmp "$(json_path "$TMP/rc.out")" "$SAMPLE"
CHECK
	ok "$n: the server sent the body once" test "$(nginx_count "/$n" 200)" = 1
done

# --- resume after the server drops the connection mid-file ----------------
cp "$SAMPLE" "$NGINX_ROOT/r.bfb"
"$BFCTL" --json bfb verify --cache "$CACHE" "$(nginx_url slow/r.bfb)" > "$TMP/resume.out" 2> "$TMP/resume.err" &
pid=$!
ok "the slow download is under way (over 256 KiB in the .part)" wait_for 120 part_over "$CACHE" 262144
nginx_stop
ok "the drop is retried, with its reason" wait_for 120 grep -q 'retry 1 of 5' "$TMP/resume.err"
nginx_start
wait "$pid"
ok "the interrupted download completes: exit 0" test $? -eq 0
ok "the result is the server's file" cmp "$(cached "$CACHE" r.bfb)" "$SAMPLE"
ok "the second request asked for the rest (Range, If-Range) and got a 206" - <<'CHECK'
grep -E '^GET /slow/r.bfb 206 [0-9]+ "bytes=[1-9][0-9]*-" "\\x22' "$NGINX_LOG"
CHECK
ok "the 206 carried exactly the missing bytes" - <<'CHECK'
off=$(sed -n 's|^GET /slow/r.bfb 206 [0-9]* "bytes=\([0-9]*\)-".*|\1|p' "$NGINX_LOG" | tail -1)
[ "$(nginx_bytes /slow/r.bfb 206)" = $((SIZE - off)) ]
CHECK
ok "no request started over from byte 0 after the drop" test "$(nginx_count /slow/r.bfb 200)" = 0
ok "--json: retry and resume events" - <<'CHECK'
grep -q '"event":"retry".*"step":"download"' "$TMP/resume.out" && grep -q '"action":"resume"' "$TMP/resume.out"
CHECK

# --- the file changes on the server between two parts: start over ----------
head -c 3000000 /dev/urandom > "$NGINX_ROOT/e.bin"
"$BFCTL" bfb verify --cache "$CACHE" "$(nginx_url slow/e.bin)" > "$TMP/e.out" 2> "$TMP/e.err" &
pid=$!
wait_for 120 part_over "$CACHE" 262144
nginx_stop
wait_for 120 grep -q 'retry 1 of 5' "$TMP/e.err"
cp "$SAMPLE" "$NGINX_ROOT/e.bin"
touch -d '2030-01-01' "$NGINX_ROOT/e.bin"
nginx_start
wait "$pid"
ok "a file changed on the server is downloaded again (then verified as a bundle)" test $? -eq 0
ok "the change is said" grep -q 'changed on the server' "$TMP/e.err"
ok "the cached file is the new one" cmp "$(cached "$CACHE" e.bin)" "$SAMPLE"
ok "the server answered the guarded range with the whole new file (200)" - <<'CHECK'
grep -qE '^GET /slow/e.bin 200 [0-9]+ "bytes=[1-9][0-9]*-" "\\x22' "$NGINX_LOG"
CHECK

# --- two runs at once share one download -------------------------------------
cp "$SAMPLE" "$NGINX_ROOT/s.bfb"
"$BFCTL" -v bfb verify --cache "$CACHE" "$(nginx_url slow/s.bfb)" > "$TMP/s1.out" 2>&1 &
p1=$!
"$BFCTL" -v bfb verify --cache "$CACHE" "$(nginx_url slow/s.bfb)" > "$TMP/s2.out" 2>&1 &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
ok "both runs succeed" test "$r1$r2" = 00
ok "one run waited for the other's download" grep -q 'another download of this URL is under way' "$TMP/s1.out" "$TMP/s2.out"
ok "the bundle crossed the network once" - <<'CHECK'
[ "$(nginx_count /slow/s.bfb 200)" = 1 ] && [ "$(nginx_bytes /slow/s.bfb)" = "$SIZE" ]
CHECK

# --- https: verified by default, --cacert, --insecure --------------------------
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$NGINX_PREFIX/key.pem" \
		-out "$NGINX_PREFIX/cert.pem" >/dev/null 2>&1
	TLS_PORT=$(nginx_free_port)
	sed -i "s|^\\(\\s*\\)server {|\\1server { listen 127.0.0.1:$TLS_PORT ssl; ssl_certificate $NGINX_PREFIX/cert.pem; ssl_certificate_key $NGINX_PREFIX/key.pem;|" "$NGINX_PREFIX/nginx.conf"
	nginx_stop
	"$NGINX_BIN" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e "$NGINX_PREFIX/error.log"
	wait_for 20 curl -sk -o /dev/null "https://127.0.0.1:$TLS_PORT/a.bfb"
	expect_rc 1 "https with a certificate nobody trusts: refused (exit 1)" \
		"$BFCTL" bfb verify --cache "$TMP/tls" "https://127.0.0.1:$TLS_PORT/a.bfb"
	ok "the message is about the certificate" grep -qi 'certificate' "$TMP/rc.err"
	expect_rc 0 "https with --cacert: verified" \
		"$BFCTL" bfb verify --cache "$TMP/tls" --cacert "$NGINX_PREFIX/cert.pem" "https://127.0.0.1:$TLS_PORT/a.bfb"
	expect_rc 0 "https with --insecure: downloaded, with a warning" \
		"$BFCTL" bfb verify --cache "$TMP/tls2" --insecure "https://127.0.0.1:$TLS_PORT/a.bfb"
	ok "--insecure is warned about" grep -q 'not verified (--insecure)' "$TMP/rc.err"
	# An https URL stays https, redirects included; its .sha256 too.
	before=$(nginx_count /a.bfb 200)
	expect_rc 1 "https redirected to plain http: refused (exit 1)" \
		"$BFCTL" bfb verify --cache "$TMP/tls3" --cacert "$NGINX_PREFIX/cert.pem" \
		"https://127.0.0.1:$TLS_PORT/tohttp/a.bfb"
	ok "the message says why" grep -q 'tohttp/a.bfb: the server redirected it to a URL that is not https; refused' "$TMP/rc.err"
	ok "nothing was fetched over http" test "$(nginx_count /a.bfb 200)" = "$before"
	expect_rc 0 "https redirected to https: followed" \
		"$BFCTL" bfb verify --cache "$TMP/tls3" --cacert "$NGINX_PREFIX/cert.pem" \
		"https://127.0.0.1:$TLS_PORT/same/a.bfb"
	cp "$SAMPLE" "$NGINX_ROOT/h.bfb"
	echo "$SUM  h.bfb" > "$NGINX_ROOT/h.bfb.sha256"
	expect_rc 0 "https whose .sha256 redirects to http: downloaded" \
		"$BFCTL" --json bfb verify --cache "$TMP/tls3" --cacert "$NGINX_PREFIX/cert.pem" \
		"https://127.0.0.1:$TLS_PORT/sidehttp/h.bfb"
	ok "the http .sha256 was not fetched" test "$(nginx_count /h.bfb.sha256 200)" = 0
	ok "--json: not counted as checked" grep -q '"action":"done".*"checked":false' "$TMP/rc.out"
	ok "the .sha256 left out is warned about" grep -q 'sidehttp/h.bfb: its .sha256 is not used' "$TMP/rc.err"
else
	skip "https" "openssl is not installed"
fi

# --- install from URLs; a wrong-platform bundle refused before any push ------
cp "$CFG" "$NGINX_ROOT/demo.cfg"
expect_rc 0 "install --bfb URL --config URL into sim:0" \
	"$BFSIM" run --state "$TMP/dev" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 --cache "$CACHE" -b "$(nginx_url a.bfb)" -c "$(nginx_url demo.cfg)" --timeout 120
ok "the install ends with DPU is ready" grep -q 'DPU is ready' "$TMP/rc.out"
cp "$SAMPLE_BF2" "$NGINX_ROOT/bf2.bfb"
expect_rc 3 "a BlueField-2 bundle by URL on a BlueField-3: exit 3" \
	"$BFSIM" run --state "$TMP/dev2" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 --cache "$CACHE" -b "$(nginx_url bf2.bfb)" --timeout 120
ok "refused as another platform's bundle" grep -q 'is for BlueField-2' "$TMP/rc.err"
ok "nothing pushed, no reset" - <<'CHECK'
"$BFSIM" status --state "$TMP/dev2" --json | python3 -c 'import json,sys
d=json.loads(sys.stdin.readline()); sys.exit(0 if (d["counters"]["resets"], d["counters"]["boot_bytes"]) == (0, 0) else 1)'
CHECK

# --- a firmware image by URL ------------------------------------------------
"$BFSIM" fwimage -o "$NGINX_ROOT/fw.img" --version 32.42.1010 --psid MT_0000000884 --size 16K >/dev/null
expect_rc 0 "fw burn DEV URL: the image downloaded, then burnt" \
	"$BFSIM" run --state "$TMP/fwdev" --speed "$SPEED" -- \
	"$BFCTL" fw burn sim:0 "$(nginx_url fw.img)" -y --cache "$CACHE"
ok "the burn went through" grep -q 'Writing Boot image component' "$TMP/rc.out"
ok "the image crossed the network once" test "$(nginx_count /fw.img 200)" = 1

done_testing
