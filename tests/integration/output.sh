#!/bin/bash
# output.sh - what reaches the terminal and the JSON stream: bf.cfg text with
# bytes that are not UTF-8, CR, ESC sequences and CRLF line ends; a result
# event on every exit under --json, usage errors included; one exit code for
# an input file that cannot be read; malformed device names; getopt errors
# in bfctl's own words.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

# Every line of FILE is a JSON object, the whole file valid UTF-8, and the
# last line a result event with exit code CODE.
json_ok() {  # json_ok FILE CODE
	python3 - "$1" "$2" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")            # strict: invalid UTF-8 fails here
ev = [json.loads(l) for l in text.splitlines()]
assert ev, "no events"
assert all(isinstance(e, dict) and "event" in e and "time" in e for e in ev), "event and time keys"
assert ev[-1]["event"] == "result", ev[-1]
assert ev[-1]["exit_code"] == int(sys.argv[2]), ev[-1]
PY
}

# No raw ESC, CR or other C0 control byte but newline (and no C1 CSI byte).
no_raw_controls() {  # no_raw_controls FILE...
	! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f\x9b]' "$@"
}

# A bf.cfg with Latin-1 bytes, a CR, an OSC title and a clear-screen
# sequence, a C1 CSI, then CRLF lines.
printf 'BMC_USER="caf\xe9"\nBMC_IP="1.2.3.4\033]0;pwned\007\033[2J"\nBMC_PASSWORD="x\rEVIL"\n' > hostile.cfg
printf 'HOSTNAME_X=\xc2\x9b31m\nUPDATE_DPU_OS=yes\r\nWITH_NIC_FW_UPDATE=no\r\nFOO\xff=1\n' >> hostile.cfg

expect_rc 3 "cfg check --json on a hostile bf.cfg: exit 3" "$BFCTL" --json cfg check hostile.cfg
check "cfg check --json: every line parses, valid UTF-8, ends with result 3" json_ok "$TMP/rc.out" 3
check "cfg check --json: the Latin-1 byte is U+00E9, the CR and ESC kept as escapes" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
msgs = " ".join(e.get("message", "") + e.get("key", "") for e in ev)
assert "\x1b]0;pwned" in msgs and "yes\r" in msgs and "FOO\u00ff" in msgs, msgs' "$TMP/rc.out"
check "cfg check --json: bf.cfg errors are events, not text on stderr" \
	sh -c '! grep -q "hostile.cfg:" "$1"' sh "$TMP/rc.err"
expect_rc 0 "cfg show --json on a hostile bf.cfg" "$BFCTL" --json cfg show hostile.cfg
check "cfg show --json: every line parses, valid UTF-8, ends with result 0" json_ok "$TMP/rc.out" 0
check "cfg show --json: the value caf<E9> reads as café" grep -q '"value":"caf\\u00e9"' "$TMP/rc.out"

expect_rc 3 "cfg check (text) on a hostile bf.cfg" "$BFCTL" cfg check hostile.cfg
check "cfg check: no raw ESC, CR or C1 on stdout or stderr" no_raw_controls "$TMP/rc.out" "$TMP/rc.err"
check "cfg check: the ESC sequence shown escaped" grep -qF '1.2.3.4\x1b]0;pwned\x07\x1b[2J' "$TMP/rc.out"
check "cfg check: a CRLF line's CR shown as \\r, one message per line" \
	grep -qx "hostile.cfg:5:1: error: UPDATE_DPU_OS takes yes or no .*'yes\\\\r' means no)" "$TMP/rc.out"
expect_rc 0 "cfg show (text) on a hostile bf.cfg" "$BFCTL" cfg show hostile.cfg
check "cfg show: no raw ESC, CR or C1" no_raw_controls "$TMP/rc.out" "$TMP/rc.err"
check "cfg show: the Latin-1 byte escaped" grep -qF 'caf\xe9' "$TMP/rc.out"

# install checks the bf.cfg before touching any device: its diagnostics are
# events under --json, escaped text on stderr otherwise.
expect_rc 3 "install --json with the hostile bf.cfg: refused, exit 3" \
	"$BFCTL" --json install -r sim:0 -b "$top_builddir/bfb/sample-full.bfb" -c hostile.cfg
check "install --json: cfg_diag events, valid UTF-8, result 3" json_ok "$TMP/rc.out" 3
check "install --json: the diagnostics are cfg_diag events" grep -q '"event":"cfg_diag".*"line":5' "$TMP/rc.out"
check "install --json: no bf.cfg diagnostics as text on stderr" \
	sh -c '! grep -q "hostile.cfg:[0-9]" "$1"' sh "$TMP/rc.err"
expect_rc 3 "install (text) with the hostile bf.cfg" \
	"$BFCTL" install -r sim:0 -b "$top_builddir/bfb/sample-full.bfb" -c hostile.cfg
check "install: no raw ESC or CR on stderr" no_raw_controls "$TMP/rc.out" "$TMP/rc.err"

# --- a result event on every usage error ----------------------------------
while read -r args; do
	# shellcheck disable=SC2086
	expect_rc 2 "--json $args: usage error, exit 2" "$BFCTL" --json $args
	check "--json $args: stdout is events ending with result 2" json_ok "$TMP/rc.out" 2
done <<'ARGS'
--bogus
nosuchcommand
list --bogus
list extra
install --bogus
install -r sim:0
install -b x.bfb --timeout
log --bogus
log -r sim:0 extra
reset -r sim:0 extra
reg -r sim:0 frob 0
reg -r sim:0 read
console -r sim:0 --timeout=abc
bfb
bfb frob
bfb info
bfb verify a b
bfb pack
bfb unpack x.bfb
cfg
cfg frob
cfg check
cfg show a b
cfg passwd extra
fw
fw frob
fw query
fw config
fw burn x
fw reset --level 9 x
fw image
profile
profile check
profile check --bogus x
ARGS
expect_rc 2 "--json given after the bad option still gives a result" "$BFCTL" install --bogus --json
check "install --bogus --json: result 2" json_ok "$TMP/rc.out" 2
expect_rc 0 "--json --help: the usage text on stderr, stdout stays JSON" "$BFCTL" --json install --help
check "install --json --help: stdout is a result event" json_ok "$TMP/rc.out" 0
check "install --json --help: the usage on stderr" grep -q '^Usage: bfctl install' "$TMP/rc.err"

# --- getopt errors in bfctl's words ---------------------------------------
expect_rc 2 "an unknown long option" "$BFCTL" install --foo
check "says which option and where to look" \
	grep -qx "bfctl install: unknown option '--foo'; see 'bfctl install --help'" "$TMP/rc.err"
check "no getopt message" sh -c '! grep -q "unrecognized\|invalid option" "$1"' sh "$TMP/rc.err"
expect_rc 2 "an unknown short option" "$BFCTL" bfb info -x f
check "unknown short option named" grep -qx "bfctl bfb info: unknown option '-x'; see 'bfctl bfb info --help'" "$TMP/rc.err"
expect_rc 2 "a missing value" "$BFCTL" install --rshim
check "missing value named" grep -qx "bfctl install: option '--rshim' needs a value; see 'bfctl install --help'" "$TMP/rc.err"
expect_rc 2 "a value given to a flag" "$BFCTL" list --json=yes
check "flag with a value named" grep -qx "bfctl list: option '--json' takes no value; see 'bfctl list --help'" "$TMP/rc.err"

# --- malformed device names are usage errors ------------------------------
for name in foo pcie:zz sim: usb:x pcie-lf:0000:03:00 rshimX; do
	expect_rc 2 "log -r $name: malformed name, exit 2" "$BFCTL" log -r "$name"
	check "log -r $name: names the forms" grep -q "is not a .*device name" "$TMP/rc.err"
done
expect_rc 2 "reg -r foo: exit 2" "$BFCTL" reg -r foo read 0x10c28
expect_rc 2 "reset -r pcie:zz: exit 2" "$BFCTL" reset -r pcie:zz
expect_rc 2 "console -r sim:: exit 2" "$BFCTL" console -r sim:
expect_rc 4 "a well-formed name of a device that is not there: exit 4" "$BFCTL" reg -r pcie:0000:09:00.2 read 0x10c28
expect_rc 2 "fw query foo: a NIC name of no known form, exit 2" "$BFCTL" fw query foo
check "fw query foo: names the forms" grep -q "names no device: use a PCI address" "$TMP/rc.err"
expect_rc 4 "fw query of a well-formed PCI address with no device: exit 4" "$BFCTL" fw query 0000:77:00.0

# --- an input file that cannot be read: exit 3 everywhere -----------------
mkdir adir
for f in nosuch adir; do
	expect_rc 3 "bfb verify $f: exit 3" "$BFCTL" bfb verify $f
	expect_rc 3 "bfb info $f: exit 3" "$BFCTL" bfb info $f
	expect_rc 3 "bfb unpack $f: exit 3" "$BFCTL" bfb unpack $f -C out
	expect_rc 3 "bfb pack --from $f: exit 3" "$BFCTL" bfb pack -o p.bfb --from $f
	expect_rc 3 "bfb pack --manifest $f: exit 3" "$BFCTL" bfb pack -o p.bfb --manifest $f
	expect_rc 3 "bfb pack bl2=$f: exit 3" "$BFCTL" bfb pack -o p.bfb bl2=$f
	expect_rc 3 "cfg check $f: exit 3" "$BFCTL" cfg check $f
	expect_rc 3 "cfg show $f: exit 3" "$BFCTL" cfg show $f
	expect_rc 3 "fw image $f: exit 3" "$BFCTL" fw image $f
	expect_rc 3 "fw burn DEV $f: exit 3 (before the device)" "$BFCTL" fw burn 0000:09:00.0 $f -y
	expect_rc 3 "profile check $f: exit 3" "$BFCTL" profile check $f
	expect_rc 3 "install -b $f: exit 3" "$BFCTL" install -r sim:0 -b $f
	expect_rc 3 "install -c $f: exit 3" "$BFCTL" install -r sim:0 -b "$top_builddir/bfb/sample-full.bfb" -c $f
done
expect_rc 3 "the message names the file once" "$BFCTL" bfb verify nosuch
check "cannot read nosuch: No such file or directory, no doubled phrase" \
	grep -qx "bfctl bfb verify: cannot read nosuch: No such file or directory" "$TMP/rc.err"
expect_rc 3 "--json: an unreadable input ends with result 3" "$BFCTL" --json cfg check nosuch
check "cfg check --json nosuch: result 3" json_ok "$TMP/rc.out" 3

# --- messages without stray strerror suffixes -----------------------------
expect_rc 3 "an empty password" sh -c 'echo | "$1" cfg passwd --stdin' sh "$BFCTL"
check "says 'empty password', no strerror" grep -qx "bfctl cfg passwd: empty password" "$TMP/rc.err"
expect_rc 2 "passwd without a terminal" "$BFCTL" cfg passwd
check "no 'No such device or address'" grep -qx "bfctl cfg passwd: no terminal to read the password from; use --stdin in scripts" "$TMP/rc.err"

expect_rc 4 "a USB device that is not there" "$BFCTL" console -r usb:1-9
check "the 'bfctl list' hint once, not twice" sh -c '[ "$(grep -o "'"'bfctl list'"'" "$1" | wc -l)" -eq 1 ]' sh "$TMP/rc.err"

# --- the manual ------------------------------------------------------------
see_also_complete() {
	local page name sec
	sed -n '/^\.SH SEE ALSO/,$p' "$top_srcdir/man/bfctl.1" > see_also.txt
	for page in "$top_srcdir"/man/*.[1-8]; do
		name=$(basename "$page"); sec=${name##*.}; name=${name%.*}
		[ "$name" = bfctl ] && continue
		grep -q "^\.BR ${name//-/\\\\-} ($sec)" see_also.txt || { echo "missing $name($sec)"; return 1; }
	done
}
check "bfctl(1) SEE ALSO names every page in man/" see_also_complete
check "the install synopsis has --stall-timeout" sh -c \
	'man -l "$1" 2>/dev/null | sed -n "/^SYNOPSIS/,/^DESCRIPTION/p;/^COMMANDS/,/The main job/p" | grep -q -- "--stall-timeout"' \
	sh "$top_srcdir/man/bfctl.1"
check "install --help: the synopsis has --stall-timeout" sh -c '"$1" install --help | head -3 | grep -q -- "--stall-timeout S"' sh "$BFCTL"

# --- bfctl log right after an install ---------------------------------------
SAMPLE="$top_builddir/bfb/sample-full.bfb"
expect_rc 0 "install, then log: the ring is empty" "$BFSIM" run --speed 50 --state "$TMP/dpu" -- sh -c \
	'"$1" install -r sim:0 -b "$2" >/dev/null 2>&1 && "$1" log -r sim:0' sh "$BFCTL" "$SAMPLE"
check "log says the install read and cleared it, and how to keep it" \
	grep -q "the log is empty: 'bfctl install' reads the log and clears it.*--keep-log" "$TMP/rc.err"
expect_rc 0 "install --keep-log, then log: the records are there" "$BFSIM" run --speed 50 --state "$TMP/dpu2" -- sh -c \
	'"$1" install -r sim:0 -b "$2" --keep-log >/dev/null 2>&1 && "$1" log -r sim:0' sh "$BFCTL" "$SAMPLE"
check "log shows the installer's records, no hint" sh -c 'grep -q "DPU is ready" "$1" && ! grep -q "log is empty" "$2"' \
	sh "$TMP/rc.out" "$TMP/rc.err"

done_testing
