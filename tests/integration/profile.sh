#!/bin/bash
# profile.sh - bfctl profile check: the shipped profiles check clean; a
# broken site profile that includes one gets each problem with its
# file:line:col and class, exit 3, and JSON events ending in a result.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

for f in "$top_srcdir"/profiles/*.yaml; do
	expect_rc 0 "shipped $(basename "$f") checks clean" "$BFCTL" profile check "$f"
done

mkdir site
cp "$top_srcdir/profiles/ovs-switchdev.yaml" "$TMP/base.yaml"
cat > site/site.yaml <<'YAML'
include: ../base.yaml
firmware:
  PF_TOTAL_SF: 1
dpu:
  eswich: legacy
  sfs:
    - { pf: 0, sfnum: 1 }
    - { pf: 0, sfnum: 2 }
  ovs:
    bridges:
      - name: ovsbr1
        ports: [ { rep: p0 }, bond0 ]
      - name: ovsbr2
        ports: [ bond0 ]
YAML
expect_rc 3 "a broken site profile: exit 3" "$BFCTL" profile check site/site.yaml
o="$TMP/rc.out"
check "unknown key with did-you-mean, at its position" \
	grep -q "^site/site.yaml:5:3: error: unknown key 'eswich' in dpu (did you mean 'eswitch'?) \[unknown_key\]" "$o"
check "SF count against PF_TOTAL_SF" \
	grep -q "^site/site.yaml:7:7: error: 2 SFs on one PF .*PF_TOTAL_SF >= 2, it is 1 \[cross_layer\]" "$o"
check "a port in two bridges" \
	grep -q "^site/site.yaml:14:18: error: port bond0 is already in bridge ovsbr1 (line 12) \[duplicate\]" "$o"
check "a summary line" grep -q "^site/site.yaml: 3 errors, 0 warnings" "$o"

expect_rc 3 "--json: exit 3" "$BFCTL" --json profile check site/site.yaml
check "JSON diagnostics carry class and path" \
	grep -q '"event":"profile_diag".*"line":5,"col":3,"severity":"error","class":"unknown_key","path":"dpu.eswich"' "$o"
check "JSON ends with a result" sh -c "tail -1 '$o' | grep -q '\"event\":\"result\".*\"exit_code\":3'"

printf 'include: loop2.yaml\n' > site/loop.yaml
printf 'include: [../base.yaml, loop.yaml]\n' > site/loop2.yaml
expect_rc 3 "an include cycle: exit 3" "$BFCTL" profile check site/loop.yaml
check "the cycle is named" grep -q "include cycle" "$TMP/rc.out"
expect_rc 3 "a missing file: exit 3" "$BFCTL" profile check nothere.yaml
expect_rc 2 "no FILE: usage" "$BFCTL" profile check
done_testing
