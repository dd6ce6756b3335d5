#!/bin/bash
# The real libvirtd inside 'virt-mdev-sim run --udev': its node-device driver, running the
# real mdevctl, creates, defines, starts, stops and undefines vfio-ccw and vfio-ap mdevs on
# the simulated host, and the devices turn active and inactive as on a real host.
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
SCRIPT
cat >>"$tmp/session.sh" <<'SCRIPT'
trap libvirtd_stop EXIT
libvirtd_start || exit 1
# state: what sysfs, libvirt and mdevctl each say (settle waits, bounded, until it is 'want')
state() { mdev_state; }
C=c0c0c0c0-0d3f-4b1a-9a39-3a6c1d7f0001
A=a0a0a0a0-0d3f-4b1a-9a39-3a6c1d7f0002
D=d0d0d0d0-0d3f-4b1a-9a39-3a6c1d7f0003
NC=mdev_${C//-/_}_0_0_0313
NA=mdev_${A//-/_}_matrix
ND=mdev_${D//-/_}_0_0_0315

step types-before
virsh -c "$uri" nodedev-list --cap mdev_types
echo 0.0.0313 > /sys/bus/css/devices/0.0.0313/driver/unbind
echo 0.0.0313 > /sys/bus/css/drivers/vfio_ccw/bind
echo 0.0.0315 > /sys/bus/css/devices/0.0.0315/driver/unbind
echo 0.0.0315 > /sys/bus/css/drivers/vfio_ccw/bind
echo -5 > /sys/bus/ap/apmask
echo -4,-0xab > /sys/bus/ap/aqmask
for _ in $(seq 50); do [ "$(virsh -c "$uri" nodedev-list --cap mdev_types | sed '/^$/d' | wc -l)" = 3 ] && break; sleep 0.1; done
step types
virsh -c "$uri" nodedev-list --cap mdev_types

cat > /tmp/ccw-$$.xml <<EOT
<device><parent>css_0_0_0313</parent><capability type='mdev'><type id='vfio_ccw-io'/><uuid>$C</uuid></capability></device>
EOT
step create-ccw
virsh -c "$uri" nodedev-create /tmp/ccw-$$.xml >/dev/null && echo created
settle "sysfs: $C
active: $NC
inactive:
mdevctl:"

cat > /tmp/ap-$$.xml <<EOT
<device><parent>ap_matrix</parent><capability type='mdev'><type id='vfio_ap-passthrough'/><uuid>$A</uuid>
<attr name='assign_adapter' value='0x5'/><attr name='assign_domain' value='0x4'/><attr name='assign_domain' value='0xab'/>
</capability></device>
EOT
step define-ap
virsh -c "$uri" nodedev-define /tmp/ap-$$.xml >/dev/null && echo defined
settle "sysfs: $C
active: $NC
inactive: $NA
mdevctl: $A matrix vfio_ap-passthrough manual"

step start-ap
virsh -c "$uri" nodedev-start $NA >/dev/null && echo started
settle "sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough manual (active)"
cat /sys/devices/vfio_ap/matrix/$A/matrix

step autostart-ap
virsh -c "$uri" nodedev-autostart $NA >/dev/null && echo autostart
settle "sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough auto (active)"

step destroy-ap
virsh -c "$uri" nodedev-destroy $NA >/dev/null && echo destroyed
settle "sysfs: $C
active: $NC
inactive: $NA
mdevctl: $A matrix vfio_ap-passthrough auto"

step destroy-ccw
virsh -c "$uri" nodedev-destroy $NC >/dev/null && echo destroyed
settle "sysfs:
active:
inactive: $NA
mdevctl: $A matrix vfio_ap-passthrough auto"

step undefine-ap
virsh -c "$uri" nodedev-undefine $NA >/dev/null && echo undefined
settle "sysfs:
active:
inactive:
mdevctl:"

cat > /tmp/ccw2-$$.xml <<EOT
<device><parent>css_0_0_0315</parent><capability type='mdev'><type id='vfio_ccw-io'/><uuid>$D</uuid></capability></device>
EOT
step define-start-ccw
virsh -c "$uri" nodedev-define /tmp/ccw2-$$.xml >/dev/null && virsh -c "$uri" nodedev-start $ND >/dev/null && echo started
settle "sysfs: $D
active: $ND
inactive:
mdevctl: $D 0.0.0315 vfio_ccw-io manual (active)"
step stop-undefine-ccw
virsh -c "$uri" nodedev-destroy $ND >/dev/null && virsh -c "$uri" nodedev-undefine $ND >/dev/null && echo gone
settle "sysfs:
active:
inactive:
mdevctl:"
rm -f /tmp/ccw-$$.xml /tmp/ap-$$.xml /tmp/ccw2-$$.xml
step end
SCRIPT

run timeout 300 "$VIRT_MDEV_SIM" run --udev -- bash "$tmp/session.sh"
is "$rc" 0 "the libvirt session runs to its end"
[ "$rc" = 0 ] || printf '# %s\n' "$err" | tail -20
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
C=c0c0c0c0-0d3f-4b1a-9a39-3a6c1d7f0001
A=a0a0a0a0-0d3f-4b1a-9a39-3a6c1d7f0002
D=d0d0d0d0-0d3f-4b1a-9a39-3a6c1d7f0003
NC=mdev_${C//-/_}_0_0_0313
NA=mdev_${A//-/_}_matrix
ND=mdev_${D//-/_}_0_0_0315
is "$(section types-before | sed '/^$/d')" "ap_matrix" "nodedev-list --cap mdev_types: the matrix, while no subchannel is on vfio_ccw"
is "$(section types | sed '/^$/d')" "ap_matrix
css_0_0_0313
css_0_0_0315" "after binding to vfio_ccw: css_0_0_0313 and css_0_0_0315 too"
is "$(section create-ccw)" "created
sysfs: $C
active: $NC
inactive:
mdevctl:" "nodedev-create (transient vfio-ccw): active in sysfs and libvirt, not defined"
is "$(section define-ap)" "defined
sysfs: $C
active: $NC
inactive: $NA
mdevctl: $A matrix vfio_ap-passthrough manual" "nodedev-define (vfio-ap with attrs): inactive in libvirt, defined in mdevctl"
is "$(section start-ap)" "started
sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough manual (active)
05.0004
05.00ab" "nodedev-start: active everywhere, the attrs written in order (the matrix reads back)"
is "$(section autostart-ap)" "autostart
sysfs: $A $C
active: $NA $NC
inactive:
mdevctl: $A matrix vfio_ap-passthrough auto (active)" "nodedev-autostart: mdevctl's start becomes auto"
is "$(section destroy-ap)" "destroyed
sysfs: $C
active: $NC
inactive: $NA
mdevctl: $A matrix vfio_ap-passthrough auto" "nodedev-destroy of a defined device: gone from sysfs, inactive in libvirt"
is "$(section destroy-ccw)" "destroyed
sysfs:
active:
inactive: $NA
mdevctl: $A matrix vfio_ap-passthrough auto" "nodedev-destroy of a transient device: gone everywhere"
is "$(section undefine-ap)" "undefined
sysfs:
active:
inactive:
mdevctl:" "nodedev-undefine: the definition is gone"
is "$(section define-start-ccw)" "started
sysfs: $D
active: $ND
inactive:
mdevctl: $D 0.0.0315 vfio_ccw-io manual (active)" "a defined vfio-ccw device starts"
is "$(section stop-undefine-ccw)" "gone
sysfs:
active:
inactive:
mdevctl:" "and stops and is undefined"
for d in /run/libvirt /var/lib/libvirt/qemu /var/cache/libvirt/qemu; do
	ok "$([ -z "$(ls -A "$d" 2>/dev/null)" ]; echo $?)" "libvirtd left nothing in the machine's $d"
done
is "$(stat -f -c %T /sys)" sysfs "this namespace's /sys is still the kernel's sysfs (run's mounts stay in its namespace)"

done_testing
