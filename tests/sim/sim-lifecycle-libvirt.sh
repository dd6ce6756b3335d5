#!/bin/bash
# virt-mdev's libvirt backend for real: a private libvirtd whose node-device driver runs the
# real mdevctl inside 'virt-mdev-sim run --udev'. create (transient, --define, --autostart),
# stop, start, remove --undefine for vfio-ccw and vfio-ap; after each step the simulated
# sysfs, virsh nodedev-list, mdevctl list --defined and virt-mdev list mdev agree. The
# node-device XML of the dry run validates against libvirt's schema. An assign --persistent
# interrupted after each of its libvirt calls: the rerun does only the rest.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
command -v mdevctl >/dev/null || skip_all "mdevctl is not installed"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/session.sh" <<SCRIPT
. "$top_srcdir/tests/sim/private-libvirtd.sh"
V="$VIRT_MDEV"
tmp="$tmp"
SCRIPT
cat >>"$tmp/session.sh" <<'SCRIPT'
trap libvirtd_stop EXIT
libvirtd_start || exit 1
step uri
echo "$uri"
vm() { "$V" -c "$uri" "$@"; }
# state: sysfs, libvirt, mdevctl and what virt-mdev reports (settle waits, bounded, until it is 'want')
settle_tries=100
state() {
	mdev_state
	vm -q -j list mdev | jq -r '.mdevs[] | "\(.uuid)=\(.active),\(.defined),\(.autostart)"' | line virt-mdev
}
C=c2c2c2c2-0d3f-4b1a-9a39-3a6c1d7f0001
A=a2a2a2a2-0d3f-4b1a-9a39-3a6c1d7f0002
NC=mdev_${C//-/_}_0_0_0313
NA=mdev_${A//-/_}_matrix

vm -q ccw bind 0.0.2b09
vm -q ap reserve 05.0004 05.00ab
# libvirt sees the subchannel's new type through udev: wait for it
for _ in $(seq 50); do virsh -c "$uri" nodedev-dumpxml css_0_0_0313 2>/dev/null | grep -q vfio_ccw-io && break; sleep 0.1; done

step dry-run-ap
vm -n create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A --autostart
# the here-document's XML, with the <name> the schema wants
vm -n create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A --autostart |
	sed -n '/<<.EOF.$/,/^EOF$/p' | sed '1d;$d' | sed "s|^<device>|<device><name>$NA</name>|" >"$tmp/nodedev-ap.xml"
virt-xml-validate "$tmp/nodedev-ap.xml" nodedev >/dev/null 2>&1 && echo valid
vm -n create ccw 0.0.2b09 --uuid $C | sed -n '/<<.EOF.$/,/^EOF$/p' | sed '1d;$d' |
	sed "s|^<device>|<device><name>$NC</name>|" >"$tmp/nodedev-ccw.xml"
virt-xml-validate "$tmp/nodedev-ccw.xml" nodedev >/dev/null 2>&1 && echo valid
ls /sys/bus/mdev/devices | wc -l

step create-ccw
vm -v create ccw 0.0.2b09 --uuid $C 2>&1
settle "sysfs: $C
active: $NC
inactive:
mdevctl:
virt-mdev: $C=true,false,false"

step create-ap-define
vm create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A --define
settle "sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough manual (active)
virt-mdev: $C=true,false,false $A=true,true,false"
cat /sys/devices/vfio_ap/matrix/$A/matrix /sys/devices/vfio_ap/matrix/$A/control_domains

step autostart-ap
vm -j create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A --autostart | jq -r '[.changed, (.steps|length), .steps[0].command] | @tsv'
settle "sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough auto (active)
virt-mdev: $C=true,false,false $A=true,true,true"
vm -j create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A --autostart | jq -r '[.changed, (.steps|length)] | @tsv'

step stop-ap
vm stop $A
settle "sysfs: $C
active: $NC
inactive: $NA
mdevctl: $A matrix vfio_ap-passthrough auto
virt-mdev: $C=true,false,false $A=false,true,true"

step start-ap
vm start $A
settle "sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough auto (active)
virt-mdev: $C=true,false,false $A=true,true,true"

step remove-all
vm remove --undefine $A
vm remove $C
settle "sysfs:
active:
inactive:
mdevctl:
virt-mdev:"

step define-ccw
vm create ccw 0.0.0313 --uuid $C --define
settle "sysfs: $C
active: $NC
inactive:
mdevctl: $C 0.0.0313 vfio_ccw-io manual (active)
virt-mdev: $C=true,true,false"
vm remove --undefine $C
settle "sysfs:
active:
inactive:
mdevctl:
virt-mdev:"

step assign-unassign
virsh -c "$uri" define "$top_srcdir/xml-templates/domain-s390x-demo.xml" >/dev/null
vm -q assign virt-mdev-demo ccw 0.0.2b09 --devno fe.0.1234 --uuid $C --persistent
vm -q assign virt-mdev-demo ap --adapters 5 --domains 4,0xab --uuid $A --persistent
settle "sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $C 0.0.0313 vfio_ccw-io auto (active) $A matrix vfio_ap-passthrough auto (active)
virt-mdev: $C=true,true,true $A=true,true,true"
virsh -c "$uri" dumpxml --inactive virt-mdev-demo | grep -c "<hostdev mode='subsystem' type='mdev'"
# assign ap --persistent keeps the masks in chzdev's rule (virt-mdev-sim run's private rules.d)
sed -n 's/^ATTR{..\/..\/bus\/ap\/\(a.mask\)}="\(.*\)"$/\1=\2/p' /etc/udev/rules.d/41-ap.rules
vm unassign virt-mdev-demo $A
vm unassign virt-mdev-demo 0.0.2b09
settle "sysfs:
active:
inactive:
mdevctl:
virt-mdev:"
virsh -c "$uri" dumpxml --inactive virt-mdev-demo | grep -c "<hostdev" || true
readlink /sys/bus/css/devices/0.0.0313/driver | xargs basename
cat /sys/bus/ap/apmask /sys/bus/ap/aqmask
sed -n 's/^ATTR{..\/..\/bus\/ap\/\(a.mask\)}="\(.*\)"$/\1=\2/p' /etc/udev/rules.d/41-ap.rules
# assign --persistent through libvirt interrupted after its nodedev-define, nodedev-start and
# nodedev-autostart (the first K commands of its own plan, pasted, the first two chzdev's rule
# file and apmask: adapter 5 alone frees 05.0004 and 05.00ab): the rerun does the rest
step halfmade
plan=$(vm -n -j assign virt-mdev-demo ap --adapters 5 --domains 4,0xab --uuid $A --persistent | jq -c '[.steps[].command]')
for k in 3 4 5; do
	for ((i = 0; i < k; i++)); do
		sh -c "$(printf '%s' "$plan" | jq -r ".[$i]")" >/dev/null 2>&1 || echo "step $i failed"
	done
	echo "after $k:"
	vm assign virt-mdev-demo ap --adapters 5 --domains 4,0xab --uuid $A --persistent
	settle "sysfs: $A
active: $NA
inactive:
mdevctl: $A matrix vfio_ap-passthrough auto (active)
virt-mdev: $A=true,true,true"
	virsh -c "$uri" dumpxml --inactive virt-mdev-demo | grep -c "<hostdev mode='subsystem' type='mdev'"
	vm -q unassign virt-mdev-demo $A
done
cat /sys/bus/ap/apmask /sys/bus/ap/aqmask
step end
SCRIPT

run timeout 300 "$VIRT_MDEV_SIM" run --udev -- bash "$tmp/session.sh"
is "$rc" 0 "the libvirt session runs to its end"
[ "$rc" = 0 ] || printf '# %s\n' "$err" | tail -20
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
C=c2c2c2c2-0d3f-4b1a-9a39-3a6c1d7f0001
A=a2a2a2a2-0d3f-4b1a-9a39-3a6c1d7f0002
NC=mdev_${C//-/_}_0_0_0313
NA=mdev_${A//-/_}_matrix
dry=$(section dry-run-ap)
lvuri=$(section uri)
is "$(printf '%s\n' "$dry" | head -n -3)" "# define mdev $A (vfio_ap-passthrough) on the vfio_ap matrix through libvirt
virsh -c '$lvuri' nodedev-define /dev/stdin <<'EOF'
<device>
  <parent>ap_matrix</parent>
  <capability type=\"mdev\">
    <type id=\"vfio_ap-passthrough\"/>
    <uuid>$A</uuid>
    <attr name=\"assign_adapter\" value=\"0x5\"/>
    <attr name=\"assign_domain\" value=\"0x4\"/>
    <attr name=\"assign_domain\" value=\"0xab\"/>
    <attr name=\"assign_control_domain\" value=\"0x4\"/>
  </capability>
</device>
EOF
# start mdev $A through libvirt
virsh -c '$lvuri' nodedev-start $NA
# start mdev $A at boot through libvirt
virsh -c '$lvuri' nodedev-autostart $NA" \
	"the dry run prints nodedev-define with the node-device XML (the attributes in order: adapters, domains, control domains, 0x-hex), then nodedev-start and nodedev-autostart"
is "$(printf '%s\n' "$dry" | tail -n 3)" "valid
valid
0" "both node-device XMLs validate against libvirt's schema, and the dry runs made nothing"
is "$(section create-ccw)" "virt-mdev: using the libvirt backend: libvirt at '$lvuri' has node device css_0_0_0313
done: create transient mdev $C (vfio_ccw-io) on subchannel 0.0.0313 through libvirt
mdev $C: active, not defined
sysfs: $C
active: $NC
inactive:
mdevctl:
virt-mdev: $C=true,false,false" "create ccw: transient, through libvirt (-v says so); sysfs, libvirt and virt-mdev agree"
is "$(section create-ap-define)" "done: define mdev $A (vfio_ap-passthrough) on the vfio_ap matrix through libvirt
done: start mdev $A through libvirt
mdev $A: active, defined, manual start
sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough manual (active)
virt-mdev: $C=true,false,false $A=true,true,false
05.0004
05.00ab
0004" "create ap --define: defined and started, the matrix written by libvirt through mdevctl"
is "$(section autostart-ap)" "true	1	virsh -c '$lvuri' nodedev-autostart $NA
sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough auto (active)
virt-mdev: $C=true,false,false $A=true,true,true
false	0" "--autostart on the defined mdev: one nodedev-autostart step; then changed false"
is "$(section stop-ap)" "done: stop mdev $A through libvirt
mdev $A: inactive, defined, autostart
sysfs: $C
active: $NC
inactive: $NA
mdevctl: $A matrix vfio_ap-passthrough auto
virt-mdev: $C=true,false,false $A=false,true,true" "stop: inactive, still defined"
is "$(section start-ap)" "done: start mdev $A through libvirt
mdev $A: active, defined, autostart
sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough auto (active)
virt-mdev: $C=true,false,false $A=true,true,true" "start: active again"
is "$(section remove-all)" "done: stop mdev $A through libvirt
done: undefine mdev $A through libvirt
mdev $A: gone
done: stop mdev $C through libvirt
mdev $C: gone
sysfs:
active:
inactive:
mdevctl:
virt-mdev:" "remove --undefine and remove: gone everywhere"
is "$(section define-ccw)" "done: define mdev $C (vfio_ccw-io) on subchannel 0.0.0313 through libvirt
done: start mdev $C through libvirt
mdev $C: active, defined, manual start
sysfs: $C
active: $NC
inactive:
mdevctl: $C 0.0.0313 vfio_ccw-io manual (active)
virt-mdev: $C=true,true,false
done: stop mdev $C through libvirt
done: undefine mdev $C through libvirt
mdev $C: gone
sysfs:
active:
inactive:
mdevctl:
virt-mdev:" "a defined vfio-ccw mdev: define + start, then stop + undefine"
is "$(section assign-unassign)" "sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $C 0.0.0313 vfio_ccw-io auto (active) $A matrix vfio_ap-passthrough auto (active)
virt-mdev: $C=true,true,true $A=true,true,true
2
apmask=0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
aqmask=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
done: detach mdev $A from domain virt-mdev-demo (persistent definition)
done: stop mdev $A through libvirt
done: give back adapters 5 in apmask; queues returning to the host: 05.0004 05.00ab
done: give back adapters 5 in apmask at boot in chzdev's udev rule 41-ap.rules (udev writes its apmask and aqmask at coldplug)
done: undefine mdev $A through libvirt
done: detach mdev $C from domain virt-mdev-demo (persistent definition)
done: stop mdev $C through libvirt
done: unbind subchannel 0.0.0313 from vfio_ccw
done: clear the driver override of subchannel 0.0.0313
done: bind subchannel 0.0.0313 to io_subchannel
done: remove the persistent binding of subchannel 0.0.0313 (driverctl override)
done: undefine mdev $C through libvirt
sysfs:
active:
inactive:
mdevctl:
virt-mdev:
0
io_subchannel
0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
apmask=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
aqmask=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" "assign --persistent and unassign through libvirt: defined, autostart, attached, the masks in chzdev's rule; then nothing left, the host's again, now and at boot"
halfmade_end() {
	printf '%s\n' "done: attach vfio-ap mdev $A to domain virt-mdev-demo (persistent definition)
note: the APQNs stay free of the host's drivers at boot by chzdev's udev rule /etc/udev/rules.d/41-ap.rules ('lszdev --type ap --persistent' shows its masks)
sysfs: $A
active: $NA
inactive:
mdevctl: $A matrix vfio_ap-passthrough auto (active)
virt-mdev: $A=true,true,true
1"
}
is "$(section halfmade)" "after 3:
done: start mdev $A through libvirt
done: start mdev $A at boot through libvirt
$(halfmade_end)
after 4:
done: start mdev $A at boot through libvirt
$(halfmade_end)
after 5:
$(halfmade_end)
0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" \
	"assign ap --persistent through libvirt interrupted after nodedev-define, -start, -autostart: the rerun does only the rest and ends defined, autostart, active, attached; unassign gives everything back"

# ---- without udev events libvirt never sees a started mdev: a bounded wait, a clear message, nothing left ----
cat >"$tmp/noudev.sh" <<SCRIPT
. "$top_srcdir/tests/sim/private-libvirtd.sh"
V="$VIRT_MDEV"
SCRIPT
cat >>"$tmp/noudev.sh" <<'SCRIPT'
trap libvirtd_stop EXIT
# bound before libvirtd starts: its enumeration sees the subchannel on vfio_ccw
echo 0.0.0313 > /sys/bus/css/devices/0.0.0313/driver/unbind
echo vfio_ccw > /sys/bus/css/devices/0.0.0313/driver_override
echo 0.0.0313 > /sys/bus/css/drivers/vfio_ccw/bind
libvirtd_start || exit 1
C=c3c3c3c3-0d3f-4b1a-9a39-3a6c1d7f0001
"$V" -c "$uri" create ccw 0.0.2b09 --uuid $C --define --timeout 1
echo "rc=$?"
echo "sysfs: $(ls /sys/bus/mdev/devices | wc -l)"
# (mdevctl list --defined prints an empty line when it has none: count only what it names)
echo "defined: $(mdevctl list --defined | grep -c .)"
SCRIPT
run timeout 120 "$VIRT_MDEV_SIM" run -- bash "$tmp/noudev.sh"
C=c3c3c3c3-0d3f-4b1a-9a39-3a6c1d7f0001
is "$out" "done: define mdev $C (vfio_ccw-io) on subchannel 0.0.0313 through libvirt
rc=1
sysfs: 0
defined: 0" "a start libvirt never sees: the define was done, then exit 1, no device and no definition left"
like "$err" "virt-mdev: cannot start mdev $C through libvirt \\(virsh -c 'qemu:///system\\?socket=/tmp/virt-mdev-libvirtd\\.[^/]*/sock/libvirt-sock' nodedev-start mdev_${C//-/_}_0_0_0313: libvirt did not report mdev $C active within 1 s \\(it was in sysfs and has been removed again; libvirt's node-device driver learns of new mdevs from udev events: is systemd-udevd running\\? --timeout sets the wait\\)\\); undone: define mdev $C \\(vfio_ccw-io\\) on subchannel 0\\.0\\.0313 through libvirt" \
	"the message says what timed out, why, what was cleaned up and what was undone"

done_testing
