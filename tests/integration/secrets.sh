#!/bin/bash
# secrets.sh - passwords stay secret: a plaintext password where a hash
# belongs stops the install (unless --allow-plaintext-password), bfb info
# never shows a trailing bf.cfg's secret values, the simulated device keeps
# only hashes in private files, and a refused simulator state is left as
# it was.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
SPEED=${BFSIM_TEST_SPEED:-50}
PLAIN='s3cr3t-Plain'
printf 'ubuntu_PASSWORD=%s\n' "$PLAIN" > "$TMP/plain.cfg"

st="$TMP/st"
"$BFSIM" run --state "$st" -- "$BFCTL" reg -r sim:0 read 0x13000c48 >/dev/null 2>&1
expect_rc 3 "plaintext ubuntu_PASSWORD: install refused (exit 3)" "$BFSIM" run --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$TMP/plain.cfg" --timeout 60
check "the hint names 'bfctl cfg passwd' and the override" sh -c \
	"grep -q \"bfctl cfg passwd\" '$TMP/rc.err' && grep -q -- --allow-plaintext-password '$TMP/rc.err'"
check "the device was not reset" sh -c "'$BFSIM' status --state '$st' --json | grep -q '\"resets\":0'"
check "the message never shows the password" sh -c "! grep -q '$PLAIN' '$TMP/rc.err' '$TMP/rc.out'"

expect_rc 0 "--allow-plaintext-password: the install goes on" "$BFSIM" run --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$TMP/plain.cfg" --timeout 60 --allow-plaintext-password
check "the override is warned about" grep -q 'pushing it anyway (--allow-plaintext-password)' "$TMP/rc.err"
check "the device stores a SHA-512 crypt hash, not the plaintext" sh -c \
	"grep -q '\"ubuntu_password_hash\": *\"\\\$6\\\$' '$st/nv.json' && ! grep -rq '$PLAIN' '$st'"
check "state files are 0600, the directory 0700" sh -c \
	"[ \$(stat -c %a '$st') = 700 ] && [ \$(stat -c %a '$st/nv.json') = 600 ] && [ \$(stat -c %a '$st/runtime.json') = 600 ]"

# --- bfb info: a trailing bf.cfg keeps its secrets --------------------------
cat "$SAMPLE" "$TMP/plain.cfg" > "$TMP/trail.bfb"
expect_rc 0 "bfb info of a bundle with a trailing bf.cfg" "$BFCTL" bfb info "$TMP/trail.bfb"
check "text: the key is shown, its value is not" sh -c "grep -q 'ubuntu_PASSWORD=xxxxxx' '$TMP/rc.out' && ! grep -q '$PLAIN' '$TMP/rc.out'"
expect_rc 0 "bfb info --json" "$BFCTL" bfb info --json "$TMP/trail.bfb"
check "JSON trailing_head: no value" sh -c "grep -q 'trailing_head' '$TMP/rc.out' && ! grep -q '$PLAIN' '$TMP/rc.out'"

# --- grub_admin_PASSWORD is a secret ----------------------------------------
printf 'grub_admin_PASSWORD=grub.pbkdf2.sha512.10000.AA.BB\n' > "$TMP/grub.cfg"
expect_rc 0 "cfg show with grub_admin_PASSWORD" "$BFCTL" cfg show "$TMP/grub.cfg"
check "cfg show masks grub_admin_PASSWORD" sh -c "grep -q 'grub_admin_PASSWORD' '$TMP/rc.out' && ! grep -q 'grub.pbkdf2.sha512.10000.AA.BB' '$TMP/rc.out'"

# --- a damaged state is refused and left as it is ---------------------------
echo '{ damaged' > "$st/nv.json"
cp -p "$st/nv.json" "$st/runtime.json" "$TMP/" 2>/dev/null
# bfsim holds the device: it refuses the state before COMMAND runs.
expect_rc 1 "a damaged state is refused" "$BFSIM" run --state "$st" -- "$BFCTL" reg -r sim:0 read 0x13000c48
check "the refusal says damaged" grep -q 'damaged' "$TMP/rc.err"
check "the damaged state is untouched afterwards" sh -c "cmp -s '$st/nv.json' '$TMP/nv.json' && cmp -s '$st/runtime.json' '$TMP/runtime.json'"
# The simulated BMC's password never on a command line: --bmc-password is
# refused (not taken as short for --bmc-password-file), its value unsaid.
for sub in run serve; do
	expect_rc 2 "bfsim $sub --bmc-password P: refused (exit 2)" \
		"$BFSIM" "$sub" --state "$TMP/stbmc" --bmc http://127.0.0.1:1 --bmc-password "$PLAIN" -- true
	ok "bfsim $sub: the message says where the password goes instead" grep -q -- '--bmc-password-file F) or in \$BFSIM_BMC_PASSWORD' "$TMP/rc.err"
	ok "bfsim $sub: the password is not repeated" not grep -q "$PLAIN" "$TMP/rc.out" "$TMP/rc.err"
done
ok "bfsim --help no longer offers --bmc-password P" - <<'CHECK'
"$BFSIM" run --help | grep -q -- --bmc-password-file && ! "$BFSIM" run --help | grep -q -- '--bmc-password P'
CHECK

done_testing
