#!/bin/bash
# rshimd_console.sh - the console of a device is a terminal: the terminal
# programs operators use (screen, picocom, minicom, cu) attach to it
# unmodified, driven in tmux (send-keys, capture-pane); output printed
# while nobody is attached is replayed to whoever attaches, within the
# ring; a flood nobody reads does not stop the DPU; what a program leaves
# on the line (VMIN 0, exclusive mode) is undone when it leaves, so that
# cat and echo keep working.
if [ -z "${RSHIMD_TEST_INNER:-}" ]; then
	. "$(dirname "$0")/needs.sh"
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if ! have_root_fuse; then
		echo "1..0 # SKIP rshimd needs root and FUSE (/dev/fuse, fusermount3)"
		exit 0
	fi
	if ! command -v tmux >/dev/null; then
		echo "1..0 # SKIP tmux is not installed (scripts/install-deps)"
		exit 0
	fi
	export RSHIMD_TEST_INNER=1
	exec "$top_builddir/src/sim/bfsim" run --speed "${BFSIM_TEST_SPEED:-50}" -- bash "$0"
fi
. "$(dirname "$0")/lib.sh"

RSHIMD="$top_builddir/src/rshimd/rshimd"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
export BFCTL_RUNDIR="$TMP/run" BFCTL_RSHIM_ROOT="$TMP/dev" TERM=xterm SCREENDIR="$TMP/screens"
mkdir -p "$TMP/dev"   # --root must exist
mkdir -m 700 "$SCREENDIR"
D="$TMP/dev/rshim0"
PIDF="$TMP/rshimd.pid"
tm() { tmux -S "$TMP/tmux.sock" "$@"; }
trap 'tm kill-server 2>/dev/null; stop_pidfile "$PIDF"
	[ "$T_FAILED" = 0 ] || sed "s/^/# rshimd: /" "$TMP/rshimd.log" 2>/dev/null | tail -40; rm -rf "$TMP"' EXIT

# pane_has SESSION TEXT: the session's screen shows TEXT within 20 s.
pane_has() {
	local i
	for i in $(seq 200); do
		tm capture-pane -t "$1" -p > "$TMP/pane" 2>/dev/null && grep -qF -- "$2" "$TMP/pane" && return 0
		sleep 0.1
	done
	sed 's/^/# pane: /' "$TMP/pane"
	return 1
}
# pane_line SESSION LINE: a line of the screen is exactly LINE (trailing blanks aside).
pane_line() {
	local i
	for i in $(seq 200); do
		tm capture-pane -t "$1" -p | sed 's/ *$//' > "$TMP/pane" && grep -qxF -- "$2" "$TMP/pane" && return 0
		sleep 0.1
	done
	sed 's/^/# pane: /' "$TMP/pane"
	return 1
}
# gone SESSION: the tmux session has ended and no process but rshimd still
# holds the console (a terminal program's leftover process would take the
# bytes the next reader waits for).
gone() {
	local i
	for i in $(seq 100); do tm has-session -t "$1" 2>/dev/null || break; sleep 0.1; done
	for i in $(seq 100); do
		fuser "$D/console" 2>/dev/null | tr -s ' ' '\n' | grep -v -x -e '' -e "$(cat "$PIDF")" >/dev/null || return 0
		sleep 0.1
	done
	echo "# still holding $D/console: $(fuser "$D/console" 2>&1)"
	return 1
}
line_is() { stty -F "$D/console" -a | tr -s ' ;\n' '\n' | grep -qx -- "$1"; }
# The DPU prints a new login prompt: what it printed while nobody was attached.
new_banner() { printf 'SW_RESET 1\n' > "$D/misc"; }

check "rshimd starts" "$RSHIMD" --root "$TMP/dev" -d sim:0 -n --config "$TMP/none.conf" \
	--pid-file "$PIDF" --log-file "$TMP/rshimd.log" -l 4
check "the DPU is installed through boot (cat bundle > boot)" sh -c "
	echo 'DISPLAY_LEVEL 2' > '$D/misc' && cat '$SAMPLE' > '$D/boot' &&
	for i in \$(seq 600); do grep -q 'DPU is ready' '$D/misc' && exit 0; sleep 0.2; done; exit 1"

# --- a terminal --------------------------------------------------------------------------
check "console is a symbolic link to a pty slave" sh -c "readlink '$D/console' | grep -qx '/dev/pts/[0-9]*' && [ -c '$D/console' ]"
check "console is a terminal (isatty, tcgetattr)" sh -c "[ -t 0 ] && stty -a >/dev/null" < "$D/console"
check "the line is raw by default: no echo, no CR/NL translation, no signals" \
	sh -c "$(declare -f line_is); D='$D'; line_is -echo && line_is -icanon && line_is -opost && line_is -icrnl && line_is -isig"

# --- screen, in tmux ---------------------------------------------------------------------
# The banner the DPU printed after the install, while nobody had the console open.
check "screen attaches to the console" tm new-session -d -s scr -x 100 -y 24 "screen '$D/console'"
check "screen shows the login prompt the DPU printed before anyone attached" pane_has scr 'localhost login:'
tm send-keys -t scr root Enter
check "typed in screen: the DPU's echo comes back once ('localhost login: root')" pane_line scr 'localhost login: root'
tm send-keys -t scr 'uname -a' Enter
check "a command line typed in screen reaches the DPU and its echo appears" pane_line scr 'uname -a'
tm send-keys -t scr C-a k y
check "screen ends (C-a k)" gone scr
check "after screen the line is as rshimd set it (raw, not exclusive)" \
	sh -c "$(declare -f line_is); D='$D'; line_is -echo && line_is min && line_is 1"

# --- echo and cat -------------------------------------------------------------------------
check "cat and echo keep working: echo > console, cat console gets the DPU's echo" sh -c "
	exec 3<'$D/console'; printf 'typed-by-echo\r' > '$D/console'
	timeout 20 grep -a -m1 -q typed-by-echo <&3"
# inotify merges two opens in a row into one event; a count kept from the
# events then takes the reader left after one close for gone.
check "two opens in a row, one closed: the other reader still gets the DPU's output" sh -c "
	exec 3<'$D/console' 4<'$D/console'; exec 4<&-; sleep 1
	printf 'second-reader\r' > '$D/console'
	timeout 20 grep -a -m1 -q second-reader <&3"

# --- picocom -----------------------------------------------------------------------------
if command -v picocom >/dev/null; then
	check "picocom attaches" tm new-session -d -s pico -x 100 -y 24 "picocom -q '$D/console'"
	sleep 0.5
	tm send-keys -t pico 'via-picocom' Enter
	check "picocom: the typed line comes back from the DPU" pane_line pico 'via-picocom'
	tm send-keys -t pico C-a C-x
	check "picocom ends (C-a C-x)" gone pico
	# picocom leaves VMIN 0 behind: a cat would end at once.
	check "after picocom the line is reset (VMIN 1: cat blocks for input)" \
		sh -c "$(declare -f line_is); D='$D'; line_is min && line_is 1 && line_is -echo"
else
	skip "picocom" "picocom is not installed (scripts/install-deps)"
fi

# --- minicom -----------------------------------------------------------------------------
if command -v minicom >/dev/null; then
	new_banner
	sleep 2
	check "minicom attaches" tm new-session -d -s mini -x 100 -y 24 "minicom -o -D '$D/console'"
	check "minicom shows the login prompt printed while nobody was attached" pane_has mini 'localhost login:'
	tm send-keys -t mini 'via-minicom' Enter
	check "minicom: the typed line comes back from the DPU" pane_has mini 'via-minicom'
	tm send-keys -t mini C-a x Enter
	check "minicom ends (C-a x)" gone mini
else
	skip "minicom" "minicom is not installed (scripts/install-deps)"
fi

# --- cu ----------------------------------------------------------------------------------
# cu gives up root for the uucp user; the console is root:dialout 0660 like a
# serial line, so it runs as an operator in the dialout group does.
if command -v cu >/dev/null && getent group dialout >/dev/null; then
	chmod 711 "$TMP"   # the path to the device directory, for the uucp user
	check "console is root:dialout, mode 0660, like a serial line" \
		sh -c "[ \"\$(stat -L -c '%U:%G %a' '$D/console')\" = 'root:dialout 660' ]"
	check "cu attaches (as a member of dialout)" tm new-session -d -s cu -x 100 -y 24 \
		"setpriv --groups dialout cu -l '$D/console' -s 115200"
	sleep 0.5
	tm send-keys -t cu 'via-cu' Enter
	check "cu: the typed line comes back from the DPU" pane_has cu 'via-cu'
	tm send-keys -t cu Enter '~.'
	check "cu ends (~.)" gone cu
else
	skip "cu" "cu or the dialout group is missing (scripts/install-deps)"
fi

# --- script: a program in a pty of its own reading the console ---------------------------
check "script(1) running cat on the console gets the DPU's echo" sh -c "
	( sleep 1; printf 'via-script\r' > '$D/console' ) &
	timeout 10 script -q -c \"cat '$D/console'\" /dev/null | grep -a -m1 -q via-script"

# --- output nobody reads -------------------------------------------------------------------
# 32 KiB typed while the reader is away (the DPU echoes every byte): rshimd
# keeps taking the DPU's output; the next reader gets at most the ring (4 KiB)
# plus what comes while it attaches, then what it types is echoed at once.
check "32 KiB typed with nobody reading" sh -c "
	head -c 32768 /dev/zero | tr '\\0' 'x' | fold -w 63 | sed 's/\$/\\r/' | tr -d '\\n' > '$D/console'"
sleep 3
check "the next reader gets a bounded backlog, then its own line" sh -c "
	exec 3<>'$D/console'; sleep 1; printf 'after-flood\r' >&3
	timeout 20 grep -a -m1 -b after-flood <&3 > '$TMP/flood'"
check "the backlog before it was at most the ring (4 KiB) and what came meanwhile" \
	sh -c "[ \$(cut -d: -f1 '$TMP/flood') -le 8192 ]"
check "rshimd still answers on misc" grep -q 'DEV_NAME' "$D/misc"

# Stopped means the process is gone (its last log lines are written after
# the files go away).
check "rshimd stops" sh -c "p=\$(cat '$PIDF') && kill \$p && for i in \$(seq 300); do
	[ -e '$D/misc' ] || kill -0 \$p 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
check "rshimd said how much console output nobody read was dropped" grep -q 'console bytes nobody read were dropped' "$TMP/rshimd.log"
done_testing
