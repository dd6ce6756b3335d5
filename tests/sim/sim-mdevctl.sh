#!/bin/bash
# The real mdevctl (1.2 or 1.4) inside 'virt-mdev-sim run': types, define/start/list/stop/undefine
# for vfio-ccw and for vfio-ap with assign attributes.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
command -v mdevctl >/dev/null || skip_all "mdevctl is not installed (apt-get install mdevctl)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/mdevctl.sh" <<'SCRIPT'
set -e
step() { echo "== $*"; }
step types-before
mdevctl types
echo 0.0.0313 > /sys/bus/css/devices/0.0.0313/driver/unbind
echo 0.0.0313 > /sys/bus/css/drivers/vfio_ccw/bind
echo -5 > /sys/bus/ap/apmask
echo -4,-0xab > /sys/bus/ap/aqmask
step types
mdevctl types
C=c3d5a7e8-0d3f-4b1a-9a39-3a6c1d7f0001
A=a1b2c3d4-0d3f-4b1a-9a39-3a6c1d7f0002
mdevctl define -u $C -p 0.0.0313 -t vfio_ccw-io
mdevctl define -u $A -p matrix -t vfio_ap-passthrough
mdevctl modify -u $A --addattr=assign_adapter --value=5
mdevctl modify -u $A --addattr=assign_domain --value=4
mdevctl modify -u $A --addattr=assign_domain --value=0xab
step defined
mdevctl list --defined --verbose
step start
mdevctl start -u $C
mdevctl start -u $A
mdevctl list --verbose
step matrix
cat /sys/devices/vfio_ap/matrix/$A/matrix
step stop
mdevctl stop -u $C
mdevctl stop -u $A
mdevctl list
ls /sys/bus/mdev/devices | wc -l
step undefine
mdevctl undefine -u $C
mdevctl undefine -u $A
mdevctl list --defined
find /etc/mdevctl.d -type f ! -path '*/scripts.d/*'
SCRIPT
run "$VIRT_MDEV_SIM" run -- bash "$tmp/mdevctl.sh"
is "$rc" 0 "the mdevctl session runs without an error"
[ "$rc" = 0 ] || printf '# %s\n' "$err"
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
is "$(section types-before)" "matrix
  vfio_ap-passthrough
    Available instances: 65536
    Device API: vfio-ap
    Name: VFIO AP Passthrough Device" "mdevctl types: only the matrix while no subchannel is on vfio_ccw"
is "$(section types)" "0.0.0313
  vfio_ccw-io
    Available instances: 1
    Device API: vfio-ccw
    Name: I/O subchannel (Non-QDIO)
matrix
  vfio_ap-passthrough
    Available instances: 65536
    Device API: vfio-ap
    Name: VFIO AP Passthrough Device" "mdevctl types lists 0.0.0313 and matrix with their fields"
is "$(section defined)" "c3d5a7e8-0d3f-4b1a-9a39-3a6c1d7f0001 0.0.0313 vfio_ccw-io manual
a1b2c3d4-0d3f-4b1a-9a39-3a6c1d7f0002 matrix vfio_ap-passthrough manual
  Attrs:
    @{0}: {\"assign_adapter\":\"5\"}
    @{1}: {\"assign_domain\":\"4\"}
    @{2}: {\"assign_domain\":\"0xab\"}" "mdevctl list --defined shows both definitions with the attributes in order"
# an active device's attributes: 1.2 shows its definition's, 1.4 none without a callout
active_attrs=""
mdevctl_1_2 && active_attrs="
  Attrs:
    @{0}: {\"assign_adapter\":\"5\"}
    @{1}: {\"assign_domain\":\"4\"}
    @{2}: {\"assign_domain\":\"0xab\"}"
is "$(section start)" "c3d5a7e8-0d3f-4b1a-9a39-3a6c1d7f0001 0.0.0313 vfio_ccw-io manual (defined)
a1b2c3d4-0d3f-4b1a-9a39-3a6c1d7f0002 matrix vfio_ap-passthrough manual (defined)$active_attrs" "mdevctl start makes both active"
is "$(section matrix)" "05.0004
05.00ab" "the matrix reads back what mdevctl assigned"
is "$(section stop)" "${MDEVCTL_LIST_END}0" "mdevctl stop removes both devices"
is "$(section undefine)" "" "mdevctl undefine removes both definitions"

done_testing
