#!/bin/bash
# Interruption and recovery: assign and unassign of a ccw device and of APQNs (the sysfs
# backend on a mounted virt-mdev-sim, a private libvirtd with the QEMU driver for the
# domain), killed at every step of their plans. A step that is a sysfs write is killed while
# that write is in flight (the simulator's 'delay PATH N MS' fault holds it; FUSE keeps the
# writer until it is answered, so the kill lands in it); another step (a file, a libvirt
# call) is killed as soon as the journal says it runs. Then a change refuses naming the
# journal, 'recover' brings back the host and the domain byte for byte as before the run, a
# second 'recover' has nothing to do, and 'recover --complete' makes them as an
# uninterrupted run does. SIGTERM and SIGINT in flight: the step finishes, the done ones are
# undone, exit 1, no journal left.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
[ -x /usr/bin/qemu-system-s390x ] || skip_all "qemu-system-s390x is not installed (apt-get install qemu-system-misc)"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"
command -v jq >/dev/null || skip_all "jq is not installed (apt-get install jq)"
command -v strace >/dev/null || skip_all "strace is not installed (apt-get install strace)"
private_run
. "$top_srcdir/tests/sim/private-libvirtd.sh"

tmp=$(mktemp -d)
trap 'sim_umount; libvirtd_stop; rm -rf "$tmp"' EXIT
: >"$tmp/faults"
mkdir -p "$tmp/root/etc/driverctl.d" "$tmp/root/etc/mdevctl.d" "$tmp/root/run/lock"
libvirtd_start || { echo "Bail out! the private libvirtd did not start"; exit 1; }
export LIBVIRT_DEFAULT_URI=$uri
S=$tmp/root/sys
R=$tmp/root
J=$R/run/virt-mdev/journal.json
DOM=virt-mdev-demo
U=11111111-2222-4333-8444-00000000000c
UA=aaaaaaaa-2222-4333-8444-00000000000a
sim_mount "$S" --host "$DEMO_HOST" --faults "$tmp/faults"
vm() { "$VIRT_MDEV" --root "$R" --backend sysfs "$@"; }
# the whole host as a user would compare it: the simulated sysfs, mdevctl's and driverctl's
# files with their content, the domain's persistent XML
snapshot() {
	{
		dump_tree "$S"
		find "$R/etc" | sort
		find "$R/etc" -type f -print0 | sort -z | xargs -0r grep -H ''
		virsh dumpxml --inactive $DOM
	} >"$tmp/$1"
}
same() { cmp -s "$tmp/$1" "$tmp/$2"; }
virsh define "$top_srcdir/xml-templates/domain-s390x-demo.xml" >/dev/null

# steps CMD...: the plan's steps from the dry run, one a line: w PATH for a sysfs write (PATH
# below sys, as the simulator resolves it), f PATH for a file, c for a libvirt call
steps() {
	# (a file's command: its first line, without the "mkdir -p DIR && " before it, the
	# here-document after it, or the "&& rmdir DIR" after a delete)
	vm -n -j "$@" | jq -r --arg s "$S/" '.steps[].command | split("\n")[0] |
		sub("^mkdir -p [^ ]+ && "; "") | sub(" <<.*$"; "") |
		if startswith("virsh") then "c"
		elif startswith("rm -f ") then "f rm " + (.[6:] | split(" && ")[0])
		else (split(" > ") | last) as $p |
			if ($p | startswith($s)) then "w " + $p[($s | length):] else "f " + $p end
		end' | while read -r t p; do
		case $t in
		w) echo "w $(realpath -m --relative-to="$S" "$S/$p")" ;;
		*) echo "$t${p:+ $p}" ;;
		esac
	done
}

# wait_step K PID: until the journal says step K (from 1) runs or is done, or PID ended
wait_step() {
	local st
	for _ in $(seq 6000); do
		st=$(journal_merged 2>/dev/null | jq -r --argjson k "$1" '.steps[$k - 1].status' 2>/dev/null)
		[ "$st" = running ] || [ "$st" = done ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.005
	done
	return 1
}

# kill_at K SIGNAL CMD...: run CMD and send SIGNAL while its step K (from 1) is in flight;
# $rc, $out, $err of the run, $landed the step the journal says it was in (0: none). A sysfs
# write is held by the simulator's delay fault (the write is made: FUSE keeps the writer until
# the simulator answers); a file step by strace delaying the rename or unlink of its file (the
# kill comes first: the file is not changed); a libvirt call by the private libvirtd stopped
# (SIGSTOP) before it, during the delayed write of a step before it or as the journal appears.
kill_at() {
	local k=$1 sig=$2 pid types i w="" stop=0 t
	shift 2
	mapfile -t types < <(steps "$@")
	t=${types[k - 1]}
	rm -f "$tmp/pid" "$J.tmp"
	if [ "${t%% *}" = w ]; then
		echo "delay ${t#w } 1 600" >"$tmp/faults"
	elif [ "$t" = c ]; then
		stop=1
		for ((i = k - 1; i >= 1; i--)); do
			[ "${types[i - 1]%% *}" = w ] && { w=$i; break; }
		done
		[ -n "$w" ] && echo "delay ${types[w - 1]#w } 1 400" >"$tmp/faults"
	fi
	local puts=0 sel=()
	for ((i = 1; i < k; i++)); do
		case ${types[i - 1]} in
		"f rm "*) ;;
		f*) puts=$((puts + 1)) ;;
		esac
	done
	if [ "$stop" = 1 ] && [ -z "$w" ]; then
		# a call with no write before it (unassign's detach): the journal's record before the
		# step is held, and the daemon stopped while it is. The first record (step 1) writes
		# journal.json whole with rename(2) (its temporary file is there while it is held);
		# each later one appends to the progress file and fdatasync(2)s it (src/lib/journal.c:
		# a record after each step and before the next, so the one before step K is the
		# (2K-2)th), the step's line already there while the fdatasync is held
		if [ "$k" = 1 ]; then
			sel=(-e trace=rename -e inject=rename:delay_enter=500000:when=1)
		else
			sel=(-e trace=fdatasync -e inject=fdatasync:delay_enter=500000:when=$((2 * k - 2)))
		fi
	fi
	if [ ${#sel[@]} -gt 0 ] || [ "${t%% *}" = f ]; then
		# which renameat(2) of the run is a put's: each file put renames its new file into place
		# with renameat (src/lib/filestep.c), the journal with rename(2) (its first record only;
		# strace's inject counts each syscall apart); a delete is an unlinkat in its
		# file's directory (strace -P matches an *at call by its directory descriptor)
		case $t in
		"f rm "*) sel=(-P "$(dirname "${t#f rm }")" -e trace=unlinkat -e inject=unlinkat:delay_enter=600000) ;;
		f*) sel=(-e trace=renameat -e inject=renameat:delay_enter=600000:when=$((puts + 1))) ;;
		esac
		ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} strace -f -o /dev/null "${sel[@]}" \
			sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
			"$VIRT_MDEV" --root "$R" --backend sysfs "$@" >"$tmp/run.out" 2>"$tmp/run.err" &
		for _ in $(seq 1000); do [ -s "$tmp/pid" ] && break; sleep 0.005; done
		pid=$(cat "$tmp/pid")
	else
		"$VIRT_MDEV" --root "$R" --backend sysfs "$@" >"$tmp/run.out" 2>"$tmp/run.err" &
		pid=$!
	fi
	if [ "$stop" = 1 ]; then
		if [ -n "$w" ]; then wait_step "$w" $pid; elif [ "$k" = 1 ]; then
			for _ in $(seq 6000); do [ -e "$J.tmp" ] && break; sleep 0.005; done
		else
			wait_step "$k" $pid
		fi
		kill -STOP "$lv_pid"
	fi
	wait_step "$k" $pid
	sleep 0.2 # inside the held step
	kill -"$sig" $pid 2>/dev/null
	wait $!
	rc=$?
	if [ "$stop" = 1 ]; then
		kill -CONT "$lv_pid"
		sleep 0.3 # what the daemon got before the kill, it does now
	fi
	out=$(cat "$tmp/run.out")
	err=$(cat "$tmp/run.err")
	landed=$(journal_merged 2>/dev/null | jq -r '[.steps[].status] | index("running") // -1 | . + 1' 2>/dev/null || echo 0)
	: >"$tmp/faults"
}

# every_step NAME BEFORE AFTER CMD...: for each step K of CMD's plan (on the host as snapshot
# BEFORE holds it), SIGKILL at K: refused while journalled, 'recover' gives BEFORE, twice;
# SIGKILL at K again: 'recover --complete' gives AFTER, and BACK (the global) returns to BEFORE
every_step() {
	local name=$1 before=$2 after=$3 n k bad_rb=0 bad_c=0 why_rb="" why_c="" lost=0
	shift 3
	n=$(steps "$@" | wc -l)
	ok "$([ "$n" -ge 5 ]; echo $?)" "$name: the plan has $n steps, each is killed in turn"
	for k in $(seq "$n"); do
		kill_at "$k" KILL "$@"
		[ "$rc" = 137 ] && [ "$landed" = "$k" ] ||
			{ lost=$((lost + 1)); why_lost="$why_lost k=$k: exit $rc, in step $landed;"; }
		snapshot refused-before
		run vm ccw bind 0.0.2b0b
		local r1=$rc e1=$err
		snapshot refused-after
		if [ "$r1" != 4 ] || ! same refused-before refused-after ||
			[[ $e1 != "virt-mdev: cannot change the host: the run of 'virt-mdev --root $R --backend sysfs $*' (PID "*") ended before its plan did, and left the journal $J; 'virt-mdev recover' rolls it back, 'virt-mdev recover --complete' finishes it" ]]; then
			bad_rb=$((bad_rb + 1)) why_rb="$why_rb k=$k: the refusal: exit $r1: $e1;"
		fi
		run vm recover
		local r2=$rc o2=$out
		snapshot recovered
		run vm recover
		if [ "$r2" != 0 ] || ! same "$before" recovered ||
			[ "$rc $out" != "0 nothing to recover: no journal at $J" ]; then
			bad_rb=$((bad_rb + 1)) why_rb="$why_rb k=$k: recover exits $r2 ($o2), $(diff "$tmp/$before" "$tmp/recovered" | head -4 | tr '\n' ' ');"
			break
		fi
		kill_at "$k" KILL "$@"
		run vm recover --complete
		local r3=$rc o3=$out e3=$err
		snapshot completed
		if [ "$r3" != 0 ] || ! same "$after" completed || [ -n "$(journal_left)" ]; then
			bad_c=$((bad_c + 1)) why_c="$why_c k=$k: recover --complete exits $r3 ($o3 $e3), $(diff "$tmp/$after" "$tmp/completed" | head -4 | tr '\n' ' ');"
			break
		fi
		"${BACK[@]}" >/dev/null
		snapshot back
		same "$before" back || { bad_c=$((bad_c + 1)) why_c="$why_c k=$k: the way back did not restore the host;"; break; }
	done
	is "$lost" 0 "$name: each SIGKILL landed in its step ($why_lost)"
	is "$bad_rb" 0 "$name: at every step, a change is refused naming the journal and 'virt-mdev recover', which restores the host and the domain as before the run; a second recover has nothing to do ($why_rb)"
	is "$bad_c" 0 "$name: at every step, 'recover --complete' makes the host and the domain as the uninterrupted run does ($why_c)"
}

# signal_at K SIG NAME BEFORE CMD...: the step in flight finishes, the done ones are undone, exit 1
signal_at() {
	local k=$1 sig=$2 name=$3 before=$4 n
	shift 4
	n=$(steps "$@" | wc -l)
	kill_at "$k" "$sig" "$@"
	is "$rc" 1 "$name: $sig while step $k is in flight: exit 1"
	like "$err" "virt-mdev: interrupted by $sig before step $((k + 1)) of $n \\(.*\\); undone: .*" \
		"$name: the message says which signal stopped it before which step, and what was undone"
	has_line "$out" "done: $(vm -n -j "$@" | jq -r --argjson k "$k" '.steps[$k - 1].description' | sed 's/[][().*+?^$|\\]/\\&/g')" \
		"$name: the step in flight finished (its done: line is out, also into a file)"
	snapshot signalled
	ok "$(same "$before" signalled; echo $?)" "$name: the host and the domain are as before the run"
	ok "$([ -z "$(journal_left)" ]; echo $?)" "$name: no journal is left (nor its progress file)"
}

# ---- ccw: assign --persistent and unassign ----
snapshot ccw0
run vm assign $DOM ccw 0.0.2b09 --persistent --uuid $U
is "$rc" 0 "the uninterrupted assign ccw runs"
snapshot ccw1
run vm unassign $DOM 0.0.2b09
snapshot back
ok "$(same ccw0 back; echo $?)" "the uninterrupted unassign ccw brings the host back as before"
BACK=(vm unassign $DOM 0.0.2b09)
every_step "assign ccw --persistent" ccw0 ccw1 assign $DOM ccw 0.0.2b09 --persistent --uuid $U
signal_at 3 SIGTERM "assign ccw" ccw0 assign $DOM ccw 0.0.2b09 --persistent --uuid $U
signal_at 6 SIGINT "assign ccw" ccw0 assign $DOM ccw 0.0.2b09 --persistent --uuid $U
vm -q assign $DOM ccw 0.0.2b09 --persistent --uuid $U
BACK=(vm assign $DOM ccw 0.0.2b09 --persistent --uuid $U)
every_step "unassign ccw" ccw1 ccw0 unassign $DOM 0.0.2b09
signal_at 2 SIGHUP "unassign ccw" ccw1 unassign $DOM 0.0.2b09
vm -q unassign $DOM 0.0.2b09

# ---- ap: assign --persistent and unassign ----
# chzdev's rule with the masks as they are (what unassign gives the bits back to; without one,
# assign --persistent writes it and unassign keeps it, all bits back, as chzdev would)
vm -q ap release --persistent --adapters 5 --domains 4
snapshot ap0
run vm assign $DOM ap --adapters 5 --domains 4 --persistent --uuid $UA
is "$rc" 0 "the uninterrupted assign ap runs"
snapshot ap1
run vm unassign $DOM $UA
snapshot back
ok "$(same ap0 back; echo $?)" "the uninterrupted unassign ap brings the host back as before"
BACK=(vm unassign $DOM $UA)
every_step "assign ap --persistent" ap0 ap1 assign $DOM ap --adapters 5 --domains 4 --persistent --uuid $UA
signal_at 2 SIGTERM "assign ap" ap0 assign $DOM ap --adapters 5 --domains 4 --persistent --uuid $UA
vm -q assign $DOM ap --adapters 5 --domains 4 --persistent --uuid $UA
BACK=(vm assign $DOM ap --adapters 5 --domains 4 --persistent --uuid $UA)
every_step "unassign ap" ap1 ap0 unassign $DOM $UA
vm -q unassign $DOM $UA

# ---- the journal: its form, and one the run cannot have written ----
snapshot bind0
kill_at 3 KILL ccw bind 0.0.2b09 --persistent
is "$(journal_merged | jq -r '[.version, (.pid|type), (.starttime|type), (.argv|join(" ")), ([.steps[].status]|join(","))] | @tsv')" \
	"1	number	number	$VIRT_MDEV --root $R --backend sysfs ccw bind 0.0.2b09 --persistent	done,done,running,pending" \
	"the journal holds its version, the PID and its start time, the command line and each step's status"
run vm -n recover
is "$out" "# the journal $J of PID $(jq .pid "$J")
# done: unbind subchannel 0.0.0313 from io_subchannel
# done: set the driver override of subchannel 0.0.0313 to vfio_ccw
# running: bind subchannel 0.0.0313 to vfio_ccw
# pending: make the binding of subchannel 0.0.0313 persistent (driverctl override)" "recover -n lists the journal's steps, changing nothing"
jpid=$(jq .pid "$J")
run vm recover
is "$out" "undone: bind subchannel 0.0.0313 to vfio_ccw
undone: set the driver override of subchannel 0.0.0313 to vfio_ccw
undone: unbind subchannel 0.0.0313 from io_subchannel
recovered: the plan of 'virt-mdev --root $R --backend sysfs ccw bind 0.0.2b09 --persistent' (PID $jpid) is rolled back; the journal $J is removed" \
	"recover says each step it undid, the step in flight too (its write was made), and what it recovered"
snapshot ccwagain
ok "$(same bind0 ccwagain; echo $?)" "and the host is as before"
mkdir -p "$R/run/virt-mdev"
printf '{"version": 2}' >"$J"
refuse 4 "virt-mdev: the journal $J is unreadable \\(not a virt-mdev journal: no version 1\\): read it, undo what it says by hand, and remove it" \
	"a journal of another version" ccw bind 0.0.2b09
rm -f "$J"

sim_umount
done_testing
