#!/bin/bash
# The s390-tools lock (/run/lock/s390apconfig.lock) between virt-mdev and IBM's own tools,
# inside 'virt-mdev-sim run' (its /run/lock is private): after every AP command of
# virt-mdev (and after a refusal and a rollback) lszdev --type ap and lszcrypt answer at
# once; virt-mdev waits for a lock that chzdev, ap-check (for its parent, as mdevctl runs it)
# or a plain PID-lock holder has, names it, changes nothing meanwhile and goes on when it is
# given back; lszdev and chzdev wait for virt-mdev's lock the same way (no lost update);
# stale locks are recovered; the wait is bounded (--lock-timeout) and a timeout, also in the
# middle of a plan, changes nothing; only AP steps take the lock.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
. "$top_srcdir/tests/sim/lib-s390tools.sh"
need_root_fuse
need_s390_tools lszdev chzdev lszcrypt ap-check
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"
private_run # libvirt's test driver (assign, unassign) would make /run/libvirt/common

tmp=$(cd "$(mktemp -d)" && pwd -P)
trap 'rm -rf "$tmp"' EXIT
# no libvirt daemon for the commands without -c: never the machine's own libvirt
export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$tmp/no-libvirtd-sock"
cp "$top_srcdir/tests/golden/plans/domains.xml" "$tmp/domains.xml"
: >"$tmp/faults"
L=/run/lock/s390apconfig.lock
A=aaaaaaaa-2222-4333-8444-000000000001 # in guest-dev of domains.xml
ALL=0x$(printf 'f%.0s' $(seq 64))
NO5=0xfb$(printf 'f%.0s' $(seq 62))   # apmask without adapter 5
NO56=0xf9$(printf 'f%.0s' $(seq 62))  # without adapters 5 and 6

# what every scenario script starts with
{
	s390tools_preamble
	cat <<EOF
T="$tmp"
L="$L"
A="$A"
DOMS="test://$tmp/domains.xml"
EOF
	cat <<'EOF'
masks() { echo "masks: $(cat /sys/bus/ap/apmask) $(cat /sys/bus/ap/aqmask)"; }
lock() { if [ -e "$L" ]; then echo "lock: held, '$(cat "$L")'"; else echo "lock: free"; fi; }
# wait_for FILE ERE: until a line of FILE matches (at most 10 s)
wait_for() {
	for _ in $(seq 200); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "gave up waiting for '$2' in $1"
	return 1
}
# ms CMD...: run it, print its exit code and whether it answered at once (within 2 s)
ms() {
	local t0 t1 r
	t0=$(date +%s%N)
	timeout 30 "$@" >/dev/null 2>&1
	r=$?
	t1=$(date +%s%N)
	if [ $(((t1 - t0) / 1000000)) -lt 2000 ]; then echo "$r, at once"; else echo "$r, after $(((t1 - t0) / 1000000)) ms"; fi
}
# after NAME CMD...: run a virt-mdev command, then what the s390-tools see
after() {
	local name=$1 r
	shift
	"$@" >"$T/out" 2>"$T/err"
	r=$?
	echo "== $name"
	echo "exit $r"
	lock
	echo "lszdev: $(ms "$B/lszdev" --type ap)"
	echo "lszcrypt: $(ms "$B/lszcrypt")"
}
EOF
} >"$tmp/common.sh"

# scenario NAME [RUN OPTIONS]: run $tmp/NAME.sh (common.sh first) in a fresh simulator
scenario() {
	local name=$1
	shift
	cat "$tmp/common.sh" - >"$tmp/$name.sh"
	run timeout 240 "$VIRT_MDEV_SIM" run --host "$DEMO_HOST" "$@" -- bash "$tmp/$name.sh"
	[ "$rc" = 0 ] || { diag "$name: exit $rc, stderr:" "$err"; }
}
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }

# ---- after every AP command the lock is free: lszdev and lszcrypt answer at once ----
scenario every --faults "$tmp/faults" <<'EOF'
after "ap reserve" "$V" ap reserve 05.0004 05.00ab
after "create ap (sysfs)" "$V" --backend sysfs create ap --adapters 5 --domains 4 --uuid 11111111-0000-4000-8000-000000000001
after "stop" "$V" --backend sysfs stop 11111111-0000-4000-8000-000000000001
after "create ap --define (sysfs)" "$V" --backend sysfs create ap --adapters 5 --domains 4 --uuid 11111111-0000-4000-8000-000000000002 --define
after "stop a defined mdev" "$V" --backend sysfs stop 11111111-0000-4000-8000-000000000002
after "start" "$V" --backend sysfs start 11111111-0000-4000-8000-000000000002
after "remove --undefine" "$V" --backend sysfs remove --undefine 11111111-0000-4000-8000-000000000002
after "create ap refused (an APQN the host keeps)" "$V" --backend sysfs create ap --adapters 6 --domains 0x47
echo "devices/vfio_ap/matrix/*/ap_config 1 EIO" >"$T/faults"
after "create ap failing (rolled back)" "$V" --backend sysfs create ap --adapters 5 --domains 4 --uuid 11111111-0000-4000-8000-000000000003
: >"$T/faults"
# to guest-dev, whose definition names $A already (one mdev serves one guest: guest-off would be refused)
after "assign ap" "$V" -c "$DOMS" --backend sysfs assign guest-dev ap --adapters 5 --domains 0xab --uuid "$A"
after "unassign" "$V" -c "$DOMS" --backend sysfs unassign guest-dev "$A"
after "ap release" "$V" ap release 05.0004 05.00ab
echo "== end"
masks
EOF
is "$rc" 0 "the commands run"
for step in "ap reserve" "create ap (sysfs)" "stop" "create ap --define (sysfs)" "stop a defined mdev" "start" \
	"remove --undefine" "assign ap" "unassign" "ap release"; do
	is "$(section "$step")" "exit 0
lock: free
lszdev: 0, at once
lszcrypt: 0, at once" "$step: exit 0, no lock file left, lszdev --type ap and lszcrypt answer at once"
done
is "$(section "create ap refused (an APQN the host keeps)")" "exit 4
lock: free
lszdev: 0, at once
lszcrypt: 0, at once" "a refusal (exit 4) leaves no lock: it never took it"
is "$(section "create ap failing (rolled back)")" "exit 1
lock: free
lszdev: 0, at once
lszcrypt: 0, at once" "a failed step, rolled back (exit 1): the lock is given back"
has_line "$out" "masks: $ALL $ALL" "the host has its masks back at the end"

# ---- virt-mdev waits for the holder, names it, changes nothing meanwhile, goes on after ----
# the scenario script of holder HOLD: HOLD starts a holder in the background and sets hp,
# RELEASE gives the lock back
holder_scenario() {
	cat <<EOF
rm -f "\$T/go"
mkfifo "\$T/go"
$1
for _ in \$(seq 200); do [ -s "\$L" ] && break; sleep 0.05; done
echo "holder: \$hp"
echo "lock pid: \$(cat "\$L")"
"\$V" ap reserve 05.0004 --lock-timeout 30 >"\$T/vm.out" 2>"\$T/vm.err" &
vp=\$!
wait_for "\$T/vm.err" "waiting for"
sleep 0.5
echo "== while waiting"
cat "\$T/vm.err"
masks
kill -0 \$vp 2>/dev/null && echo "virt-mdev: still waiting"
echo "== release"
$2
wait \$vp
r=\$?
echo "== after"
echo "exit \$r"
cat "\$T/vm.err"
masks
lock
EOF
}
# waited HOLDER_COMM: the assertions of a holder scenario
waited() {
	local hp what=$1
	hp=$(printf '%s\n' "$out" | sed -n 's/^holder: //p')
	is "$(printf '%s\n' "$out" | sed -n 's/^lock pid: //p')" "$hp" "$what: the lock holds the holder's PID"
	is "$(section "while waiting")" "virt-mdev: waiting for the s390-tools AP configuration lock $L: PID $hp ($2) holds it (at most 30 s, --lock-timeout)
masks: $ALL $ALL
virt-mdev: still waiting" "$what: virt-mdev says it waits, naming PID $hp ($2), and has changed nothing"
}

scenario pid-holder <<EOF
$(holder_scenario 'sh -c '\''echo $$ >"$1.tmp" && ln "$1.tmp" "$1" && rm "$1.tmp" && read x <"$2" && rm "$1"'\'' holder "$L" "$T/go" &
hp=$!' 'echo >"$T/go"; wait $hp')
EOF
waited "a PID-lock holder (util_lockfile's way, by hand)" sh
is "$(section after)" "exit 0
virt-mdev: waiting for the s390-tools AP configuration lock $L: PID $(printf '%s\n' "$out" | sed -n 's/^holder: //p') (sh) holds it (at most 30 s, --lock-timeout)
masks: $NO5 $ALL
lock: free" "a PID-lock holder: virt-mdev goes on when it is given back, and gives its own back"

scenario ap-check-holder <<EOF
$(holder_scenario 'sh -c '\''echo "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[]}" |
	"$2" -t vfio_ap-passthrough -e pre -a start -s none -u 33333333-0000-4000-8000-000000000001 -p matrix &&
	read x <"$1" &&
	"$2" -t vfio_ap-passthrough -e post -a start -s success -u 33333333-0000-4000-8000-000000000001 -p matrix'\'' holder "$T/go" "$B/ap-check" &
hp=$!' 'echo >"$T/go"; wait $hp; echo "ap-check post: $?"')
EOF
waited "ap-check's pre-start callout, for its parent" sh
is "$(section after)" "exit 0
virt-mdev: waiting for the s390-tools AP configuration lock $L: PID $(printf '%s\n' "$out" | sed -n 's/^holder: //p') (sh) holds it (at most 30 s, --lock-timeout)
masks: $NO5 $ALL
lock: free" "ap-check: virt-mdev goes on after its post callout gave the lock back"
has_line "$out" "ap-check post: 0" "ap-check's post callout released its lock"

# chzdev holds the lock while it reads the persistent masks: a FIFO there keeps it reading
scenario chzdev-holder <<EOF
$(holder_scenario 'mkfifo /etc/udev/rules.d/41-ap.rules
"$B/chzdev" --type ap apmask=-6 >"$T/chzdev.out" 2>&1 &
hp=$!' 'exec 3>/etc/udev/rules.d/41-ap.rules; rm /etc/udev/rules.d/41-ap.rules; exec 3>&-; wait $hp; echo "chzdev: $?"')
EOF
waited "chzdev (reading the persistent AP masks)" chzdev
is "$(section after | sed -n '1p;$p')" "exit 0
lock: free" "chzdev: virt-mdev goes on when chzdev is done"
has_line "$out" "chzdev: 0" "chzdev's change went through"
has_line "$out" "masks: $NO56 $ALL" "both changes are there: chzdev's adapter 6 and virt-mdev's adapter 5 (05.0004 takes adapter 5 alone, aqmask untouched)"

# ---- the other way: while virt-mdev holds the lock, lszdev and chzdev wait for it ----
if command -v strace >/dev/null; then
	scenario virt-mdev-holds <<'EOF'
# strace holds virt-mdev's write to apmask for 1.5 s: virt-mdev has the lock meanwhile (in a
# sanitizer build, LeakSanitizer refuses to run under ptrace and would fail the exit: off here)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -o /dev/null -P /sys/bus/ap/apmask -e trace=write -e inject=write:delay_enter=1500000 \
	"$V" -q ap reserve 05.0004 >"$T/vm.out" 2>&1 &
sp=$!
for _ in $(seq 200); do [ -s "$L" ] && break; sleep 0.02; done
echo "holder: $(cat "/proc/$(cat "$L")/comm")"
"$B/lszdev" --type ap >"$T/lszdev.out" 2>&1 &
lp=$!
"$B/chzdev" --type ap apmask=-6 -a >"$T/chzdev.out" 2>&1 &
cp=$!
sleep 0.5
kill -0 $lp 2>/dev/null && echo "lszdev: waiting"
kill -0 $cp 2>/dev/null && echo "chzdev: waiting"
wait $sp; echo "virt-mdev: $?"
wait $lp; echo "lszdev: $?"
wait $cp; echo "chzdev: $?"
grep apmask "$T/lszdev.out"
masks
lock
EOF
	# lszdev may come before or after chzdev: either way it shows adapter 5 gone
	like "$out" "holder: virt-mdev
lszdev: waiting
chzdev: waiting
virt-mdev: 0
lszdev: 0
chzdev: 0
  apmask     \"0-4,(6|7)-255\"  -
masks: $NO56 $ALL
lock: free" "lszdev and chzdev wait while virt-mdev holds the lock; lszdev then shows virt-mdev's apmask and chzdev's change adds to it (no lost update)"
else
	skip "strace is not installed (apt-get install strace)" "lszdev and chzdev wait while virt-mdev holds the lock"
fi

# ---- stale locks, the bounded wait, its message, -q and -j ----
scenario stale <<'EOF'
sh -c 'exit 0' &
dead=$!
wait $dead
echo "dead: $dead"
echo "== dead pid"
printf '%s\n' "$dead" >"$L"
"$V" ap reserve 05.0004 2>&1 >/dev/null
echo "exit $?"
lock
"$V" -q ap release 05.0004
echo "== old empty"
: >"$L"
touch -d '-3 minutes' "$L"
"$V" ap reserve 05.0004 2>&1 >/dev/null
echo "exit $?"
lock
"$V" -q ap release 05.0004
echo "== young empty"
: >"$L"
"$V" ap reserve 05.0004 --lock-timeout 1 2>&1 >/dev/null
echo "exit $?"
masks
lock
rm -f "$L"
sleep 300 &
hp=$!
printf '%s\n' "$hp" >"$L"
echo "== timeout"
echo "holder: $hp"
"$V" ap reserve 05.0004 --lock-timeout 1 2>&1 >/dev/null
echo "exit $?"
masks
lock
echo "== timeout 0"
echo "took $(ms "$V" ap reserve 05.0004 --lock-timeout 0)"
echo "== quiet"
"$V" -q ap reserve 05.0004 --lock-timeout 1 2>&1 >/dev/null
echo "exit $?"
echo "== json"
"$V" -j ap reserve 05.0004 --lock-timeout 1 2>"$T/err" | jq -r '[.changed, ([.steps[].status] | join(",")), .error.exit_code] | @tsv'
cat "$T/err"
echo "== end"
kill $hp
EOF
dead=$(printf '%s\n' "$out" | sed -n 's/^dead: //p')
hp=$(printf '%s\n' "$out" | sed -n 's/^holder: //p')
is "$(section "dead pid")" "virt-mdev: note: removed the stale s390-tools AP configuration lock $L: its PID $dead no longer runs
exit 0
lock: free" "a lock whose PID no longer runs is removed, said, and taken; then given back"
is "$(section "old empty")" "virt-mdev: note: removed the stale s390-tools AP configuration lock $L: it had no PID in it for more than 120 s
exit 0
lock: free" "an empty lock file older than 120 s is stale too"
is "$(section "young empty")" "virt-mdev: waiting for the s390-tools AP configuration lock $L: a process that has not written its PID into it yet (an empty lock file, stale 120 s after it was made) holds it (at most 1 s, --lock-timeout)
virt-mdev: cannot take the s390-tools AP configuration lock $L: a process that has not written its PID into it yet (an empty lock file, stale 120 s after it was made) held it for all of the 1 s --lock-timeout allows (let it finish, or give --lock-timeout more seconds); nothing was changed
exit 1
masks: $ALL $ALL
lock: held, ''" "a young empty lock file is being written: virt-mdev waits for it, then fails (exit 1), changes nothing and leaves it"
is "$(section timeout)" "holder: $hp
virt-mdev: waiting for the s390-tools AP configuration lock $L: PID $hp (sleep) holds it (at most 1 s, --lock-timeout)
virt-mdev: cannot take the s390-tools AP configuration lock $L: PID $hp (sleep) held it for all of the 1 s --lock-timeout allows (let it finish, or give --lock-timeout more seconds); nothing was changed
exit 1
masks: $ALL $ALL
lock: held, '$hp'" "a holder that does not let go: after --lock-timeout, exit 1 naming PID and command, nothing changed, its lock left alone"
is "$(section "timeout 0")" "took 1, at once" "--lock-timeout 0 fails at once"
is "$(section quiet)" "virt-mdev: cannot take the s390-tools AP configuration lock $L: PID $hp (sleep) held it for all of the 1 s --lock-timeout allows (let it finish, or give --lock-timeout more seconds); nothing was changed
exit 1" "-q: the wait is not said, the failure is"
is "$(section json)" "false	not-run	1
virt-mdev: waiting for the s390-tools AP configuration lock $L: PID $hp (sleep) holds it (at most 1 s, --lock-timeout)
virt-mdev: cannot take the s390-tools AP configuration lock $L: PID $hp (sleep) held it for all of the 1 s --lock-timeout allows (let it finish, or give --lock-timeout more seconds); nothing was changed" \
	"-j: the JSON document says changed false, the step not run, exit code 1; the wait and the error go to stderr"

# ---- a timeout in the middle of a plan: what ran before is undone ----
scenario mid-plan <<'EOF'
"$V" -q ap reserve 05.0004 05.00ab
"$V" -q --backend sysfs create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid "$A"
before=$(masks; ls /sys/bus/mdev/devices)
sleep 300 &
hp=$!
printf '%s\n' "$hp" >"$L"
echo "holder: $hp"
"$V" -c "$DOMS" --backend sysfs unassign guest-dev "$A" --lock-timeout 1 >"$T/out" 2>"$T/err"
echo "exit $?"
cat "$T/out" "$T/err"
[ "$before" = "$(masks; ls /sys/bus/mdev/devices)" ] && echo "the host is as before"
kill $hp
rm -f "$L"
EOF
hp=$(printf '%s\n' "$out" | sed -n 's/^holder: //p')
is "$out" "holder: $hp
exit 1
done: detach mdev $A from domain guest-dev (persistent definition)
note: this libvirt driver cannot detach devices (this function is not supported by the connection driver: virDomainDetachDeviceFlags); the device was removed from the persistent definition instead (dumpxml, edit, define)
virt-mdev: waiting for the s390-tools AP configuration lock $L: PID $hp (sleep) holds it (at most 1 s, --lock-timeout)
virt-mdev: cannot take the s390-tools AP configuration lock $L: PID $hp (sleep) held it for all of the 1 s --lock-timeout allows (let it finish, or give --lock-timeout more seconds); undone: detach mdev $A from domain guest-dev (persistent definition)
the host is as before" "unassign: the detach (a libvirt call) ran without the lock; the lock for the AP steps timed out; the detach was undone, exit 1, the host as before"

# ---- only AP work takes the lock: ccw commands, dry runs and nothing-to-do do not wait ----
scenario only-ap <<'EOF'
"$V" -q ap reserve 05.0004
sleep 300 &
hp=$!
printf '%s\n' "$hp" >"$L"
echo "ccw bind: $(ms "$V" ccw bind 0.0.2b09)"
echo "create ccw: $(ms "$V" --backend sysfs create ccw 0.0.2b09)"
echo "dry run of ap reserve: $(ms "$V" -n ap reserve 05.0004)"
echo "dry run of create ap: $(ms "$V" -n --backend sysfs create ap --adapters 5 --domains 4)"
echo "ap reserve of what is free: $(ms "$V" ap reserve 05.0004)"
kill $hp
rm -f "$L"
EOF
is "$out" "ccw bind: 0, at once
create ccw: 0, at once
dry run of ap reserve: 0, at once
dry run of create ap: 0, at once
ap reserve of what is free: 0, at once" \
	"while another process holds the lock, ccw commands, dry runs and a plan with nothing to do run at once"

done_testing
