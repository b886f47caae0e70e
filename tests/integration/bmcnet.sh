# bmcnet.sh - sourced first by the BMC tests: they run in a network
# namespace of their own (the simulated BMC, the image servers and the
# clients on its loopback only), then source lib.sh. Helpers to start and
# stop `bfsim serve --bmc` and a static file server.
if [ -z "${BMC_TEST_NETNS:-}" ]; then
	if unshare -n true 2>/dev/null; then
		BMC_TEST_NETNS=1 exec unshare -n "$BASH" "$0" "$@"
	fi
	. "$(dirname "$0")/lib.sh"
	if [ "${CI:-}" = true ]; then
		ok "a network namespace for the simulated BMC (unshare -n)" false
	else
		skip "the simulated BMC tests" "no network namespace here (unshare -n; run as root or with CI=true)"
	fi
	done_testing
	exit
fi
ip link set lo up
. "$(dirname "$0")/lib.sh"

export BFCTL_BMC_PASSWORD=bmc-test-pw-1
PWFILE="$TMP/bmc.pw"
printf '%s\n' "$BFCTL_BMC_PASSWORD" > "$PWFILE"
chmod 600 "$PWFILE"
# curl's credentials from a file, not its command line
printf 'user = "root:%s"\n' "$BFCTL_BMC_PASSWORD" > "$TMP/curl.cfg"
chmod 600 "$TMP/curl.cfg"
SERVE_PID=
WWW_PID=

bmc_start() {  # bmc_start STATE [bfsim serve option...] -- BMC on https :8443 and http :8080
	local st=$1 i
	shift
	rm -f "$TMP/serve.out"
	"$BFSIM" serve --state "$st" --speed "${BFSIM_TEST_SPEED:-50}" --bmc https://127.0.0.1:8443 \
		--bmc http://127.0.0.1:8080 --bmc-password-file "$PWFILE" "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
	SERVE_PID=$!
	for i in $(seq 300); do
		grep -q '^BFSIM_BMC_CACERT=' "$TMP/serve.out" 2>/dev/null && break
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	export BFSIM_SOCKET BFSIM_BMC_CACERT
	BFSIM_SOCKET=$(sed -n 's/^BFSIM_SOCKET=//p' "$TMP/serve.out")
	BFSIM_BMC_CACERT=$(sed -n 's/^BFSIM_BMC_CACERT=//p' "$TMP/serve.out")
	[ -n "$BFSIM_BMC_CACERT" ]
}

bmc_stop() {
	[ -n "$SERVE_PID" ] || return 0
	kill "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	SERVE_PID=
	cat "$TMP/serve.err" >> "$TMP/serve.all" 2>/dev/null
}

www_start() {  # www_start DIR PORT -- a static file server (python3 http.server) for DIR
	python3 -m http.server "$2" --bind 127.0.0.1 --directory "$1" >"$TMP/www.log" 2>&1 &
	WWW_PID=$!
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$2/" && return 0
		sleep 0.1
	done
	return 1
}

www_stop() {
	[ -n "$WWW_PID" ] || return 0
	kill "$WWW_PID" 2>/dev/null
	wait "$WWW_PID" 2>/dev/null
	WWW_PID=
}

# On a failure, what the simulated BMC said (its reboots, its errors) goes
# into the TAP output.
trap 'bmc_stop; www_stop
	[ "$T_FAILED" = 0 ] || sed "s/^/# bfsim: /" "$TMP/serve.all" 2>/dev/null | tail -40
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT

RF=https://127.0.0.1:8443/redfish/v1
rf() {  # rf [curl option...] PATH -- an authenticated request to the simulated BMC
	local last=${*: -1}
	curl -s --cacert "$BFSIM_BMC_CACERT" -K "$TMP/curl.cfg" "${@:1:$#-1}" "$RF$last"
}
