#!/bin/bash
# bfb.sh - bfctl bfb info/verify/pack/unpack: exit codes, output, files on
# disk, byte identity with mlx-mkbfb (golden digests computed with the
# upstream script from the same inputs).
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
cd "$TMP" || exit 1
python3 -c "
open('ga.bin','wb').write(bytes((i*7+3)&255 for i in range(12345)))
open('gb.bin','wb').write(bytes((i*13+1)&255 for i in range(777)))
open('gc.bin','wb').write(b'initramfs-bytes!'*4)
open('ge.bin','wb').write(b'')
"
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- pack: byte-identical to mlx-mkbfb -----------------------------------
expect_rc 0 "pack with versions, literals and an empty image" \
	"$BFCTL" bfb pack -o g1.bfb bl31=gb.bin bl2=ga.bin boot-args-v2==console=hvc0 \
	boot-args-v0==console=ttyAMA1 initramfs=gc.bin info=ge.bin bl2-v1=gc.bin
ok "canonical order, bitmap and next-version: same bytes as mlx-mkbfb" [ "$(sha g1.bfb)" = 1aac81816dc17c785167a2082e21088a4ad90360e04c0b01b225829ce9b9a7d2 ]
expect_rc 0 "pack --expert" "$BFCTL" bfb pack --expert -o g2.bfb bl31=gb.bin bl2=ga.bin boot-args-v2==x bl2-v2=gc.bin
ok "--expert: same bytes as mlx-mkbfb -e" [ "$(sha g2.bfb)" = de1c94bff8d9042f75e95f4c771dc0fbb1c2130e1d3b5347d00725bf524052b5 ]
expect_rc 0 "pack --from an existing BFB, replacing boot-args" "$BFCTL" bfb pack -o g3.bfb --from g1.bfb boot-args==new
ok "--from: same bytes as mlx-mkbfb IN OUT" [ "$(sha g3.bfb)" = ef0b7f21ce811425087d3fbeb163cf84ed4487dea1b6a9f2335cd3568996e7e4 ]
cat > m.yaml <<'YAML'
images:
  - { name: bl31, file: gb.bin }
  - { name: bl2, file: ga.bin }
  - { name: boot-args-v2, text: "console=hvc0" }
  - { name: boot-args-v0, text: "console=ttyAMA1" }
  - { name: initramfs, file: gc.bin }
  - { name: info, file: ge.bin }
  - { name: bl2-v1, file: gc.bin }
YAML
expect_rc 0 "pack --manifest" "$BFCTL" bfb pack -o g4.bfb --manifest m.yaml
ok "--manifest gives the same bundle as the command line" cmp -s g1.bfb g4.bfb
expect_rc 8 "pack refuses to replace an existing file" "$BFCTL" bfb pack -o g1.bfb bl2=ga.bin
ok "the existing file is untouched" [ "$(sha g1.bfb)" = 1aac81816dc17c785167a2082e21088a4ad90360e04c0b01b225829ce9b9a7d2 ]
expect_rc 3 "pack: unknown image name" "$BFCTL" bfb pack -o x.bfb nosuch=ga.bin
expect_rc 3 "pack: version above 2" "$BFCTL" bfb pack -o x.bfb bl2-v3=ga.bin
printf 'images:\n  - { name: bl2, file: ga.bin, mode: 7 }\n' > bad.yaml
expect_rc 3 "manifest with an unknown key" "$BFCTL" bfb pack -o x.bfb --manifest bad.yaml
printf 'images: [ {name: bl2\n' > bad2.yaml
expect_rc 3 "manifest with a YAML syntax error" "$BFCTL" bfb pack -o x.bfb --manifest bad2.yaml
ok "the YAML error names the line" grep -q 'line' "$TMP/rc.err"
ok "failed packs leave no output or temporary file" - <<'CHECK'
[ ! -e x.bfb ] && ! ls x.bfb.tmp.* >/dev/null 2>&1
CHECK

# --- recipes: generated content, parameters, reproducible ----------------
R="$top_srcdir/bfb/full-bf3.yaml"
expect_rc 0 "pack a recipe" "$BFCTL" bfb pack -o r1.bfb --manifest "$R"
expect_rc 0 "pack the same recipe again" "$BFCTL" bfb pack -o r2.bfb --manifest "$R"
ok "a recipe gives the same bytes every time" cmp -s r1.bfb r2.bfb
expect_rc 0 "pack with --param size_mib=1" "$BFCTL" bfb pack -o r3.bfb --manifest "$R" --param size_mib=1
ok "--param size_mib shrinks the OS payload" [ $(( $(stat -c %s r1.bfb) - $(stat -c %s r3.bfb) )) -gt 3000000 ]
"$BFCTL" bfb unpack r1.bfb -C r1 >/dev/null && zcat r1/initramfs-v0 | cpio -it --quiet 2>/dev/null > r1.list
ok "the initramfs is a gzip'd newc cpio with the installer manifest, NIC firmware and OS payload" - <<'CHECK'
grep -qx 'bfsim-installer.json' r1.list && grep -qx 'ubuntu/image.tar.xz' r1.list && grep -qx 'nicfw/fw.bin' r1.list
CHECK
printf 'images:\n  - name: initramfs\n    initramfs:\n      files:\n        - { path: ../../etc/x, text: hi }\n' > trav.yaml
expect_rc 3 "an initramfs path with .. is refused" "$BFCTL" bfb pack -o x.bfb --manifest trav.yaml
printf 'images:\n  - { name: bl2, text: "${nosuch}" }\n' > unk.yaml
expect_rc 3 "an unknown parameter is refused" "$BFCTL" bfb pack -o x.bfb --manifest unk.yaml

# --- verify ----------------------------------------------------------------
expect_rc 0 "verify a good bundle" "$BFCTL" bfb verify "$SAMPLE"
cp "$SAMPLE" bad.bfb
printf '\x00' | dd of=bad.bfb bs=1 seek=200 conv=notrunc status=none
expect_rc 3 "verify: a flipped byte in an image" "$BFCTL" bfb verify bad.bfb
ok "verify names the first bad image and its offset" - <<'CHECK'
grep -q 'psc-bl' "$TMP/rc.err" && grep -q 'offset 0' "$TMP/rc.err"
CHECK
head -c 100000 "$SAMPLE" > trunc.bfb
expect_rc 3 "verify: a truncated bundle" "$BFCTL" bfb verify trunc.bfb
ok "verify says truncated" grep -q 'truncated' "$TMP/rc.err"
"$BFCTL" --json bfb verify bad.bfb > v.json
ok "verify --json: error_offset and error_image, result exit_code 3" python3 -c 'import json,sys; e=[json.loads(l) for l in open(sys.argv[1])]; v=e[0]; assert v["event"]=="verify" and v["ok"] is False and v["error_offset"]==0 and v["error_image"]=="psc-bl-v0", v; assert e[-1]["event"]=="result" and e[-1]["exit_code"]==3' v.json
expect_rc 3 "verify: not a BFB" "$BFCTL" bfb verify m.yaml
expect_rc 3 "verify: missing file" "$BFCTL" bfb verify nosuch.bfb

# --- info --------------------------------------------------------------------
cat "$SAMPLE" "$top_srcdir/bfcfg/examples/demo.cfg" > withcfg.bfb
expect_rc 0 "info on a bundle with an appended bf.cfg" "$BFCTL" bfb info withcfg.bfb
ok "info: kind full" grep -q 'kind full' "$TMP/rc.out"
ok "info: the appended bf.cfg shows as trailing data" grep -q 'trailing data: .* bytes at offset' "$TMP/rc.out"
ok "info: component versions from the info image" grep -qE '^ +DOCA +2\.7\.0' "$TMP/rc.out"
"$BFCTL" --json bfb info "$top_builddir/bfb/sample-fw.bfb" > i.json
ok "info --json: the bfb_info schema; fw bundle kind" - <<'CHECK'
python3 - i.json <<'PY'
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
i = e[0]
assert i["event"] == "bfb_info" and i["kind"] == "fw", i["kind"]
assert all({"index", "offset", "id", "name", "description", "version", "length", "crc", "crc_ok", "following"} <= set(m) for m in i["images"])
assert i["images"][0]["offset"] == 0 and all(m["crc_ok"] for m in i["images"])
assert {"name": "BF3_NIC_FW", "version": "32.41.1000"} in i["components"]
assert e[-1]["event"] == "result" and e[-1]["ok"]
PY
CHECK
expect_rc 3 "info on a damaged bundle exits 3" "$BFCTL" bfb info bad.bfb
ok "info marks the bad CRC" grep -q 'BAD' "$TMP/rc.out"
expect_rc 0 "info on a boot-only bundle" "$BFCTL" bfb info g2.bfb
ok "info: kind boot" grep -q 'kind boot' "$TMP/rc.out"

# --- unpack --------------------------------------------------------------------
expect_rc 0 "unpack" "$BFCTL" bfb unpack withcfg.bfb -C out
ok "unpack: name-vN files and trailing.bin" - <<'CHECK'
[ -f out/bl31-v0 ] && [ -f out/boot-args-v2 ] && [ -f out/initramfs-v0 ] && cmp -s out/trailing.bin "$top_srcdir/bfcfg/examples/demo.cfg"
CHECK
ok "unpack: image bytes without padding" grep -q 'console=hvc0' out/boot-args-v2
expect_rc 8 "unpack refuses to overwrite" "$BFCTL" bfb unpack withcfg.bfb -C out
expect_rc 0 "unpack --force overwrites" "$BFCTL" bfb unpack withcfg.bfb -C out --force
ln -sf /tmp/bfctl-should-not-exist out2-link
mkdir -p out2 && ln -sf "$TMP/victim" out2/bl2-v0
expect_rc 0 "unpack --force into a directory holding a symlink" "$BFCTL" bfb unpack g1.bfb -C out2 --force
ok "a symlink in the directory is not followed" [ ! -e "$TMP/victim" ]
expect_rc 3 "unpack of a damaged bundle" "$BFCTL" bfb unpack bad.bfb -C out3
ok "a damaged bundle writes nothing" [ -z "$(ls -A out3 2>/dev/null)" ]
cat g2.bfb g2.bfb > dup.bfb
"$BFCTL" bfb unpack dup.bfb -C out5 >/dev/null 2>&1
ok "a repeated name and version is written as NAME-vN.1" - <<'CHECK'
[ -f out5/bl31-v0 ] && [ -f out5/bl31-v0.1 ]
CHECK

done_testing
