#!/bin/bash
# Every errno row of kernel-sysfs.md, as real write(2) calls against a mounted virt-mdev-sim.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse

tmp=$(mktemp -d)
trap 'sim_umount; rm -rf "$tmp"' EXIT
: >"$tmp/faults"
sim_mount "$tmp/sys" --host "$DEMO_HOST" --faults "$tmp/faults"
S=$tmp/sys
CCW_CREATE=$S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/create
AP_CREATE=$S/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create
U1=11111111-2222-4333-8444-555555555555
U2=22222222-2222-4333-8444-555555555555
U3=33333333-2222-4333-8444-555555555555

# ---- css: driver_override (2.4) ----
is "$(cat $S/bus/css/devices/0.0.0313/driver_override)" "(null)" "driver_override reads (null) when unset"
is "$(w $S/bus/css/devices/0.0.0313/driver_override $'vfio_ccw\n')" ok "driver_override takes a name"
is "$(cat $S/bus/css/devices/0.0.0313/driver_override)" "vfio_ccw" "driver_override is cut at the newline"
is "$(w $S/bus/css/devices/0.0.0313/driver_override $'\n')" ok "echo > driver_override clears it"
is "$(cat $S/bus/css/devices/0.0.0313/driver_override)" "(null)" "cleared driver_override reads (null)"

is "$(w $S/bus/css/devices/0.0.0313/driver_override "$(printf 'x%.0s' $(seq 4095))")" EINVAL "driver_override of a page or more: EINVAL"
is "$(cat $S/bus/css/devices/0.0.0313/driver_override)" "(null)" "and it is unchanged"

# ---- css: bind/unbind (2.5) ----
is "$(w $S/bus/css/drivers/vfio_ccw/unbind 0.0.0313)" ENODEV "unbind from a driver the subchannel is not bound to: ENODEV"
is "$(w $S/bus/css/drivers/io_subchannel/unbind 0.0.9999)" ENODEV "unbind of an unknown subchannel: ENODEV"
is "$(w $S/bus/css/drivers/io_subchannel/bind 0.0.0313)" EBUSY "bind of a bound subchannel: EBUSY"
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.9999)" ENODEV "bind of an unknown subchannel: ENODEV"
is "$(w $S/bus/css/drivers/io_subchannel/unbind $'0.0.0315\n')" ok "unbind takes a trailing newline"
w $S/bus/css/devices/0.0.0315/driver_override io_subchannel >/dev/null
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.0315)" ENODEV "bind against driver_override: ENODEV"
w $S/bus/css/devices/0.0.0315/driver_override $'\n' >/dev/null
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.0315)" ok "bind to vfio_ccw once the override is cleared"
ok "$([ -d $S/bus/css/devices/0.0.0315/mdev_supported_types/vfio_ccw-io ]; echo $?)" "vfio_ccw registers the vfio_ccw-io type"
ok "$([ -L $S/class/mdev_bus/0.0.0315 ]; echo $?)" "vfio_ccw adds /sys/class/mdev_bus/0.0.0315"
is "$(w $S/bus/css/drivers/io_subchannel/unbind 0.0.0a00)" ok "unbind the QDIO subchannel from io_subchannel"
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.0a00)" ENODEV "vfio_ccw refuses a QDIO subchannel: ENODEV"
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.ff40)" ENODEV "vfio_ccw refuses a CHSC subchannel: ENODEV"
is "$(w $S/bus/css/drivers/io_subchannel/bind 0.0.0a00)" ok "the QDIO subchannel goes back to io_subchannel"
ok "$([ -e $S/bus/ccw/devices/0.0.f500 ]; echo $?)" "its ccw device is back"

# ---- ccw devices (2.2, 2.6) ----
is "$(cat $S/bus/ccw/devices/0.0.2b0a/online)" 1 "the neighbour DASD is online"
is "$(w $S/bus/ccw/devices/0.0.2b0a/online 2)" EINVAL "online takes 0 or 1: EINVAL"
is "$(w $S/bus/css/devices/0.0.0314/driver/unbind 0.0.0314)" ok "unbinding io_subchannel with an online device succeeds"
ok "$([ ! -e $S/bus/ccw/devices/0.0.2b0a ]; echo $?)" "and its ccw device is gone (forced offline)"
is "$(cat $S/bus/css/devices/0.0.0314/dev_busid)" "0.0.2b0a" "dev_busid still names the device"
w $S/bus/css/drivers/io_subchannel/bind 0.0.0314 >/dev/null
is "$(cat $S/bus/ccw/devices/0.0.2b0a/online)" 0 "rebound to io_subchannel, the device comes back offline"

# ---- mdev core: create (1.3) ----
is "$(w $S/bus/css/devices/0.0.0313/driver/unbind 0.0.0313)" ok "unbind 0.0.0313 from io_subchannel"
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.0313)" ok "bind 0.0.0313 to vfio_ccw"
is "$(cat $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/available_instances)" 1 "one vfio_ccw-io instance per subchannel"
is "$(w $CCW_CREATE ${U1:0:35})" EINVAL "create with 35 bytes: EINVAL"
is "$(w $CCW_CREATE "$U1"xy)" EINVAL "create with 38 bytes: EINVAL"
is "$(w $CCW_CREATE 11111111x2222-4333-8444-555555555555)" EINVAL "create with a bad uuid: EINVAL"
is "$(w $CCW_CREATE "${U1^^}")" ok "create with an upper-case uuid (36 bytes)"
ok "$([ -d $S/bus/mdev/devices/$U1 ]; echo $?)" "the device is named in lower case, synchronously"
is "$(readlink $S/bus/mdev/devices/$U1/mdev_type | xargs basename)" vfio_ccw-io "mdev_type names the type"
is "$(cat $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/available_instances)" 0 "no instance left"
is "$(w $S/bus/css/devices/0.0.0315/mdev_supported_types/vfio_ccw-io/create $'\n'"$U2")" EINVAL "a newline first is not a uuid: EINVAL"
is "$(w $CCW_CREATE $U2$'\n')" EUSERS "a second vfio_ccw mdev on one subchannel: EUSERS"
is "$(w $AP_CREATE $U1$'\n')" EEXIST "the same uuid under another parent: EEXIST"
ok "$([ -L $S/kernel/iommu_groups/$(basename $(readlink $S/bus/mdev/devices/$U1/iommu_group))/devices/$U1 ]; echo $?)" "the mdev is in its own iommu group"

# ---- mdev core: remove (1.5) ----
is "$(w $S/bus/mdev/devices/$U1/remove abc)" EINVAL "remove with garbage: EINVAL"
is "$(w $S/bus/mdev/devices/$U1/remove 0)" ok "remove with 0 is a no-op"
ok "$([ -d $S/bus/mdev/devices/$U1 ]; echo $?)" "the device is still there after 0"
is "$(w $S/bus/mdev/devices/$U1/remove $'1\n')" ok "remove with 1"
ok "$([ ! -e $S/bus/mdev/devices/$U1 ]; echo $?)" "the device is gone"

# ---- AP bus attributes (3.2, 3.5) ----
is "$(cat $S/bus/ap/ap_domain)" 4 "ap_domain is the first usage domain"
is "$(w $S/bus/ap/ap_domain 0x100)" EINVAL "ap_domain above the maximum: EINVAL"
is "$(w $S/bus/ap/ap_domain 0xab)" ok "ap_domain takes a domain in aqmask"
is "$(cat $S/bus/ap/ap_domain)" 171 "and reads it back in decimal"
is "$(w $S/devices/ap/card05/05.0004/online 2)" EINVAL "queue online takes 0 or 1: EINVAL"
is "$(w $S/devices/ap/card05/online 0)" ok "the card goes offline"
is "$(cat $S/devices/ap/card05/05.0004/online)" 0 "its queues read offline"
is "$(w $S/devices/ap/card05/05.0004/online 1)" EINVAL "a queue cannot go online while its card is offline: EINVAL"
w $S/devices/ap/card05/online 1 >/dev/null

# ---- AP bus masks (3.3) ----
is "$(cat $S/bus/ap/apmask)" "0x$(printf 'f%.0s' $(seq 64))" "apmask starts all-ones (all reserved for the host)"
is "$(w $S/bus/ap/apmask 0X05)" EINVAL "apmask: 0X (upper case) is EINVAL"
is "$(w $S/bus/ap/apmask +256)" EINVAL "apmask: an id above 255 is EINVAL"
is "$(w $S/bus/ap/apmask '-5, -6')" EINVAL "apmask: a blank is EINVAL"
is "$(w $S/bus/ap/aqmask -010)" ok "aqmask: -010 is octal, domain 8"
is "$(cat $S/bus/ap/aqmask | cut -c3-4)" ff "aqmask: domains 0-7 untouched"
is "$(cat $S/bus/ap/aqmask | cut -c5)" 7 "aqmask: domain 8 cleared (octal 010)"
is "$(w $S/bus/ap/aqmask +8)" ok "aqmask: +8 sets it back"
is "$(w $S/bus/ap/apmask -5)" ok "apmask -5"
is "$(w $S/bus/ap/aqmask -4,-0xab)" ok "aqmask -4,-0xab"
is "$(readlink $S/devices/ap/card05/05.0004/driver | xargs basename)" vfio_ap "05.0004 moves to vfio_ap"
is "$(readlink $S/devices/ap/card06/06.0004/driver | xargs basename)" vfio_ap "06.0004 leaves the host too: aqmask frees domain 4 on every adapter"
is "$(readlink $S/devices/ap/card06/06.0047/driver | xargs basename)" cex4queue "06.0047 stays with the host"
is "$(cat $S/devices/ap/card05/05.0004/status)" unassigned "a vfio_ap queue has status"
ok "$([ ! -e $S/devices/ap/card05/05.0004/online ]; echo $?)" "a vfio_ap queue has no zcrypt online attribute"
is "$(cat $S/bus/ap/bindings)" "5/5 (complete)" "bindings counts the bound queues"
is "$(ls $S/bus/ap/drivers/vfio_ap | tr '\n' ' ')" "05.0004 05.00ab 06.0004 06.00ab bind uevent unbind " "exactly the freed APQNs are bound to vfio_ap (beside the driver's bind, uevent, unbind)"

# ---- vfio_ap assign (3.7) and read formats (3.8) ----
is "$(w $AP_CREATE $U2)" ok "create a matrix mdev"
M=$S/devices/vfio_ap/matrix/$U2
is "$(cat $M/matrix)" "" "an empty matrix reads empty"
is "$(w $M/assign_adapter ab)" EINVAL "assign_adapter 'ab' (hex without 0x): EINVAL"
is "$(w $M/assign_adapter 0x100)" ENODEV "assign_adapter above the maximum: ENODEV"
is "$(w $M/assign_adapter 99999999999999999999999)" ERANGE "assign_adapter overflow: ERANGE"
is "$(w $M/assign_adapter 6)" ok "assigning a reserved adapter with no domains yet succeeds (the cross product is empty)"
is "$(cat $M/matrix)" "06." "adapters only: 06."
is "$(w $M/assign_domain 0x47)" EADDRNOTAVAIL "06.0047 is reserved for the host: EADDRNOTAVAIL"
is "$(cat $M/matrix)" "06." "the refused domain is not kept"
is "$(w $M/unassign_adapter 6)" ok "unassign_adapter 6"
is "$(w $M/unassign_adapter 6)" ok "unassign of an unassigned adapter succeeds"
is "$(w $M/unassign_adapter 0x100)" ENODEV "unassign above the maximum: ENODEV"
is "$(w $M/assign_domain 4)" ok "assign_domain 4"
is "$(cat $M/matrix)" ".0004" "domains only: .0004"
is "$(w $M/assign_adapter 5)" ok "assign_adapter 5"
is "$(w $M/assign_domain 0xab)" ok "assign_domain 0xab"
is "$(w $M/assign_domain 0xab)" ok "re-assign is idempotent"
is "$(cat $M/matrix)" "05.0004
05.00ab" "matrix: one APQN per line"
is "$(cat $M/guest_matrix)" "05.0004
05.00ab" "guest_matrix: both queues are bound to vfio_ap"
is "$(cat $S/devices/ap/card05/05.0004/status)" assigned "the queue's status is assigned"
is "$(w $M/assign_control_domain 0xac)" ok "assign_control_domain has no mask checks"
is "$(w $M/assign_control_domain 0x100)" ENODEV "assign_control_domain above the maximum: ENODEV"
is "$(cat $M/control_domains)" "00ac" "control_domains: %04lx per line"
is "$(cat $M/ap_config)" "0x0400000000000000000000000000000000000000000000000000000000000000,0x0800000000000000000000000000000000000000001000000000000000000000,0x0000000000000000000000000000000000000000000800000000000000000000" "ap_config: apm,aqm,adm"
is "$(w $S/bus/ap/apmask +5)" ok "apmask +5 takes nothing from the mdev while domains 4, 0xab are unreserved"
is "$(w $S/bus/ap/aqmask +4)" EBUSY "aqmask +4 would take 05.0004 from the mdev: EBUSY"
is "$(cat $S/bus/ap/aqmask | cut -c3)" f "the refused mask is unchanged"
w $S/bus/ap/apmask -5 >/dev/null

U4=44444444-2222-4333-8444-555555555555
is "$(w $AP_CREATE $U4)" ok "create a second matrix mdev"
M4=$S/devices/vfio_ap/matrix/$U4
is "$(w $M4/assign_domain 4)" ok "the second takes domain 4"
is "$(w $M4/assign_adapter 5)" EADDRINUSE "05.0004 is the first mdev's: EADDRINUSE"
is "$(cat $M4/matrix)" ".0004" "the refused adapter is not kept"

# ---- ap_config (3.9) ----
z=$(printf '0%.0s' $(seq 64))
is "$(w $M4/ap_config "0x$z,0x$z")" EINVAL "ap_config with two masks: EINVAL"
is "$(w $M4/ap_config "0xg,0x$z,0x$z")" EINVAL "ap_config with a bad digit: EINVAL"
is "$(w $M4/ap_config "0x04,0x08,0x$z")" EADDRINUSE "ap_config overlapping the first mdev: EADDRINUSE"
is "$(cat $M4/matrix)" ".0004" "a refused ap_config changes nothing"
is "$(w $M4/ap_config "0x04,$(printf '0x%041d2' 0),0x$z"$'\n')" ok "ap_config 05 x 0xa6 (short masks are padded on the right)"
is "$(cat $M4/matrix)" "05.00a6" "ap_config sets the whole matrix at once"
is "$(w $M4/ap_config "0x06,$(printf '0x%017d1' 0),0x$z")" EADDRNOTAVAIL "ap_config with 06.0047, reserved for the host: EADDRNOTAVAIL"
is "$(w $M4/ap_config "0x$(printf '0%.0s' $(seq 65)),0x$z,0x$z")" EINVAL "ap_config with 65 digits: EINVAL"
is "$(cat $M4/matrix)" "05.00a6" "refused ap_config writes change nothing"

# ---- read-only and write-only attributes ----
is "$(w $S/bus/ap/bindings 1)" EACCES "writing a read-only attribute: EACCES"
ok "$(cat $AP_CREATE >/dev/null 2>&1; [ $? != 0 ]; echo $?)" "reading create fails"

# ---- fault injection ----
printf '# fail the 2nd bind to vfio_ccw, and any first assign_domain\nbus/css/drivers/vfio_ccw/bind 2 EIO\n/sys/devices/vfio_ap/matrix/*/assign_domain 1 ENOSPC\n' >"$tmp/faults"
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.9998)" ENODEV "first bind after the rule: the model answers"
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.9998)" EIO "second bind: the injected EIO"
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.9998)" ENODEV "the rule fires once"
is "$(w $M4/assign_domain 0xa7)" ENOSPC "a wildcard rule matches the mdev's assign_domain"
is "$(cat $M4/matrix)" "05.00a6" "an injected failure changes nothing"
: >"$tmp/faults"
is "$(w $M4/assign_domain 0xa7)" ok "an emptied control file removes the rules"

# ---- an attribute removed under its held write: the write fails as kernfs fails it ----
echo "delay devices/css0/0.0.0315/mdev_supported_types/vfio_ccw-io/create 1 2000" >"$tmp/faults"
w $S/bus/css/devices/0.0.0315/mdev_supported_types/vfio_ccw-io/create "$U2" >"$tmp/held.create" &
pid=$!
sleep 0.3
r0=$(date +%s%N)
is "$(w $S/bus/css/drivers/vfio_ccw/unbind 0.0.0315)" ok "the unbind of 0.0.0315 from vfio_ccw during a held create goes first"
wait "$pid"
: >"$tmp/faults"
is "$(cat "$tmp/held.create")" ENODEV "the create, its attribute gone, fails with ENODEV"
ok "$([ ! -e $S/bus/css/devices/0.0.0315/$U2 ] && [ ! -e $S/bus/css/devices/0.0.0315/mdev_supported_types ]; echo $?)" "and makes nothing"
is "$(w $S/bus/css/drivers/vfio_ccw/bind 0.0.0315)" ok "0.0.0315 binds to vfio_ccw again"

sim_umount
ok "$(grep -q " $S fuse" /proc/mounts; [ $? = 1 ]; echo $?)" "the mount is gone after stopping the simulator"

# ---- a held write holds its own writer only: more at once than libfuse's 10 threads ----
: >"$tmp/faults"
sim_mount "$tmp/gen" --generate 16 --faults "$tmp/faults"
G=$tmp/gen
held=("$G"/bus/css/devices/*/driver_override)
# each write is the Kth of one rule (every rule counts every write)
for k in $(seq ${#held[@]}); do echo "delay devices/css0/*/driver_override $k 3000"; done >"$tmp/faults"
t0=$(date +%s%N)
pids=()
for o in "${held[@]}"; do
	w "$o" $'\n' >"$tmp/gen-held.${#pids[@]}" &
	pids+=($!)
done
sleep 0.5
r0=$(date +%s%N)
mask=$(cat "$G/bus/ap/apmask")
read_ms=$((($(date +%s%N) - r0) / 1000000))
for p in "${pids[@]}"; do wait "$p"; done
all_ms=$((($(date +%s%N) - t0) / 1000000))
: >"$tmp/faults"
ok "$([ "${#held[@]}" -ge 11 ] && [ "$(cat "$tmp"/gen-held.* | sort -u)" = ok ]; echo $?)" \
	"${#held[@]} writes held 3 s each at once all succeed"
ok "$([ -n "$mask" ] && [ "$read_ms" -lt 1500 ]; echo $?)" \
	"meanwhile a read answers at once ($read_ms ms): nothing else waits for them"
ok "$([ "$all_ms" -lt 5400 ]; echo $?)" "and they end together ($all_ms ms for ${#held[@]} writes of 3 s)"
sim_umount

# ---- kernel 5.15: no ap_config, no guest_matrix, no queue status; EADDRNOTAVAIL by binding ----
sim_mount "$tmp/old" --host "$DEMO_HOST" --kernel 5.15
O=$tmp/old
w $O/bus/ap/apmask -5 >/dev/null
w $O/bus/ap/aqmask -4 >/dev/null
w $O/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create $U3 >/dev/null
OM=$O/devices/vfio_ap/matrix/$U3
ok "$([ ! -e $OM/ap_config ] && [ ! -e $OM/guest_matrix ]; echo $?)" "5.15: no ap_config, no guest_matrix"
ok "$([ ! -e $O/devices/ap/card05/05.0004/status ]; echo $?)" "5.15: no queue status"
is "$(readlink $OM/driver | xargs basename)" vfio_mdev "5.15: the mdev driver is vfio_mdev"
is "$(w $OM/assign_adapter 5)" ok "5.15: assign_adapter 5"
is "$(w $OM/assign_domain 0x47)" EADDRNOTAVAIL "5.15: 05.0047 has no queue bound to vfio_ap: EADDRNOTAVAIL"
is "$(w $OM/assign_domain 4)" ok "5.15: 05.0004 is bound to vfio_ap"
sim_umount

# ---- small maxima: ENODEV from ap_config's overflow check ----
cat >"$tmp/small.xml" <<'XML'
<host><ap max-adapter-id="15" max-domain-id="15" apmask="none" aqmask="none"><card id="05" domains="4"/></ap></host>
XML
sim_mount "$tmp/small" --host "$tmp/small.xml"
w $tmp/small/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create $U3 >/dev/null
SM=$tmp/small/devices/vfio_ap/matrix/$U3
is "$(cat $tmp/small/bus/ap/ap_max_domain_id)" 15 "a host with 16 domains"
is "$(w $SM/ap_config "0x04,0x00008,0x$z")" ENODEV "ap_config with domain 16 above the maximum 15: ENODEV"
is "$(w $SM/assign_domain 16)" ENODEV "assign_domain 16: ENODEV"
is "$(w $SM/ap_config "0x04,0x08,0x$z")" ok "ap_config within the maxima"
is "$(cat $SM/matrix)" "05.0004" "the matrix"
sim_umount

run "$VIRT_MDEV_SIM" mount --kernel 4.19 "$tmp/x"
is "$rc" 2 "an unsupported kernel is a usage error"
is "$err" "virt-mdev-sim: invalid kernel version '4.19': write MAJOR.MINOR from 5.15 on, or newest (e.g. 6.10 or 5.15)" "the message names the value and the rule"

done_testing
