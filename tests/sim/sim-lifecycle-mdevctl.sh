#!/bin/bash
# Interop with the real mdevctl inside 'virt-mdev-sim run': what virt-mdev's sysfs backend
# defines, mdevctl lists, starts and stops; what mdevctl defines, virt-mdev lists, starts
# and removes with --undefine.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
command -v mdevctl >/dev/null || skip_all "mdevctl is not installed (apt-get install mdevctl)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/session.sh" <<SCRIPT
V="$VIRT_MDEV"
export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$tmp/no-libvirtd-sock"
SCRIPT
cat >>"$tmp/session.sh" <<'SCRIPT'
set -e
step() { echo "== $*"; }
C=c1c1c1c1-0d3f-4b1a-9a39-3a6c1d7f0001
A=a1a1a1a1-0d3f-4b1a-9a39-3a6c1d7f0002
M=e1e1e1e1-0d3f-4b1a-9a39-3a6c1d7f0003
$V -q ccw bind 0.0.2b09
$V -q ap reserve 05.0004 05.00ab
$V -q ap reserve 06.0047
$V -q create ccw 0.0.2b09 --uuid $C --define
$V -q create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A --autostart
step defined-by-virt-mdev
# mdevctl marks an active definition "(active)" here and "(defined)" in a plain list
mdevctl list --defined --verbose
step stopped-by-virt-mdev
$V -q stop $C
$V -q stop $A
mdevctl list
ls /sys/bus/mdev/devices | wc -l
step started-by-mdevctl
mdevctl start -u $C
mdevctl start -u $A
mdevctl list
cat /sys/devices/vfio_ap/matrix/$A/matrix /sys/devices/vfio_ap/matrix/$A/control_domains
mdevctl stop -u $A
step defined-by-mdevctl
mdevctl define -u $M -p matrix -t vfio_ap-passthrough
mdevctl modify -u $M --addattr=assign_adapter --value=6
mdevctl modify -u $M --addattr=assign_domain --value=0x47
$V -j list mdev | jq -c ".mdevs[] | select(.uuid == \"$M\") | [.parent, .type, .active, .defined, .autostart, .apqns]"
step started-by-virt-mdev
# the same matrix, asked to start at boot: started, and only "start" of mdevctl's file changes
$V -q create ap --adapters 6 --domains 0x47 --uuid $M --autostart
mdevctl list
cat /sys/devices/vfio_ap/matrix/$M/matrix
jq -c . /etc/mdevctl.d/matrix/$M
step removed-by-virt-mdev
$V -q remove --undefine $M
$V -q remove --undefine $A
$V -q remove --undefine $C
mdevctl list --defined
ls /sys/bus/mdev/devices | wc -l
step end
SCRIPT
run "$VIRT_MDEV_SIM" run -- bash "$tmp/session.sh"
is "$rc" 0 "the session runs without an error"
[ "$rc" = 0 ] || printf '# %s\n' "$err" | tail -20
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
C=c1c1c1c1-0d3f-4b1a-9a39-3a6c1d7f0001
A=a1a1a1a1-0d3f-4b1a-9a39-3a6c1d7f0002
M=e1e1e1e1-0d3f-4b1a-9a39-3a6c1d7f0003
is "$(section defined-by-virt-mdev)" "$C 0.0.0313 vfio_ccw-io manual (active)
$A matrix vfio_ap-passthrough auto (active)
  Attrs:
    @{0}: {\"assign_adapter\":\"0x5\"}
    @{1}: {\"assign_domain\":\"0x4\"}
    @{2}: {\"assign_domain\":\"0xab\"}
    @{3}: {\"assign_control_domain\":\"0x4\"}" "mdevctl lists what virt-mdev defined, active, with the attributes in order"
is "$(section stopped-by-virt-mdev)" "${MDEVCTL_LIST_END}0" "virt-mdev stop leaves no active mdev"
is "$(section started-by-mdevctl)" "$C 0.0.0313 vfio_ccw-io manual (defined)
$A matrix vfio_ap-passthrough auto (defined)
${MDEVCTL_LIST_END}05.0004
05.00ab
0004" "mdevctl starts virt-mdev's definitions, attributes written as defined"
is "$(section defined-by-mdevctl)" "[\"matrix\",\"vfio_ap-passthrough\",false,true,false,[\"06.0047\"]]" "virt-mdev lists mdevctl's definition with its APQNs"
is "$(section started-by-virt-mdev)" "$C 0.0.0313 vfio_ccw-io manual (defined)
$M matrix vfio_ap-passthrough auto (defined)
${MDEVCTL_LIST_END}06.0047
{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":[{\"assign_adapter\":\"6\"},{\"assign_domain\":\"0x47\"}]}" "virt-mdev starts mdevctl's definition and sets it to start at boot, its attributes as mdevctl wrote them"
is "$(section removed-by-virt-mdev)" "${MDEVCTL_LIST_END}0" "virt-mdev remove --undefine removes mdevctl's definitions and devices"

done_testing
