#!/bin/bash
# bmc_answers.sh - a BMC whose answers are hostile: a Redfish body over the
# 1 MiB bfctl reads is refused with its sentence and exit code, and the
# part read so far is freed (under the sanitizers, a leak fails the run's
# exit code). A small Python server plays the BMC; it needs no root.
. "$(dirname "$0")/lib.sh"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/bmc.py" <<'PY'
import http.server, sys
BIG = b'{"pad":"' + b"x" * (2 << 20) + b'"}'
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BIG)))
        self.end_headers()
        try:
            self.wfile.write(BIG)
        except OSError:
            pass
    do_POST = do_PATCH = do_GET
    def log_message(self, *a):
        sys.stderr.write("%s %s\n" % (self.command, self.path))
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$TMP/bmc.py" "$PORT" 2> "$TMP/bmc.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; rm -rf "$TMP"' EXIT
server_up() {  # polled: the server may take a while on a loaded machine
	local i
	for i in $(seq 600); do
		curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/up" && return 0
		sleep 0.05
	done
	return 1
}
ok "a BMC that answers 2 MiB to everything" server_up

export BFCTL_BMC_PASSWORD=secret
expect_rc 4 "bfctl bmc mode: an answer over 1 MiB is refused (exit 4, the device)" \
	"$BFCTL" bmc mode --bmc "http://root@127.0.0.1:$PORT"
ok "the message names the BMC and the limit" grep -q "the BMC at 127.0.0.1:$PORT answered GET .* with more than 1048576 bytes" "$TMP/rc.err"
ok "the request reached the server" grep -q '^GET /redfish/v1/Systems' "$TMP/bmc.log"
ok "no sanitizer report" not grep -q -E 'LeakSanitizer|AddressSanitizer|runtime error' "$TMP/rc.err"

done_testing
