#!/bin/bash
# upgrade_bmc.sh - bfctl upgrade applies BMC and CEC firmware through the
# DPU's installer: with --bmc, the bf.cfg pushed after the bundle carries
# the BMC credentials (kept in memory: never on a command line, in a log,
# in JSON or in a file); the installer updates both, resets the CEC and
# reboots the BMC; bfctl waits for the BMC and checks BMC/CEC again over
# Redfish (bfsim run --bmc). Without --bmc the plan and the post-check say
# they are not applied. A BMC that comes back with its old firmware: exit 6;
# one that does not come back: exit 7.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx.sh"   # nginx_free_port

SPEED=${BFSIM_TEST_SPEED:-50}
SAMPLE="$top_builddir/bfb/sample-full.bfb"
ST="$TMP/dev"
export BFCTL_STATE_DIR="$TMP/state"
# A space and a quote: the bf.cfg quoting is exercised.
PW="upg Bmc'pw-7"
export BFCTL_BMC_PASSWORD="$PW"
printf '%s\n' "$PW" > "$TMP/bmc.pw"
chmod 600 "$TMP/bmc.pw"
BPORT=$(nginx_free_port)
export BPORT

field() { sim_field "$ST" "$1"; }  # field KEY.PATH: from bfsim status of $ST

# up [BFSIM OPTIONS] -- BFCTL ARGS: bfctl in bfsim run (-v) with the
# device's BMC on https://127.0.0.1:$BPORT
up() {
	local o=()
	while [ "$1" != -- ]; do o+=("$1"); shift; done
	shift
	"$BFSIM" run -v --state "$ST" --speed "$SPEED" --bmc "https://127.0.0.1:$BPORT" \
		--bmc-password-file "$TMP/bmc.pw" "${o[@]}" -- \
		sh -c '"$0" "$@" --cacert "$BFSIM_BMC_CACERT"' "$BFCTL" "$@"
}
BMC="https://root@127.0.0.1:$BPORT"

# event FILE EVENT KEY=VALUE...: an event of that name has all the values
event() {
	python3 -c 'import json,sys
want=dict(a.split("=",1) for a in sys.argv[3:])
for l in open(sys.argv[1]):
    e=json.loads(l)
    if e.get("event")==sys.argv[2] and all(str(e.get(k))==v for k,v in want.items()):
        sys.exit(0)
sys.exit(1)' "$@"
}

# The command lines of every process, sampled until $TMP/ps.stop exists.
ps_watch() {
	rm -f "$TMP/ps.stop"
	(while [ ! -e "$TMP/ps.stop" ]; do
		cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' '
		echo
		sleep 0.05
	done) > "$TMP/ps.txt" &
	PSW=$!
}
ps_stop() { touch "$TMP/ps.stop"; wait "$PSW"; }

B="$TMP/b"
mkdir -p "$B"
ok "bundles: next; BMC 24.10-18 + CEC ...0200 + NIC 32.43; BMC 24.11-1 + NIC 32.44" - <<'CHECK'
"$BFSIM" bundle -o "$B/next.bfb" --kind fw --version-set next >/dev/null &&
"$BFSIM" bundle -o "$B/b3.bfb" --kind fw --version-set next --version BMC=24.10-18 \
	--version CEC=00.02.0200.0000 --version NIC=32.43.1000 >/dev/null &&
"$BFSIM" bundle -o "$B/b4.bfb" --kind fw --version-set next --version BMC=24.11-1 --version NIC=32.44.1000 >/dev/null
CHECK
expect_rc 0 "the device gets the sample bundle installed" \
	"$BFSIM" run --state "$ST" --speed "$SPEED" -- "$BFCTL" install -r sim:0 -b "$SAMPLE" --timeout 120

# --- BMC and CEC applied ------------------------------------------------------------
ps_watch
expect_rc 0 "--bmc, next bundle: BMC and CEC applied through the installer, post-check ok" \
	up -- upgrade -r sim:0 --bundle "$B/next.bfb" --bmc "$BMC" --timeout 300 --json
ps_stop
cp "$TMP/rc.out" "$TMP/apply.json"
cp "$TMP/rc.err" "$TMP/apply.err"
ok "... the plan: BMC 24.04-5 -> 24.07-2, CEC 00.02.0182.0000 -> 00.02.0195.0000 (upgrade)" - <<'CHECK'
grep -q '"component":"BMC","running":"24.04-5","pending":"","bundle":"24.07-2","action":"upgrade"' "$TMP/apply.json" &&
grep -q '"component":"CEC","running":"00.02.0182.0000","pending":"","bundle":"00.02.0195.0000","action":"upgrade"' "$TMP/apply.json"
CHECK
ok "... an upgrade_bmc event says the credentials go to the installer in bf.cfg (BMC yes, CEC yes)" \
	event "$TMP/apply.json" upgrade_bmc step=bfcfg bmc=yes cec=yes
ok "... the installer logged upstream's lines: updating both, CEC reset, BMC reboot" - <<'CHECK'
grep -q 'Updating BMC firmware' "$TMP/apply.json" && grep -q 'Updating CEC firmware' "$TMP/apply.json" &&
grep -q 'Rebooting CEC\.\.\.' "$TMP/apply.json" && grep -q 'CEC firmware was updated to 00.02.0195.0000\.' "$TMP/apply.json" &&
grep -q 'Rebooting BMC\.\.\.' "$TMP/apply.json" && ! grep -q 'Skipping BMC components' "$TMP/apply.json"
CHECK
ok "... the simulated BMC rebooted (bfsim -v)" grep -q 'BMC of sim:0 reboots' "$TMP/apply.err"
ok "... bfctl saw the BMC answer again (upgrade_bmc back)" event "$TMP/apply.json" upgrade_bmc step=back
ok "... post-check over Redfish: BMC 24.07-2 ok, CEC 00.02.0195.0000 ok" - <<'CHECK'
event "$TMP/apply.json" upgrade_check component=BMC running=24.07-2 verdict=ok &&
event "$TMP/apply.json" upgrade_check component=CEC running=00.02.0195.0000 verdict=ok
CHECK
ok "... the final result is ok (exit 0)" event "$TMP/apply.json" result ok=True exit_code=0
ok "... bfsim status: BMC BF-24.07-2 and CEC 00.02.0195.0000_n02 (as Redfish shows them) active, nothing staged" - <<'CHECK'
[ "$(field installed.bmc_fw)" = BF-24.07-2 ] && [ "$(field installed.cec_fw)" = 00.02.0195.0000_n02 ] &&
! grep -q '"bmc_fw"\|"cec_fw"' <(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["staged"]))' "$TMP/sim-status.json")
CHECK
ok "the password: not in any command line while it ran (ps)" - <<'CHECK'
[ -s "$TMP/ps.txt" ] && grep -q 'bfctl upgrade\|bfsim run' "$TMP/ps.txt" && ! grep -qF -- "$PW" "$TMP/ps.txt"
CHECK
ok "... not in bfctl's output, JSON or log (-v stderr)" not grep -qF -- "$PW" "$TMP/apply.json" "$TMP/apply.err"
ok "... in no file under the test's directory but its own password file (state, history, device)" - <<'CHECK'
[ -z "$(grep -rlF -- "$PW" "$TMP" | grep -v -e "^$TMP/bmc.pw\$" -e "^$TMP/ps.txt\$")" ]
CHECK

# --- without --bmc: not applied, and said so ---------------------------------------
expect_rc 0 "no --bmc, a bundle with other BMC/CEC and NIC: applied (exit 0)" \
	up -- upgrade -r sim:0 --bundle "$B/b3.bfb" --timeout 300 --json
cp "$TMP/rc.out" "$TMP/nobmc.json"
ok "... the plan: BMC and CEC unchecked, with a note that they are not applied (give --bmc)" - <<'CHECK'
grep -q '"component":"BMC","running":"","pending":"","note":"unknown (no --bmc)","bundle":"24.10-18","action":"unchecked"' "$TMP/nobmc.json" &&
event "$TMP/nobmc.json" upgrade_bmc step=not-applied && grep -q 'not applied.*give --bmc' "$TMP/nobmc.json"
CHECK
ok "... the installer skipped them with upstream's line" grep -q 'Skipping BMC components upgrade\.' "$TMP/nobmc.json"
ok "... the post-check reports BMC and CEC not applied; NIC ok" - <<'CHECK'
event "$TMP/nobmc.json" upgrade_check component=BMC verdict="not applied (no --bmc: the installer had no BMC credentials)" &&
event "$TMP/nobmc.json" upgrade_check component=CEC verdict="not applied (no --bmc: the installer had no BMC credentials)" &&
event "$TMP/nobmc.json" upgrade_check component=NIC verdict=ok
CHECK
ok "... the result says BMC and CEC were not applied" grep -q '"result":"ok".*BMC and CEC firmware were not applied' "$TMP/nobmc.json"
ok "... bfsim status: BMC still BF-24.07-2, CEC still 00.02.0195.0000_n02" - <<'CHECK'
[ "$(field installed.bmc_fw)" = BF-24.07-2 ] && [ "$(field installed.cec_fw)" = 00.02.0195.0000_n02 ]
CHECK

expect_rc 0 "--deferred --plan with --bmc: a plan (exit 0)" \
	up -- upgrade -r sim:0 --bundle "$B/b4.bfb" --plan --deferred --bmc "$BMC" --json
ok "... it says a deferred upgrade does not apply BMC and CEC firmware" - <<'CHECK'
event "$TMP/rc.out" upgrade_bmc step=not-applied && grep -q 'not applied by a deferred upgrade' "$TMP/rc.out"
CHECK

# --- the installer's own login: a wrong BMC password in bf.cfg ------------------------
printf 'BMC_USER="root"\nBMC_PASSWORD="not-the-bmc-pw"\nBMC_REBOOT="yes"\n' > "$TMP/wrong.cfg"
expect_rc 0 "an install with a wrong BMC_PASSWORD in bf.cfg completes" \
	up -- install -r sim:0 -b "$B/b4.bfb" -c "$TMP/wrong.cfg" --timeout 120
ok "... the installer logged upstream's refused login, then the skip" - <<'CHECK'
grep -q 'ERR\[MISC\]: Failed to get BMC token. Check BMC user/password' "$TMP/rc.out" &&
grep -q 'WARN\[MISC\]: Skipping BMC components upgrade\.' "$TMP/rc.out" && ! grep -q 'Updating BMC firmware' "$TMP/rc.out"
CHECK
ok "... bfsim status: BMC still 24.07-2, nothing staged" - <<'CHECK'
[ "$(field installed.bmc_fw)" = BF-24.07-2 ] && [ -z "$(field staged.bmc_fw)" ]
CHECK

# --- the BMC comes back with its old firmware -----------------------------------------
expect_rc 6 "--bmc, the device takes no update (no-activate): the post-check exits 6" \
	up --fault no-activate -- upgrade -r sim:0 --bundle "$B/b4.bfb" --bmc "$BMC" --timeout 300 --json
cp "$TMP/rc.out" "$TMP/noact.json"
ok "... BMC: expected 24.11-1, running 24.07-2, DIFFERS (read again over Redfish)" \
	event "$TMP/noact.json" upgrade_check component=BMC expected=24.11-1 running=24.07-2 verdict=DIFFERS
ok "... the error says the post-check found a difference; a final result with exit code 6" - <<'CHECK'
grep -q 'post-check on sim:0: .* components run something else than planned' "$TMP/rc.err" &&
event "$TMP/noact.json" result ok=False exit_code=6
CHECK
ok "... bfsim status: BMC 24.11-1 still staged (pending), 24.07-2 active" - <<'CHECK'
[ "$(field staged.bmc_fw)" = BF-24.11-1 ] && [ "$(field installed.bmc_fw)" = BF-24.07-2 ]
CHECK

# --- the BMC does not come back ------------------------------------------------------
expect_rc 7 "--bmc, the BMC stays down after its reboot (bmc-no-return): exit 7" \
	up --fault bmc-no-return -- upgrade -r sim:0 --bundle "$B/b4.bfb" --bmc "$BMC" --bmc-wait 3 --timeout 300 --json
cp "$TMP/rc.out" "$TMP/down.json"
cp "$TMP/rc.err" "$TMP/down.err"
ok "... the waits were logged with their reason (upgrade_bmc wait, attempt 1, refused)" - <<'CHECK'
event "$TMP/down.json" upgrade_bmc step=wait attempt=1 && grep -q '"step":"wait".*"reason":".*did not answer' "$TMP/down.json"
CHECK
ok "... the message names the BMC, the wait and what to do" - <<'CHECK'
grep -q "the BMC at 127.0.0.1:$BPORT did not come back within 3 s after the DPU updated its firmware" "$TMP/down.err" &&
grep -q "bfctl bmc inventory" "$TMP/down.err"
CHECK
ok "... a final result event with exit code 7" event "$TMP/down.json" result ok=False exit_code=7
ok "... the history records the BMC unreachable" - <<'CHECK'
"$BFCTL" upgrade -r sim:0 --history > "$TMP/hist.txt" && grep -q 'bmc-unreachable' "$TMP/hist.txt"
CHECK
ok "... the password is not in its output either" not grep -qF -- "$PW" "$TMP/down.json" "$TMP/down.err"
done_testing
