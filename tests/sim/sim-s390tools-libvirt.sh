#!/bin/bash
# virt-mdev's libvirt backend with IBM's ap-check installed as mdevctl's callout, as on a real
# s390 host: a private libvirtd whose node-device driver runs the real mdevctl, which runs
# ap-check before and after each change of a vfio-ap mdev (ap-check takes the s390-tools lock
# for mdevctl). virt-mdev must never hold that lock across a libvirt call (ap-check would
# wait ~95 s for it and fail): create, define, autostart, stop, start, remove and
# assign/unassign of vfio-ap mdevs all go through at once, leave no lock behind, and
# lszdev --type ap answers after each; a refusal of ap-check reaches the user as one message,
# with what was undone.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
. "$top_srcdir/tests/sim/lib-s390tools.sh"
need_root_fuse
need_s390_tools ap-check lszdev chzdev
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
command -v mdevctl >/dev/null || skip_all "mdevctl is not installed"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	s390tools_preamble
	cat <<EOF
. "$top_srcdir/tests/sim/private-libvirtd.sh"
T="$tmp"
DOMAIN_XML="$top_srcdir/xml-templates/domain-s390x-demo.xml"
EOF
	cat <<'EOF'
trap libvirtd_stop EXIT
# the callout, where mdevctl looks for it (the simulator's private /etc/mdevctl.d)
cp "$B/ap-check" /etc/mdevctl.d/scripts.d/callouts/ap-check
libvirtd_start || exit 1
echo "== uri"
echo "$uri"
A=a2a2a2a2-0d3f-4b1a-9a39-3a6c1d7f0002
L=/run/lock/s390apconfig.lock
# vm NAME ARGS...: a virt-mdev command through libvirt (bounded: a lock held across a libvirt
# call would make ap-check wait ~95 s), its output, how long it took, and what s390-tools see
vm() {
	local name=$1 t0 t1 r
	shift
	echo "== $name"
	t0=$(date +%s%N)
	timeout 60 "$V" -c "$uri" --backend libvirt "$@" 2>&1
	r=$?
	t1=$(date +%s%N)
	echo "exit $r"
	[ $(((t1 - t0) / 1000000)) -lt 10000 ] && echo "in less than 10 s" || echo "took $(((t1 - t0) / 1000000)) ms"
	if [ -e "$L" ]; then echo "lock: held, '$(cat "$L")'"; else echo "lock: free"; fi
	t0=$(date +%s%N)
	timeout 30 "$B/lszdev" --type ap >/dev/null 2>&1
	r=$?
	t1=$(date +%s%N)
	echo "lszdev: $r$([ $(((t1 - t0) / 1000000)) -lt 2000 ] && echo ", at once")"
}
# mdevs: what sysfs and mdevctl have (libvirt's view is the lifecycle tests')
mdevs() {
	echo "sysfs: $(ls /sys/bus/mdev/devices | tr '\n' ' ')"
	echo "mdevctl: $(mdevctl list --defined | grep -v '^ ' | grep . | tr '\n' ' ')"
}
# libvirt learns of a started mdev from udev: wait until it lists it as wanted
settled() {
	for _ in $(seq 100); do
		[ "$(virsh -c "$uri" nodedev-list --cap mdev | grep -c mdev_)" = "$1" ] && return 0
		sleep 0.1
	done
}

vm "ap reserve" -q ap reserve 05.0004 05.00ab
vm "create (transient)" create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A
settled 1
mdevs
vm "stop (transient: gone)" stop $A
settled 0
vm "create --define" create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A --define
settled 1
vm "autostart" create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A --autostart
mdevs
vm "stop" stop $A
settled 0
vm "start" start $A
settled 1
vm "remove --undefine" remove --undefine $A
settled 0
mdevs
virsh -c "$uri" define "$DOMAIN_XML" >/dev/null
# back to the host: assign's plan then starts with the mask steps, under the lock, and goes on
# with libvirt's calls, which must not be
vm "ap release" -q ap release 05.0004 05.00ab
vm "assign --persistent" -q assign virt-mdev-demo ap --adapters 5 --domains 4,0xab --uuid $A --persistent
settled 1
mdevs
echo "hostdevs: $(virsh -c "$uri" dumpxml --inactive virt-mdev-demo | grep -c "<hostdev mode='subsystem' type='mdev'")"
vm "unassign" -q unassign virt-mdev-demo $A
settled 0
mdevs
echo "masks: $(cat /sys/bus/ap/apmask) $(cat /sys/bus/ap/aqmask)"

# ap-check refuses what virt-mdev lets through: an autostart of APQNs that chzdev's persistent
# masks keep for the host (virt-mdev does not read 41-ap.rules)
vm "ap reserve again" -q ap reserve 05.0004
"$B/chzdev" --type ap apmask=0-255 aqmask=0-255 -p >/dev/null 2>&1
vm "refused by ap-check" create ap --adapters 5 --domains 4 --uuid $A --autostart
settled 0
mdevs
echo "== end"
EOF
} >"$tmp/session.sh"

run timeout 600 "$VIRT_MDEV_SIM" run --udev -- bash "$tmp/session.sh"
is "$rc" 0 "the session runs to its end"
[ "$rc" = 0 ] || diag "stderr:" "$(printf '%s\n' "$err" | tail -20)"
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
A=a2a2a2a2-0d3f-4b1a-9a39-3a6c1d7f0002
NA=mdev_${A//-/_}_matrix
lvuri=$(section uri)
quick="in less than 10 s
lock: free
lszdev: 0, at once"

is "$(section "ap reserve")" "exit 0
$quick" "ap reserve: the lock was given back"
is "$(section "create (transient)")" "done: create transient mdev $A (vfio_ap-passthrough) on the vfio_ap matrix through libvirt
mdev $A: active, not defined
exit 0
$quick
sysfs: $A 
mdevctl: " "create ap through libvirt with ap-check as mdevctl's callout: done at once (nodedev-create, ap-check's start callouts), no lock left"
is "$(section "stop (transient: gone)")" "done: stop mdev $A through libvirt
mdev $A: gone
exit 0
$quick" "stop: nodedev-destroy (ap-check's stop callouts)"
is "$(section "create --define")" "done: define mdev $A (vfio_ap-passthrough) on the vfio_ap matrix through libvirt
done: start mdev $A through libvirt
mdev $A: active, defined, manual start
exit 0
$quick" "create --define: nodedev-define and nodedev-start (ap-check's define and start callouts)"
is "$(section autostart)" "done: start mdev $A at boot through libvirt
mdev $A: active, defined, autostart
exit 0
$quick
sysfs: $A 
mdevctl: $A matrix vfio_ap-passthrough auto (active) " "--autostart: nodedev-autostart (ap-check's modify callouts, which compare with the other autostart definitions)"
is "$(section stop)" "done: stop mdev $A through libvirt
mdev $A: inactive, defined, autostart
exit 0
$quick" "stop of a defined mdev"
is "$(section start)" "done: start mdev $A through libvirt
mdev $A: active, defined, autostart
exit 0
$quick" "start of a defined mdev"
is "$(section "remove --undefine")" "done: stop mdev $A through libvirt
done: undefine mdev $A through libvirt
mdev $A: gone
exit 0
$quick
sysfs: 
mdevctl: " "remove --undefine: nodedev-destroy and nodedev-undefine (ap-check's undefine callouts)"
is "$(section "ap release")" "exit 0
$quick" "ap release: the lock was given back"
is "$(section "assign --persistent")" "exit 0
$quick
sysfs: $A 
mdevctl: $A matrix vfio_ap-passthrough auto (active) 
hostdevs: 1" "assign ap --persistent: the mask steps under virt-mdev's lock, then libvirt's calls (and ap-check's) without it"
is "$(section unassign)" "exit 0
$quick
sysfs: 
mdevctl: 
masks: 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" \
	"unassign: detached, stopped, undefined through libvirt, the APQNs given back under the lock"
# ap-check would refuse this autostart device at nodedev-autostart (persistent masks); virt-mdev
# reads chzdev's 41-ap.rules itself now and refuses it before the first step, with the fix
is "$(section "refused by ap-check")" "virt-mdev: cannot start mdev $A at boot: APQN 05.0004 stays with the host's drivers after a boot, by the persistent masks of /etc/udev/rules.d/41-ap.rules (chzdev's); free it persistently first ('virt-mdev ap reserve --persistent --adapters 5 --domains 4', or 'chzdev --type ap apmask=-0x5 aqmask=-0x4 --persistent'), or leave out --autostart
exit 4
in less than 10 s
lock: free
lszdev: 0, at once
sysfs: 
mdevctl: " "an autostart device the persistent masks keep from starting at boot: refused before libvirt (and ap-check) is asked, naming the fix; nothing is left"

done_testing
