#!/bin/bash
# install.sh - bfctl install/log/reg/reset/list against bfsim: real
# processes, real exit codes, the log lines and the state the simulated
# device records.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
SAMPLE_BF2="$top_builddir/bfb/sample-full-bf2.bfb"
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
SPEED=${BFSIM_TEST_SPEED:-50}


# --- success on BF3 and BF2, with the state the installer records ---------
for chip in bf3 bf2; do
	st="$TMP/state-$chip"
	bundle=$SAMPLE
	[ "$chip" = bf2 ] && bundle=$SAMPLE_BF2
	expect_rc 0 "$chip: install of the sample bundle with bf.cfg succeeds" \
		"$BFSIM" run --chip "$chip" --state "$st" --speed "$SPEED" -- \
		"$BFCTL" install --rshim sim:0 --bfb "$bundle" --config "$CFG" --timeout 120
	cp "$TMP/rc.out" "$TMP/install-$chip.out"
	ok "$chip: the live status ends with DPU is ready" grep -q 'DPU is ready' "$TMP/install-$chip.out"
	ok "$chip: log lines have the upstream shape ' INFO[MOD]: text'" grep -qE '^ (INFO|WARN|ERR)\[(BL1|BL2|BL2R|BL31|UEFI|PSC|MISC)\]: ' "$TMP/install-$chip.out"
	ok "$chip: push happens before DPU is ready" awk '/Pushing/{p=NR} /DPU is ready/{d=NR} END{exit !(p && d && p < d)}' "$TMP/install-$chip.out"
	ok "$chip: bfsim status --json" - <<'CHECK'
"$BFSIM" status --state "$st" --json > "$TMP/status-$chip.json"
CHECK
	ok "$chip: the OS version from the bundle is recorded as installed" [ "$(json_field "$TMP/status-$chip.json" installed.os.version 2>/dev/null)" = "22.04" ]
done

# --- bf.cfg gates change what is logged and installed --------------------
# On the installed BF3: neither the OS nor the NIC firmware is touched, the
# installed OS boots again.
st="$TMP/state-bf3"
printf 'UPDATE_DPU_OS="no"\nWITH_NIC_FW_UPDATE=no\n' > "$TMP/no-os.cfg"
expect_rc 0 "UPDATE_DPU_OS=no, WITH_NIC_FW_UPDATE=no: the install completes" \
	"$BFSIM" run --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$TMP/no-os.cfg" --timeout 120
ok "UPDATE_DPU_OS=no: no OS installation in the log" not grep -q 'Installing OS image' "$TMP/rc.out"
ok "WITH_NIC_FW_UPDATE=no: no NIC firmware update in the log" not grep -q 'Updating NIC firmware' "$TMP/rc.out"
ok "the OS installed earlier boots: DPU is ready" grep -q 'DPU is ready' "$TMP/rc.out"
# On a new device: no OS is recorded; the NIC firmware is.
st="$TMP/state-gate"
printf 'UPDATE_DPU_OS=no\n' > "$TMP/no-os-only.cfg"
expect_rc 0 "new device, UPDATE_DPU_OS=no: completes at Rebooting... (--wait-for reboot)" \
	"$BFSIM" run --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$TMP/no-os-only.cfg" --wait-for reboot --timeout 120
"$BFSIM" status --state "$st" --json > "$TMP/status-gate.json"
ok "new device, UPDATE_DPU_OS=no: status shows NIC firmware installed and no OS" python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline())["installed"]; sys.exit(0 if "os" not in d and d["nic_fw"]["version"] else 1)' "$TMP/status-gate.json"
ok "new device without an OS never reports DPU is ready" not grep -q 'DPU is ready' "$TMP/rc.out"

# --- a corrupt BFB is refused with nothing pushed ------------------------
cp "$SAMPLE" "$TMP/bad.bfb"
printf '\xff' | dd of="$TMP/bad.bfb" bs=1 seek=100 conv=notrunc status=none
st="$TMP/state-bad"
expect_rc 3 "corrupt BFB: exit 3 (invalid input)" \
	"$BFSIM" run --state "$st" -- "$BFCTL" install -r sim:0 -b "$TMP/bad.bfb"
ok "corrupt BFB: the message says nothing was pushed" grep -q 'nothing was pushed' "$TMP/rc.err"
"$BFSIM" status --state "$st" --json > "$TMP/status-bad.json" 2>/dev/null
ok "corrupt BFB: the device received 0 bytes" [ "$(json_field "$TMP/status-bad.json" counters.boot_bytes 2>/dev/null || echo 0)" = "0" ]

# --- a stall ends with the deadline code within the deadline --------------
start=$(date +%s)
expect_rc 7 "FIFO stall: exit 7 (deadline)" \
	"$BFSIM" run --fault stall-after=65536 -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" --timeout 4
elapsed=$(( $(date +%s) - start ))
ok "FIFO stall: ended within the deadline (${elapsed}s for --timeout 4)" [ "$elapsed" -le 15 ]
ok "FIFO stall: the message names what was being waited for" grep -qi 'deadline\|no progress' "$TMP/rc.err"

# --- the device's own errors and faults on the way ------------------------
expect_rc 6 "a byte damaged in transit: the boot stage reports CRITICAL ERROR, exit 6" \
	"$BFSIM" run --speed "$SPEED" --fault corrupt-stream=70000 -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" --timeout 60
ok "exit 6 names the device's error line" - <<'CHECK'
grep -q 'CRITICAL ERROR' "$TMP/rc.out" && grep -q 'the device reported' "$TMP/rc.err"
CHECK
expect_rc 5 "the device unplugged mid-push: exit 5" \
	"$BFSIM" run --speed "$SPEED" --fault unplug-after=100000 -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" --timeout 60
# Whether a write or the log poll between two writes meets the unplug first
# depends on timing; both say how far the push got.
ok "exit 5 says how far the push got" grep -Eq 'after 100000 bytes|\(100000 bytes pushed\)' "$TMP/rc.err"
expect_rc 0 "garbage records in the log ring: the install still completes" \
	"$BFSIM" run --speed "$SPEED" --fault corrupt-log -- \
	"$BFCTL" install -v -r sim:0 -b "$SAMPLE" --timeout 60
ok "the skipped records are counted (-v)" grep -qE 'info: sim:0: [1-9][0-9]* malformed log records skipped' "$TMP/rc.err"
expect_rc 7 "a log semaphore the firmware never gives back: bfctl log gives up (exit 7)" \
	"$BFSIM" run --speed "$SPEED" --fault log-sem-stuck -- "$BFCTL" log -r sim:0
ok "... after releasing it once, said" \
	grep -q 'warning: sim:0: the log semaphore stayed taken for 3 s (a reader that died holding it?): releasing it' "$TMP/rc.err"
ok "... in one sentence: the device, the operation, what to do" \
	grep -q 'bfctl log: reading the log of sim:0: the log semaphore stayed taken for 3 s even after it was released (the DPU.s firmware holds it); reset the DPU (bfctl reset -r sim:0) and try again' "$TMP/rc.err"

# --- JSON events parse and follow the schema ----------------------------
ok "--json install exits 0" - <<'CHECK'
"$BFSIM" run --speed "$SPEED" -- "$BFCTL" install --json -r sim:0 -b "$SAMPLE" --timeout 120 > "$TMP/install.jsonl"
CHECK
ok "--json: every line parses; verify, push, log, mark and result follow the schema" - <<'CHECK'
python3 - "$TMP/install.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert all("event" in e and isinstance(e["time"], (int, float)) for e in ev), "event/time keys"
kinds = [e["event"] for e in ev]
assert kinds[0] == "verify" and ev[0]["ok"] is True, kinds[:3]
assert "push" in kinds, "push progress"
logs = [e for e in ev if e["event"] == "log"]
assert logs and all({"module", "level", "text", "line"} <= set(e) for e in logs), "log keys"
assert any(e["event"] == "mark" and e["mark"] == "dpu-ready" for e in ev), "mark"
assert kinds[-1] == "result" and ev[-1]["ok"] is True and ev[-1]["exit_code"] == 0, ev[-1]
PY
CHECK

# --- device and usage errors -------------------------------------------
expect_rc 4 "unknown device: exit 4" "$BFCTL" install -r sim:7 -b "$SAMPLE"
expect_rc 2 "malformed device name: a usage error, exit 2" "$BFCTL" install -r nosuch:0 -b "$SAMPLE"
expect_rc 2 "missing --bfb: exit 2" "$BFCTL" install -r sim:0
printf 'UPDATE_DPU_OS="yes\nWITH_NIC_FW_UPDATE=no\n' > "$TMP/bad.cfg"
st="$TMP/state-badcfg"
expect_rc 3 "bf.cfg with a syntax error: exit 3" \
	"$BFSIM" run --state "$st" -- "$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$TMP/bad.cfg"
ok "the bf.cfg error names FILE:LINE:COL" grep -q 'bad.cfg:1:15: unterminated double quote' "$TMP/rc.err"
ok "bf.cfg with errors: the device received 0 bytes" [ "$(json_field <("$BFSIM" status --state "$st" --json) counters.boot_bytes 2>/dev/null || echo 0)" = "0" ]
expect_rc 3 "missing bf.cfg file: exit 3, nothing pushed" "$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$TMP/nosuch.cfg"

# --- log, reg, reset, list on the installed device ----------------------
st="$TMP/state-bf3"
expect_rc 0 "reg read of SCRATCHPAD2 (BF3 linear address)" \
	"$BFSIM" run --state "$st" -- "$BFCTL" reg -r sim:0 read 0x13000c48
ok "reg read prints [0xADDR] -> 0xVALUE" grep -qE '^\[0x13000c48\] -> 0x[0-9a-f]{16}$' "$TMP/rc.out"
expect_rc 0 "reg write then read back SCRATCHPAD6" \
	"$BFSIM" run --state "$st" -- sh -c "'$BFCTL' reg -r sim:0 write 0x13000c68 0x1234abcd && '$BFCTL' reg -r sim:0 read 0x13000c68.32"
ok "the written value reads back" grep -q '\[0x13000c68\] -> 0x1234abcd' "$TMP/rc.out"
expect_rc 2 "reg with a bad address: exit 2" "$BFSIM" run -- "$BFCTL" reg -r sim:0 read 0x99999999
expect_rc 0 "list shows sim:0" "$BFSIM" run -- "$BFCTL" list
ok "list: sim:0 with its chip" grep -q '^sim:0 ' "$TMP/rc.out"
printf 'echo-this-line\n' > "$TMP/console.in"
expect_rc 0 "console: a scripted session" \
	"$BFSIM" run --state "$st" -- sh -c "'$BFCTL' console -r sim:0 --timeout 1 < '$TMP/console.in'"
ok "console: the DPU's login prompt, and what was typed echoed back" - <<'CHECK'
grep -q 'login:' "$TMP/rc.out" && grep -q 'echo-this-line' "$TMP/rc.out"
CHECK
expect_rc 0 "reset" "$BFSIM" run --state "$st" -- "$BFCTL" reset -r sim:0
expect_rc 0 "log after reset" "$BFSIM" run --state "$st" -- "$BFCTL" log -r sim:0

# A previous boot's "DPU is ready" still in the ring must not end a new
# install: the device rebooted with nobody reading its log, then the install.
expect_rc 0 "install after an unwatched reboot" \
	"$BFSIM" run --state "$st" --speed "$SPEED" -- sh -c \
	"'$BFCTL' reset -r sim:0 && sleep 2 && '$BFCTL' install -r sim:0 -b '$SAMPLE' --timeout 120"
ok "the install waited for its own boot, not the stale 'DPU is ready' of the one before" - <<'CHECK'
grep -q 'Ubuntu installation started' "$TMP/rc.out" && grep -q 'DPU is ready' "$TMP/rc.out"
CHECK

done_testing
