# needs.sh - what the integration tests ask of the machine and of JSON
# output, in one place. Sourced by lib.sh, and by the scripts that decide
# to skip or re-run themselves under bfsim before they source lib.sh.

# True as root with FUSE (/dev/fuse and fusermount3): what rshimd and
# bfsim's PCI transport need.
have_root_fuse() {
	[ "$(id -u)" = 0 ] && [ -c /dev/fuse ] && command -v fusermount3 >/dev/null
}

# json_field FILE KEY.PATH -- the value at KEY.PATH (dots; numbers index
# arrays) in the first JSON line of FILE; fails when it is not there.
json_field() {
	python3 -c 'import json,sys
d=json.loads(open(sys.argv[1]).readline())
for k in sys.argv[2].split("."):
    d=d[int(k)] if isinstance(d,list) else d[k]
print(d)' "$1" "$2"
}
