#!/bin/bash
# virt-mdev list and show against a mounted virt-mdev-sim: tables, JSON, the domains from
# libvirt (test driver), exit 3 for what is not there, and agreement with mdevctl.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
private_run # the test driver would make /run/libvirt/common

tmp=$(mktemp -d)
trap 'sim_umount; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/etc/mdevctl.d/matrix" "$tmp/root/run/lock"
sim_mount "$tmp/root/sys" --host "$DEMO_HOST"
S=$tmp/root/sys
C=11111111-2222-4333-8444-555555555555
A=22222222-2222-4333-8444-555555555555
# a libvirt test-driver host with one s390x domain that uses the vfio-ccw mdev
cat >"$tmp/libvirt.xml" <<XML
<node>
  <domain type='test'>
    <name>guest1</name>
    <memory>1048576</memory>
    <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>
    <devices>
      <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-ccw'>
        <source><address uuid='$C'/></source>
        <address type='ccw' cssid='0xfe' ssid='0x0' devno='0x1234'/>
      </hostdev>
    </devices>
  </domain>
</node>
XML
vm() { "$VIRT_MDEV" --root "$tmp/root" -c "test://$tmp/libvirt.xml" "$@"; }
vm ccw bind 0.0.2b09 >/dev/null
vm ap reserve 05.0004 05.00ab >/dev/null
w $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/create $C >/dev/null
printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": [\n    {"assign_adapter": "5"},\n    {"assign_domain": "4"},\n    {"assign_domain": "0xab"}\n  ]\n}\n' >"$tmp/root/etc/mdevctl.d/matrix/$A"

run vm list ccw
is "$rc" 0 "list ccw exits 0"
is "$(printf '%s\n' "$out" | sed -n 2p)" "0.0.0313   0.0.2b09  I/O   vfio_ccw       -      -        -        $C" "the reference subchannel: on vfio_ccw, with its mdev"
is "$(printf '%s\n' "$out" | sed -n 3p)" "0.0.0314   0.0.2b0a  I/O   io_subchannel  yes    3990/e9  3390/0c  -" "the online neighbour"
is "$(printf '%s\n' "$out" | sed -n 8p)" "0.0.ff40   -         CHSC  -              -      -        -        -" "the CHSC subchannel"
run vm list ap
is "$out" "APQN     TYPE   OWNER    DRIVER     MDEV
05.0004  CEX6C  vfio_ap  vfio_ap    $A
05.00ab  CEX6C  vfio_ap  vfio_ap    $A
06.0004  CEX7A  host     cex4queue  -
06.0047  CEX7A  host     cex4queue  -
06.00ab  CEX7A  host     cex4queue  -" "list ap: owner by mask, driver, and the (defined) mdev that holds each queue (the reserve cleared adapter 5 alone: card 06 stays the host's)"
run vm list mdev
is "$out" "UUID                                 PARENT    TYPE                 STATE          AUTOSTART APQNS            DOMAINS
$C 0.0.0313  vfio_ccw-io          active         no        -                guest1
$A matrix    vfio_ap-passthrough  defined        yes       05.0004,05.00ab  -" "list mdev: state from sysfs and mdevctl, APQNs from the definition, the domain from libvirt"
is "$err" "" "libvirt was reachable: no note"
run vm list types
is "$out" "PARENT    TYPE                 AVAILABLE DEVICE_API NAME
0.0.0313  vfio_ccw-io          0         vfio-ccw   I/O subchannel (Non-QDIO)
matrix    vfio_ap-passthrough  65536     vfio-ap    VFIO AP Passthrough Device" "list types: every parent's types with available instances"
run vm -j list
is "$(printf '%s' "$out" | jq -r '[(.subchannels|length), (.queues|length), (.mdevs|length), (.types|length), .libvirt.reachable] | @tsv')" "8	5	2	2	true" "list --json: every section in one document"
is "$(printf '%s' "$out" | jq -r '.mdevs[] | select(.uuid=="'$C'") | .domains[0]')" guest1 "the JSON names the domain"

# libvirt not reachable: said once, the listing goes on from sysfs and mdevctl
run "$VIRT_MDEV" --root "$tmp/root" -c "qemu:///system?socket=$tmp/nonexistent.sock" list mdev
is "$rc" 0 "list mdev without libvirt exits 0"
is "$(printf '%s\n' "$err" | grep -c 'note: cannot connect to libvirt')" 1 "it says once that libvirt was not reachable"
is "$out" "UUID                                 PARENT    TYPE                 STATE          AUTOSTART APQNS            DOMAINS
$C 0.0.0313  vfio_ccw-io          active         no        -                -
$A matrix    vfio_ap-passthrough  defined        yes       05.0004,05.00ab  -" "and still lists the mdevs and the definitions (no domains)"

# show
run vm show 2b09
is "$rc" 0 "show of a busid"
has_line "$out" "subchannel: 0\.0\.0313" "names the subchannel"
has_line "$out" "mdev: $C" "and its mdev"
run vm -j show 0.0.0313
is "$(printf '%s' "$out" | jq -r '[.subchannel, .device, .driver, .mdev] | @tsv')" "0.0.0313	0.0.2b09	vfio_ccw	$C" "show --json of a subchannel"
run vm show $C
is "$out" "uuid: $C
parent: 0.0.0313
type: vfio_ccw-io
state: active
autostart: no
domains: guest1" "show of a uuid: the mdev, and the domains that use it"
run vm show ${A^^}
is "$out" "uuid: $A
parent: matrix
type: vfio_ap-passthrough
state: defined
autostart: yes
apqns: 05.0004,05.00ab
control domains: -
domains: -" "show of an upper-case uuid finds the defined vfio-ap mdev"
run vm show 5.4
is "$out" "apqn: 05.0004
owner: vfio_ap (freed by apmask or aqmask)
driver: vfio_ap
mdev: $A" "show of an APQN says who owns it, its driver and its mdev"
run vm show 06.0099
is "$rc" 3 "an unknown APQN is exit 3"
is "$err" "virt-mdev: no AP queue 06.0099 on this host (searched the AP bus's devices; 'virt-mdev list ap' shows them)" "the message names what was searched"
run vm show 33333333-2222-4333-8444-555555555555
is "$rc" 3 "an unknown uuid is exit 3"
is "$err" "virt-mdev: no mdev '33333333-2222-4333-8444-555555555555' on this host (searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev list mdev' shows them)" "and says where it looked"
run vm show 0.0.9999
is "$rc" 3 "an unknown busid is exit 3"
run vm show nonsense
is "$rc" 2 "an ID of no known form is exit 2"
is "$err" "virt-mdev: invalid ID 'nonsense': not a busid (0.0.2b09), subchannel (0.0.0313), uuid or APQN (05.0004)
Try 'virt-mdev help show'." "and the message lists the forms"
run vm list frob
is "$rc" 2 "an unknown section is exit 2"
X=55555555-2222-4333-8444-555555555555
vm ap reserve 06.0004 >/dev/null # domain 4: 05.0004 is free already, so it takes no other queue
w $S/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create $X >/dev/null
w $S/devices/vfio_ap/matrix/$X/assign_adapter 6 >/dev/null
w $S/devices/vfio_ap/matrix/$X/assign_domain 4 >/dev/null
w $S/devices/vfio_ap/matrix/$X/assign_control_domain 0xac >/dev/null
run vm show $X
has_line "$out" "apqns: 06\.0004" "show of an active vfio-ap mdev: its matrix from sysfs"
has_line "$out" "control domains: 0xac" "and its control domains"
run vm list ap
is "$(printf '%s\n' "$out" | sed -n 4p)" "06.0004  CEX7A  vfio_ap  vfio_ap    $X" "list ap names the active mdev that holds 06.0004"
sim_umount

# interop: list --json agrees with mdevctl on the same simulated host
if command -v mdevctl >/dev/null; then
	cat >"$tmp/interop.sh" <<SCRIPT
set -e
V="$VIRT_MDEV -c test:///default"
\$V ccw bind 0.0.2b09 >/dev/null
\$V ccw bind 0.0.2b0b >/dev/null
\$V ap reserve 05.0004 05.00ab >/dev/null
mdevctl define -u $C -p 0.0.0313 -t vfio_ccw-io
mdevctl start -u $C
mdevctl start -u 44444444-2222-4333-8444-555555555555 -p 0.0.0315 -t vfio_ccw-io
mdevctl define -u $A -p matrix -t vfio_ap-passthrough
mdevctl modify -u $A --addattr=assign_adapter --value=5
mdevctl modify -u $A --addattr=assign_domain --value=0xab
mdevctl modify -u $A --auto
echo "== mdevctl-list"
{ mdevctl list --dumpjson; mdevctl list --defined --dumpjson; } | jq -r '.[] | to_entries[] | .key as \$p | .value[] | to_entries[] | "\(.key) \(\$p) \(.value.mdev_type)"' | sort -u
echo "== virt-mdev-list"
\$V -j list mdev | jq -r '.mdevs[] | "\(.uuid) \(.parent) \(.type)"' | sort -u
echo "== mdevctl-defined"
mdevctl list --defined --dumpjson | jq -r '.[] | to_entries[] | .key as \$p | .value[] | to_entries[] | "\(.key) \(.value.start) \([.value.attrs[]? | to_entries[] | "\(.key)=\(.value)"] | join(","))"' | sort
echo "== virt-mdev-defined"
\$V -j list mdev | jq -r '.mdevs[] | select(.defined) | "\(.uuid) \(if .autostart then "auto" else "manual" end) \(if .apqns then (.apqns|join(",")) else "" end)"' | sort
echo "== mdevctl-types"
mdevctl types --dumpjson | jq -r '.[] | to_entries[] | .key as \$p | .value[] | to_entries[] | "\(\$p) \(.key) \(.value.available_instances) \(.value.device_api) \(.value.name)"' | sort
echo "== virt-mdev-types"
\$V -j list types | jq -r '.types[] | "\(.parent) \(.type) \(.available_instances) \(.device_api) \(.name)"' | sort
echo "== end"
SCRIPT
	run "$VIRT_MDEV_SIM" run -- bash "$tmp/interop.sh"
	is "$rc" 0 "the interop session runs"
	[ "$rc" = 0 ] || printf '# %s\n' "$err"
	section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
	ok "$([ "$(section mdevctl-list | wc -l)" = 3 ]; echo $?)" "mdevctl knows three mdevs"
	is "$(section virt-mdev-list)" "$(section mdevctl-list)" "list mdev --json names the same uuids, parents and types as mdevctl list --dumpjson (active and defined)"
	is "$(section virt-mdev-defined)" "$C manual 
$A auto 05.00ab" "the definitions as virt-mdev reads them"
	is "$(section mdevctl-defined)" "$C manual 
$A auto assign_adapter=5,assign_domain=0xab" "and as mdevctl has them"
	is "$(section virt-mdev-types)" "$(section mdevctl-types)" "list types --json agrees with mdevctl types --dumpjson"
else
	skip "mdevctl is not installed (apt-get install mdevctl)" "the interop session runs" "mdevctl knows three mdevs" \
		"list mdev --json names the same uuids, parents and types as mdevctl list --dumpjson (active and defined)" \
		"the definitions as virt-mdev reads them" "and as mdevctl has them" "list types --json agrees with mdevctl types --dumpjson"
fi

done_testing
