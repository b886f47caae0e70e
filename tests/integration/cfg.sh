#!/bin/bash
# cfg.sh - bfctl cfg check/show/passwd: diagnostics with FILE:LINE:COL,
# exit codes, JSON, effective settings, hashes; every example config.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

for f in "$top_srcdir"/bfcfg/examples/*.cfg; do
	expect_rc 0 "example $(basename "$f") checks clean" "$BFCTL" cfg check "$f"
done

cat > t.cfg <<'CFG'
UPDATE_DPU_OS=Yes
UPDATE_ATF_UEFI="yes"
WITH_NIC_FW_UPDAT=yes
ubuntu_PASSWORD=secret
BMC_IP=999.1.1.1
OOB_NETPREFIX=40
NET_RSHIM_MAC=00:1a:ca:ff:ff:0z
BOOT0=NET-OOB.4040-IPV4-HTTP
BOOT1=NET-FOO-IPV4
EXTRA=$(hostname)
UPDATE_DPU_GOLDEN_IMAGE=yes
bfb_modify_os() {
  echo hi > /mnt/etc/motd
}
echo hello
grub_admin_PASSWORD=plain
SYS_ENABLE_SMMU=true
ROOTFS=zfs
CFG
expect_rc 3 "errors: exit 3" "$BFCTL" cfg check t.cfg
o="$TMP/rc.out"
ok "yes/no type, with the position" grep -q "^t.cfg:1:1: error: UPDATE_DPU_OS takes yes or no" "$o"
ok "unknown key with a suggestion" grep -q "^t.cfg:3:1: warning: unknown key WITH_NIC_FW_UPDAT.*did you mean WITH_NIC_FW_UPDATE" "$o"
ok "plaintext password" grep -q "^t.cfg:4:1: warning: ubuntu_PASSWORD looks like a plaintext password" "$o"
ok "ip type" grep -q "^t.cfg:5:1: error: BMC_IP takes an IP address" "$o"
ok "integer range" grep -q "^t.cfg:6:1: error: OOB_NETPREFIX=40 is out of range \[0, 32\]" "$o"
ok "mac type" grep -q "^t.cfg:7:1: error: NET_RSHIM_MAC takes a MAC address" "$o"
ok "a valid boot entry with a VLAN and HTTP passes" not grep -q "^t.cfg:8:" "$o"
ok "boot entry syntax" grep -q "^t.cfg:9:1: error: BOOT1 takes DISK" "$o"
ok "command substitution" grep -q "^t.cfg:10:1: warning: EXTRA holds a command substitution" "$o"
ok "key the installer overrides" grep -q "^t.cfg:11:1: warning: UPDATE_DPU_GOLDEN_IMAGE is overridden" "$o"
ok "hook note" grep -q "^t.cfg:12:1: note: hook bfb_modify_os runs as root on the DPU" "$o"
ok "command warning" grep -q "^t.cfg:15:1: warning: command 'echo' runs as root" "$o"
ok "pbkdf2 type" grep -q "^t.cfg:16:1: error: grub_admin_PASSWORD takes a grub PBKDF2 hash" "$o"
ok "TRUE/FALSE type" grep -q "^t.cfg:17:1: error: SYS_ENABLE_SMMU takes TRUE or FALSE" "$o"
ok "enum type" grep -q "^t.cfg:18:1: error: ROOTFS takes one of ext4, xfs, btrfs" "$o"
ok "summary counts" grep -q "^t.cfg: 8 errors, 6 warnings, 1 note$" "$o"

printf "ubuntu_PASSWORD='%s'\n" '$6$abc$tooshort' > h.cfg
expect_rc 3 "a malformed hash is an error" "$BFCTL" cfg check h.cfg
printf "ubuntu_PASSWORD='%s'\n" '$1$3B0RIrfX$AbrUqhoCQuvfi4TdNyeCs1' > md5.cfg
expect_rc 0 "an MD5 hash is only a warning" "$BFCTL" cfg check md5.cfg
ok "MD5 is called weak" grep -q "weak" "$TMP/rc.out"
printf 'ubuntu_PASSWORD=%s\n' '$1$3B0RIrfX$AbrUqhoCQuvfi4TdNyeCs1' > unq.cfg
expect_rc 3 "a crypt hash outside single quotes is an error (bash would expand it)" "$BFCTL" cfg check unq.cfg
ok "the message says to single-quote it" grep -q "single quotes" "$TMP/rc.out"
printf '\\' > bs.cfg     # found by fuzz_bfcfg: a backslash as the last byte read past the end
expect_rc 0 "a backslash as the very last byte is a literal" "$BFCTL" cfg check bs.cfg
printf 'A="unterminated\n' > syn.cfg
expect_rc 3 "a syntax error" "$BFCTL" cfg check syn.cfg
ok "syntax error position" grep -q "^syn.cfg:1:3: error: unterminated double quote" "$TMP/rc.out"

"$BFCTL" --json cfg check t.cfg > c.json
ok "--json: cfg_diag events and result" - <<'CHECK'
python3 - c.json <<'PY'
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
d = [x for x in e if x["event"] == "cfg_diag"]
assert len(d) == 15 and all({"file", "line", "col", "severity", "message"} <= set(x) for x in d)
assert e[-1]["event"] == "result" and e[-1]["exit_code"] == 3
PY
CHECK

expect_rc 0 "show" "$BFCTL" cfg show "$top_srcdir/bfcfg/examples/demo.cfg"
ok "show: a value from the file" grep -qE '^  UPDATE_BMC_FW +no +\(bf.cfg\)' "$TMP/rc.out"
ok "show: a default filled in" grep -qE '^  UPDATE_ATF_UEFI +yes +\(default\)' "$TMP/rc.out"
ok "show: the password hash is masked" grep -qE '^  ubuntu_PASSWORD +xxxxxx' "$TMP/rc.out"

echo 's3cret' | "$BFCTL" cfg passwd --stdin > pw.out
python3 -c 'import crypt,sys' 2>/dev/null
ok "passwd: a SHA-512 crypt hash" grep -qE '^\$6\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$' pw.out
printf "ubuntu_PASSWORD='%s'\n" "$(cat pw.out)" > pw.cfg
expect_rc 0 "the generated hash passes the check" "$BFCTL" cfg check pw.cfg
expect_rc 2 "passwd without a terminal and without --stdin refuses" "$BFCTL" cfg passwd

done_testing
