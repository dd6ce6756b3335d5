#!/bin/bash
# Survive the reboot: 'assign --persistent' (vfio-ccw and vfio-ap) and 'apply' of a persistent
# state file, 'validate --boot' and 'plan --boot' before, then a simulated reboot (a new
# 'virt-mdev-sim run --persist DIR --boot': a fresh host, the persistent configuration kept in
# DIR, the coldplug actions of chzdev's, driverctl's and mdevctl's udev rules done by the real
# programs, then a private libvirtd that autostarts the guest): the same subchannels bound, the
# same masks (lszdev --persistent agreeing), the mdevs active with the same APQNs, the guest's
# definition referencing active mdevs, and validate --boot's prediction is what the boot brings.
# A deliberately broken persistence (a transient binding under an autostart mdev; masks not
# persisted under an autostart vfio-ap mdev) is predicted, with its exact messages, and seen.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
. "$top_srcdir/tests/sim/lib-s390tools.sh"
need_root_fuse
need_s390_tools lszdev
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
[ -x /usr/bin/qemu-system-s390x ] || skip_all "qemu-system-s390x is not installed (apt-get install qemu-system-misc)"
command -v driverctl >/dev/null || skip_all "driverctl is not installed (apt-get install driverctl)"
command -v mdevctl >/dev/null || skip_all "mdevctl is not installed (apt-get install mdevctl)"
command -v jq >/dev/null || skip_all "jq is not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
U1=11111111-2222-4333-8444-000000000001
A1=aaaaaaaa-2222-4333-8444-000000000001
U2=11111111-2222-4333-8444-000000000002
A2=aaaaaaaa-2222-4333-8444-000000000002
DOM=virt-mdev-demo

# what both runs share: the private libvirtd, and the host as a user checks it
cat >"$tmp/lib.sh" <<SCRIPT
V="$VIRT_MDEV"; T="$tmp"; LSZ="$S390_TOOLS_BIN/lszdev"; DOM=$DOM
XML="$top_srcdir/xml-templates/domain-s390x-demo.xml"
. "$top_srcdir/tests/sim/private-libvirtd.sh"
SCRIPT
cat >>"$tmp/lib.sh" <<'SCRIPT'
libvirtd_start >&2 || { echo "libvirtd did not start"; exit 1; }
trap libvirtd_stop EXIT
vm() { "$V" -c "$uri" --backend sysfs "$@"; }
step() { echo "== $*"; }
# the host: bindings, masks (and chzdev's as lszdev reads them), mdevs with their APQNs and
# guests, the guest's persistent hostdevs, libvirt's active mdev node devices
state() {
	echo "vfio_ccw: $(ls /sys/bus/css/drivers/vfio_ccw | grep '^0\.' | tr '\n' ' ')"
	echo "apmask=$(cat /sys/bus/ap/apmask) aqmask=$(cat /sys/bus/ap/aqmask)"
	if [ -e /etc/udev/rules.d/41-ap.rules ]; then
		"$LSZ" --type ap --persistent 2>&1 | sed -n 's/^ *\(a.mask\)  *\(.*\)$/lszdev --persistent \1 \2/p'
	fi
	vm list mdev
	echo "hostdevs: $(virsh -c "$uri" dumpxml --inactive $DOM | xmllint --xpath '//hostdev/source/address/@uuid' - 2>/dev/null | tr -s ' \n' ' ')"
}
# libvirt's active mdev node devices, once its enumeration (a thread of its start) has them all
nodedevs() {
	local want got
	want=$(ls /sys/bus/mdev/devices | wc -l)
	for _ in $(seq 100); do
		got=$(virsh -c "$uri" nodedev-list --cap mdev | grep -c .)
		[ "$got" -ge "$want" ] && break
		sleep 0.1
	done
	virsh -c "$uri" nodedev-list --cap mdev | grep .
}
# what an object of validate --boot is after the boot, in its words (now, after_boot)
observe() {
	case $1 in
	"subchannel "*) basename "$(readlink "/sys/bus/css/devices/${1#subchannel }/driver")" ;;
	"AP masks") echo "apmask=$(cat /sys/bus/ap/apmask) aqmask=$(cat /sys/bus/ap/aqmask)" ;;
	"domain "*) # libvirtd's autostart of it failed (its log), else its state
		if grep -q "Failed to autostart VM '${1#domain }'" "$lv_priv/libvirtd.log"; then echo "fails to start"
		else virsh -c "$uri" domstate "${1#domain }"; fi ;;
	*)
		if [ -e "/sys/bus/mdev/devices/$1" ]; then echo active
		elif ls /etc/mdevctl.d/*/"$1" >/dev/null 2>&1; then echo "defined, not started"
		else echo absent; fi ;;
	esac
}
# libvirtd's autostart: it tries the guest as it starts; wait for its verdict in its log
autostarted() {
	for _ in $(seq 100); do
		grep -q "autostart VM '$DOM'" "$lv_priv/libvirtd.log" && break
		sleep 0.1
	done
	sed -n "s/.*error : qemuAutostartDomain:[0-9]* : //p" "$lv_priv/libvirtd.log"
	virsh -c "$uri" domstate $DOM --reason
}
SCRIPT

# ---- after the boot: the same script for every case ----
cat >"$tmp/after.sh" <<'SCRIPT'
. "$1/lib.sh"
step state
state
step nodedevs
nodedevs
step autostart
autostarted
step validate
vm validate; echo "rc=$?"
step boot
vm validate --boot >/dev/null 2>&1; echo "rc=$?"
step observed
if [ -e "$T/$2.objects" ]; then cat "$T/$2.objects"; else
	jq -r '(.problems + (.notes // []))[] | select(.after_boot != null) | .uuid // .object' "$T/$2.json"
fi | while read -r o; do echo "$o: $(observe "$o")"; done
SCRIPT
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
predicted() { jq -r '(.problems + (.notes // []))[] | select(.after_boot != null) | "\(.uuid // .object): \(.after_boot)"' "$tmp/$1.json"; }
persisted_ok() { # CASE: the checks after a boot of a host whose persistence holds
	is "$(section state)" "$(cat "$tmp/$1.state")" "$1: after the reboot the host is as before: the same subchannels bound to vfio_ccw, the same masks (lszdev --persistent agreeing), the mdevs active with the same APQNs, the guest's hostdevs"
	is "$(section nodedevs)" "mdev_${U1//-/_}_0_0_0313
mdev_${A1//-/_}_matrix" "$1: libvirt's node-device driver has both mdevs active after the boot"
	like "$(section autostart)" "internal error: Failed to autostart VM '$DOM': unsupported configuration: Mediated host device assignment requires VFIO support
shut off \(failed\)" "$1: libvirtd autostarted the guest itself, which stops at what x86 TCG lacks (VFIO), not at a missing mdev"
	is "$(section validate)" "2 mdevs checked, no problem found
rc=0" "$1: virt-mdev validate: the guest's definition references active mdevs (its start would find them)"
	is "$(section boot)" "rc=0" "$1: validate --boot still finds nothing after the boot"
}

# ---- 1. assign --persistent, vfio-ccw and vfio-ap ----
cat >"$tmp/assign.sh" <<SCRIPT
. "\$1/lib.sh"
step assign
virsh -c "\$uri" define "\$XML" >/dev/null
vm -q assign \$DOM ccw 0.0.2b09 --persistent --uuid $U1; echo "rc=\$?"
vm -q assign \$DOM ap --adapters 5 --domains 4 --persistent --uuid $A1; echo "rc=\$?"
virsh -c "\$uri" autostart \$DOM >/dev/null; echo "rc=\$?"
step validate
vm validate --boot; echo "rc=\$?"
vm -j validate --boot >"\$T/assign.json"
state >"\$T/assign.state"
SCRIPT
run "$VIRT_MDEV_SIM" run --persist "$tmp/p1" -- bash "$tmp/assign.sh" "$tmp"
is "$(section assign)
$rc" "rc=0
rc=0
rc=0
0" "assign --persistent of a DASD and of APQN 05.0004 to an autostart guest"
is "$(section validate)" "2 mdevs checked, no problem found
rc=0" "validate --boot: the persistent configuration brings the host back as it is"
is "$(jq -c . "$tmp/assign.json")" '{"checked":2,"problems":[]}' "validate --boot -j: no problem, no difference"
ok "$([ -f "$tmp/p1/driverctl.d/css-0.0.0313" ] && [ -f "$tmp/p1/udev-rules.d/41-ap.rules" ] && [ -L "$tmp/p1/libvirt/etc/qemu/autostart/$DOM.xml" ] && [ -f "$tmp/p1/mdevctl.d/matrix/$A1" ]; echo $?)" \
	"--persist DIR holds driverctl's override, chzdev's rule, mdevctl's definitions and libvirt's autostart link"
run "$VIRT_MDEV_SIM" run --persist "$tmp/p1" --boot -- bash "$tmp/after.sh" "$tmp" assign
is "$rc" 0 "the reboot: a new run --persist DIR --boot"
is "$err" "virt-mdev-sim: boot: /etc/udev/rules.d/41-ap.rules: ATTR{../../bus/ap/apmask}=\"0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"
virt-mdev-sim: boot: /etc/udev/rules.d/41-ap.rules: ATTR{../../bus/ap/aqmask}=\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"
virt-mdev-sim: boot: driverctl load-override css/0.0.0313
virt-mdev-sim: boot: mdevctl start-parent-mdevs 0.0.0313
virt-mdev-sim: boot: mdevctl start-parent-mdevs matrix" "the boot: chzdev's rule's masks, driverctl's override, mdevctl for each parent with definitions, in that order"
persisted_ok assign
is "$(section observed)" "" "nothing was predicted to differ"

# ---- 2. apply of a persistent state file, and plan --boot ----
cat >"$tmp/state.yaml" <<EOF
version: 1
guests:
  - name: $DOM
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
      - kind: ap
        adapters: 5
        domains: 4
        uuid: $A1
EOF
cat >"$tmp/apply.sh" <<SCRIPT
. "\$1/lib.sh"
virsh -c "\$uri" define "\$XML" >/dev/null
virsh -c "\$uri" autostart \$DOM >/dev/null
step before
vm plan --boot "\$T/state.yaml"; echo "rc=\$?"
step apply
vm -q apply "\$T/state.yaml"; echo "rc=\$?"
step after
vm plan --boot "\$T/state.yaml"; echo "rc=\$?"
vm validate --boot; echo "rc=\$?"
vm -j validate --boot >"\$T/apply.json"
state >"\$T/apply.state"
SCRIPT
run "$VIRT_MDEV_SIM" run --persist "$tmp/p2" -- bash "$tmp/apply.sh" "$tmp"
is "$(section before)" "$tmp/state.yaml:5:9: guest $DOM's vfio-ccw 0.0.2b09: no mdev of it starts at boot (there is none), so it is not kept across a reboot ('virt-mdev apply $tmp/state.yaml' defines it to start at boot)
$tmp/state.yaml:5:9: guest $DOM's vfio-ccw 0.0.2b09: no driverctl override binds subchannel 0.0.0313 of device 0.0.2b09 to vfio_ccw at boot (/etc/driverctl.d/css-0.0.0313), so it comes up on io_subchannel and mdevctl cannot start the mdev there (make the binding persistent: 'virt-mdev ccw bind 0.0.2b09 --persistent')
$tmp/state.yaml:5:9: guest $DOM's vfio-ccw 0.0.2b09: the persistent definition of libvirt domain $DOM does not use an mdev of it, so the guest does not have it after a reboot ('virt-mdev apply $tmp/state.yaml' adds it)
$tmp/state.yaml:8:9: guest $DOM's vfio-ap device: no mdev of it starts at boot (there is none), so it is not kept across a reboot ('virt-mdev apply $tmp/state.yaml' defines it to start at boot)
$tmp/state.yaml:8:9: guest $DOM's vfio-ap device: APQN 05.0004 stays with the host's drivers after a boot, by the kernel's default masks (there is no /etc/udev/rules.d/41-ap.rules, chzdev's persistent masks), so mdevctl cannot start the mdev on it (free it persistently: 'virt-mdev ap reserve --persistent --adapters 5 --domains 4')
$tmp/state.yaml:8:9: guest $DOM's vfio-ap device: the persistent definition of libvirt domain $DOM does not use an mdev of it, so the guest does not have it after a reboot ('virt-mdev apply $tmp/state.yaml' adds it)
rc=4" "plan --boot before apply: each gap of each persistent device, with the file's place and its fix (exit 4)"
is "$(section apply)" "rc=0" "apply of the persistent state file"
is "$(section after)" "2 persistent devices checked, no problem found
rc=0
2 mdevs checked, no problem found
rc=0" "plan --boot and validate --boot after apply: the persistent configuration keeps every device"
run "$VIRT_MDEV_SIM" run --persist "$tmp/p2" --boot -- bash "$tmp/after.sh" "$tmp" apply
is "$rc" 0 "the reboot after apply"
persisted_ok apply

# ---- 3. broken persistence: a transient binding under an autostart mdev; masks not persisted ----
cat >"$tmp/broken.sh" <<SCRIPT
. "\$1/lib.sh"
virsh -c "\$uri" define "\$XML" >/dev/null
vm -q ccw bind 0.0.2b0b; vm -q create ccw 0.0.2b0b --uuid $U2 --autostart
vm -q ap reserve 06.0004; vm -q create ap --adapters 6 --domains 4 --uuid $A2 --autostart
vm -q attach \$DOM $U2 --config; vm -q attach \$DOM $A2 --config
virsh -c "\$uri" autostart \$DOM >/dev/null
step validate
vm validate --boot; echo "rc=\$?"
vm -j validate --boot >"\$T/broken.json" 2>/dev/null
# every object the broken persistence touches, as it is now
printf '%s\n' $U2 $A2 "subchannel 0.0.0315" "AP masks" "domain \$DOM" >"\$T/broken.objects"
while read -r o; do echo "\$o: \$(observe "\$o")"; done <"\$T/broken.objects" >"\$T/broken.now"
SCRIPT
run "$VIRT_MDEV_SIM" run --persist "$tmp/p3" -- bash "$tmp/broken.sh" "$tmp"
ALL=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
Q4=0xf7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
is "$(section validate)" "$U2: it will not start at boot, though its definition starts it then: no driverctl override binds subchannel 0.0.0315 of device 0.0.2b0b to vfio_ccw at boot (/etc/driverctl.d/css-0.0.0315): its binding to vfio_ccw now is transient, so it comes up on io_subchannel and mdevctl cannot start the mdev there (make the binding persistent: 'virt-mdev ccw bind 0.0.2b0b --persistent'); libvirt domain $DOM uses it in its persistent definition
$A2: it will not start at boot, though its definition starts it then: APQN 06.0004 stays with the host's drivers after a boot, by the kernel's default masks (there is no /etc/udev/rules.d/41-ap.rules, chzdev's persistent masks), so mdevctl cannot start the mdev on it (free it persistently: 'virt-mdev ap reserve --persistent --adapters 6 --domains 4'); libvirt domain $DOM uses it in its persistent definition
note: subchannel 0.0.0315: bound to vfio_ccw now, to io_subchannel after a boot: no driverctl override keeps the binding ('virt-mdev ccw bind 0.0.2b0b --persistent' keeps it)
note: AP masks: the AP masks after a boot are not the ones now (now apmask=$ALL aqmask=$Q4; after a boot apmask=$ALL aqmask=$ALL), by the kernel's default masks (there is no /etc/udev/rules.d/41-ap.rules, chzdev's persistent masks): queues back to the host's drivers then: 05.0004 06.0004 ('virt-mdev ap reserve --persistent 05.0004 06.0004' keeps them free)
domain $DOM: libvirt starts this guest at boot (autostart), and it will fail then: its persistent definition uses mdevs $U2, $A2, which will not be active after a boot (fix them as said for each, or 'virsh autostart --disable $DOM')
rc=4" "validate --boot predicts the broken persistence: each mdev that will not start and why, with its fix, the differences, the guest that will fail (exit 4)"
is "$err" "virt-mdev: 3 problems after a boot in 2 mdevs checked" "validate --boot: the summary on stderr"
is "$(predicted broken)" "$U2: defined, not started
$A2: defined, not started
domain $DOM: fails to start
subchannel 0.0.0315: io_subchannel
AP masks: apmask=$ALL aqmask=$ALL" "validate --boot -j: what each object is after a boot (after_boot)"
run "$VIRT_MDEV_SIM" run --persist "$tmp/p3" --boot -- bash "$tmp/after.sh" "$tmp" broken
is "$rc" 0 "the reboot of the broken host"
# the prediction for each object: its after_boot, or as it is now when validate --boot names no difference
expected_after() {
	while IFS= read -r l; do
		o=${l%%: *}
		p=$(jq -r --arg o "$o" '(.problems + (.notes // []))[] | select((.uuid // .object) == $o and .after_boot != null) | .after_boot' "$tmp/broken.json" | head -1)
		echo "$o: ${p:-${l#*: }}"
	done <"$tmp/broken.now"
}
is "$(section observed)" "$(expected_after)" "after the reboot each object is what validate --boot predicted (as now where it predicted no difference): the mdevs not started, the subchannel with the host, the queues with the host, the guest not started"
has_line "$(section state)" "vfio_ccw: " "no subchannel is bound to vfio_ccw after the boot"
is "$(section validate)" "$U2: cannot create a vfio-ccw mdev on subchannel 0.0.0315 of device 0.0.2b0b: it is bound to io_subchannel, not vfio_ccw (run 'virt-mdev ccw bind 0.0.2b0b' first)
$A2: cannot give APQN 06.0004 to mdev $A2: reserved for the host's drivers by apmask/aqmask (run 'virt-mdev ap reserve --adapters 6 --domains 4' first)
rc=4" "validate after the boot: the guest's mdevs are only defined, and cannot start (the subchannel and the APQN are the host's)"
is "$(section nodedevs)" "" "libvirt has no active mdev after the boot"

done_testing
