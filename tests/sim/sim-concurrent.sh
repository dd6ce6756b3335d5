#!/bin/bash
# Concurrent runs on one device: many rounds of two truly parallel virt-mdev runs (started
# at one instant through a FIFO) against a mounted virt-mdev-sim, with a private libvirtd
# (QEMU driver) for the domains and the sysfs backend: two 'assign --persistent' for two
# domains, two 'ap reserve', two 'create ccw', two 'create ap'. One wins; the other is
# refused or has nothing (more) to do; never a success that the other's rollback destroys.
# The two assigns for two domains: the loser is always refused (exit 4, one mdev serves one
# guest), in every round.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
[ -x /usr/bin/qemu-system-s390x ] || skip_all "qemu-system-s390x is not installed (apt-get install qemu-system-misc)"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"
command -v jq >/dev/null || skip_all "jq is not installed (apt-get install jq)"
private_run
. "$top_srcdir/tests/sim/private-libvirtd.sh"

ROUNDS=${VIRT_MDEV_ROUNDS:-30}
tmp=$(mktemp -d)
trap 'sim_umount; libvirtd_stop; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/etc/driverctl.d" "$tmp/root/etc/mdevctl.d" "$tmp/root/run/lock"
libvirtd_start || { echo "Bail out! the private libvirtd did not start"; exit 1; }
export LIBVIRT_DEFAULT_URI=$uri
S=$tmp/root/sys
A=virt-mdev-demo
B=virt-mdev-demo-b
sim_mount "$S" --host "$DEMO_HOST"
vm() { "$VIRT_MDEV" --root "$tmp/root" --backend sysfs "$@"; }
hostdev_uuids() { virsh dumpxml --inactive "$1" | xmllint --xpath '//hostdev/source/address/@uuid' - 2>/dev/null | sed 's/ uuid="\([^"]*\)"/\1 /g; s/ $//'; }
snapshot() { { dump_tree "$S"; find "$tmp/root/etc" | sort; virsh dumpxml --inactive $A; virsh dumpxml --inactive $B; } >"$tmp/$1"; }

virsh define "$top_srcdir/xml-templates/domain-s390x-demo.xml" >/dev/null
sed "s|<name>$A</name>|<name>$B</name>|" "$top_srcdir/xml-templates/domain-s390x-demo.xml" >"$tmp/b.xml"
virsh define "$tmp/b.xml" >/dev/null
ok "$(virsh domstate $B >/dev/null 2>&1; echo $?)" "two s390x domains are defined ($A, $B)"

# together CMD1 -- CMD2: both started at one instant (each spins until $tmp/go exists, which is
# made once both spin), each one's stdout, stderr and exit code in $tmp/r1.* and $tmp/r2.*
together() {
	local a=() b=() p1 p2
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	rm -f "$tmp/go" "$tmp/ready1" "$tmp/ready2"
	(: >"$tmp/ready1"; while [ ! -e "$tmp/go" ]; do :; done; exec "${a[@]}" >"$tmp/r1.out" 2>"$tmp/r1.err") &
	p1=$!
	(: >"$tmp/ready2"; while [ ! -e "$tmp/go" ]; do :; done; exec "${b[@]}" >"$tmp/r2.out" 2>"$tmp/r2.err") &
	p2=$!
	while [ ! -e "$tmp/ready1" ] || [ ! -e "$tmp/ready2" ]; do sleep 0.01; done
	: >"$tmp/go"
	wait $p1; echo $? >"$tmp/r1.rc"
	wait $p2; echo $? >"$tmp/r2.rc"
}

# ---- the whole way in, twice at once, for two domains: assign ccw --persistent ----
snapshot initial
bad=0 refused=0
for round in $(seq "$ROUNDS"); do
	together "$VIRT_MDEV" --root "$tmp/root" --backend sysfs assign $A ccw 0.0.2b09 --persistent -- \
		"$VIRT_MDEV" --root "$tmp/root" --backend sysfs assign $B ccw 0.0.2b09 --persistent
	w=0 l=0 wd=$A ld=$B
	grep -q '^done: bind subchannel 0.0.0313 to vfio_ccw$' "$tmp/r1.out" && w=1 l=2
	grep -q '^done: bind subchannel 0.0.0313 to vfio_ccw$' "$tmp/r2.out" && { [ $w = 0 ] && w=2 l=1 wd=$B ld=$A || w=x; }
	why="round $round: one run binds ($w)"
	if [ "$w" = 0 ] || [ "$w" = x ] || [ "$(cat "$tmp/r$w.rc")" != 0 ]; then
		bad=$((bad + 1))
	else
		lrc=$(cat "$tmp/r$l.rc")
		uuid=$(hostdev_uuids $wd)
		def=$(ls "$tmp/root/etc/mdevctl.d/0.0.0313" 2>/dev/null)
		# the loser is refused, exit 4 (one mdev serves one guest: the winner's persistent
		# definition references it), before any step, naming the winner's domain; its domain
		# is left without a hostdev
		if [ "$lrc" = 4 ] && ! grep -q '^done:' "$tmp/r$l.out" && [ -z "$(hostdev_uuids $ld)" ] &&
			grep -q "^virt-mdev: cannot .*: libvirt domain $wd uses it" "$tmp/r$l.err"; then
			refused=$((refused + 1))
		else
			bad=$((bad + 1)) why="round $round: the loser exits $lrc: $(cat "$tmp/r$l.err" "$tmp/r$l.out" | tr '\n' ' ')"
		fi
		# the winner's work stands: binding, override, mdev with its definition, the domain's device
		if [ "$(readlink "$S/bus/css/devices/0.0.0313/driver" | sed 's|.*/||')" != vfio_ccw ] ||
			[ "$(cat "$S/bus/css/devices/0.0.0313/driver_override")" != vfio_ccw ] ||
			[ ! -e "$tmp/root/etc/driverctl.d/css-0.0.0313" ] ||
			[ -z "$uuid" ] || [ ! -e "$S/bus/mdev/devices/$uuid" ] || [ "$def" != "$uuid" ]; then
			bad=$((bad + 1)) why="round $round: the winner's state is not intact (uuid '$uuid', definition '$def')"
		fi
	fi
	[ "$bad" = 0 ] || break
	# back to the start: the winner's assignment undone
	vm -q unassign $wd 0.0.2b09
	snapshot now
	cmp -s "$tmp/initial" "$tmp/now" || { bad=$((bad + 1)) why="round $round: unassign did not restore the host"; break; }
done
is "$bad" 0 "$ROUNDS rounds of two parallel 'assign DOMAIN ccw 0.0.2b09 --persistent': one wins, its state intact ($why)"
is "$refused" "$ROUNDS" "in each round the other run was refused, exit 4, naming the winner's domain, before any step (never attached to the winner's mdev, never rolled back)"

# ---- ap reserve twice at once: one frees the APQNs, the other finds nothing to do ----
bad=0 why=""
for round in $(seq "$ROUNDS"); do
	together "$VIRT_MDEV" --root "$tmp/root" ap reserve 05.0004 -- "$VIRT_MDEV" --root "$tmp/root" ap reserve 05.0004
	outs="$(cat "$tmp/r1.rc") $(cat "$tmp/r2.rc") $(grep -c '^done:' "$tmp/r1.out" "$tmp/r2.out" | sed 's/.*://' | sort | tr '\n' ' ')$(cat "$tmp/r1.out" "$tmp/r2.out" | grep -c '^nothing to do')"
	if [ "$outs" != "0 0 0 1 1" ] || [ "$(cat "$S/bus/ap/apmask" | cut -c1-4)" != 0xfb ] ||
		[ "$(cat "$S/bus/ap/aqmask" | cut -c1-4)" != 0xff ]; then
		bad=1 why="round $round: rc rc done-counts nothing: $outs; apmask $(cut -c1-4 "$S/bus/ap/apmask")"
		break
	fi
	vm -q ap release 05.0004
done
is "$bad" 0 "$ROUNDS rounds of two parallel 'ap reserve 05.0004': one frees adapter 5 (the fewest queues: domain 4 stays the host's), the other has nothing to do ($why)"

# one_made KIND: in $tmp/r1.* and $tmp/r2.*, both exit 0, one made the one mdev of the host, the other found it
# made as asked; else why not, in $why
one_made() {
	local rcs n u made found
	rcs=$(cat "$tmp/r1.rc" "$tmp/r2.rc" | tr '\n' ' ')
	n=$(ls "$S/bus/mdev/devices" | wc -l)
	u=$(ls "$S/bus/mdev/devices")
	made=$(cat "$tmp/r1.out" "$tmp/r2.out" | grep -c "^done: create mdev $u ")
	found=$(cat "$tmp/r1.out" "$tmp/r2.out" | grep -c "^nothing to do: mdev $u exists as asked (active, not defined)$")
	[ "$rcs $n $made $found" = "0 0  1 1 1" ] && return 0
	why="exit codes $rcs, $n mdevs, $made made, $found found: $(cat "$tmp/r1.err" "$tmp/r2.err" | tr '\n' ' ')"
	return 1
}

# ---- create ccw twice at once on one subchannel: one mdev, the other has nothing to do ----
vm -q ccw bind 0.0.2b09
bad=0 why=""
for round in $(seq "$ROUNDS"); do
	together "$VIRT_MDEV" --root "$tmp/root" --backend sysfs create ccw 0.0.2b09 -- \
		"$VIRT_MDEV" --root "$tmp/root" --backend sysfs create ccw 0.0.2b09
	one_made || { bad=1 why="round $round: $why"; break; }
	vm -q remove "$(ls "$S/bus/mdev/devices")"
done
is "$bad" 0 "$ROUNDS rounds of two parallel 'create ccw 0.0.2b09': one makes the mdev, the other finds it made ($why)"
for u in $(ls "$S/bus/mdev/devices"); do vm -q remove "$u"; done
vm -q ccw unbind 0.0.2b09

# ---- create ap twice at once on the same APQNs: one mdev, the other has nothing to do ----
vm -q ap reserve 05.0004
bad=0 why=""
for round in $(seq "$ROUNDS"); do
	together "$VIRT_MDEV" --root "$tmp/root" --backend sysfs create ap --adapters 5 --domains 4 -- \
		"$VIRT_MDEV" --root "$tmp/root" --backend sysfs create ap --adapters 5 --domains 4
	one_made || { bad=1 why="round $round: $why"; break; }
	vm -q remove "$(ls "$S/bus/mdev/devices")"
done
is "$bad" 0 "$ROUNDS rounds of two parallel 'create ap --adapters 5 --domains 4': one makes the mdev, the other finds it made ($why)"
for u in $(ls "$S/bus/mdev/devices"); do vm -q remove "$u"; done
vm -q ap release 05.0004

snapshot final
ok "$(cmp -s "$tmp/initial" "$tmp/final"; echo $?)" "after all rounds the host and both domains are as at the start"

# ---- the lock's wait: a held lock is waited for, said, and bounded ----
exec {held}>"$tmp/root/run/lock/virt-mdev.lock"
flock "$held"
run vm ap reserve 05.0004 --lock-timeout 1
is "$rc" 4 "while another process holds virt-mdev's lock, a change waits --lock-timeout seconds, then exit 4"
is "$err" "virt-mdev: waiting for virt-mdev's lock $tmp/root/run/lock/virt-mdev.lock: another run changes the host (up to 1 s)
virt-mdev: cannot change the host: another virt-mdev run holds its lock $tmp/root/run/lock/virt-mdev.lock (waited 1 s; wait for it to end, or give --lock-timeout more seconds)" \
	"the wait is said, and the refusal names the lock and the fix"
is "$(cut -c1-4 "$S/bus/ap/apmask")" 0xff "nothing was changed"
run vm -n ap reserve 05.0004
is "$rc" 0 "a dry run takes no lock"
exec {held}>&-
run vm -q ap reserve 05.0004 --lock-timeout 1
is "$rc" 0 "once the holder gave it back, the change runs"
vm -q ap release 05.0004

sim_umount
done_testing
