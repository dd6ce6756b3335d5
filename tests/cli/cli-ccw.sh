#!/bin/bash
# virt-mdev ccw bind/unbind against a mounted virt-mdev-sim: effects, refusals that change
# nothing, dry run, idempotence, rollback under fault injection, driverctl interop.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse

tmp=$(mktemp -d)
trap 'sim_umount; rm -rf "$tmp"' EXIT
: >"$tmp/faults"
mkdir -p "$tmp/root/etc/driverctl.d" "$tmp/root/etc/mdevctl.d" "$tmp/root/run/lock"
sim_mount "$tmp/root/sys" --host "$DEMO_HOST" --faults "$tmp/faults"
S=$tmp/root/sys
vm() { "$VIRT_MDEV" --root "$tmp/root" "$@"; }
snapshot() { { dump_tree "$S"; ls -la "$tmp/root/etc/driverctl.d" | sed 1d | awk '{print $NF}'; } >"$tmp/$1"; }
same() { cmp -s "$tmp/$1" "$tmp/$2"; }

# ---- completion offers the devices and subchannels of the host named by --root ----
if [ -r /usr/share/bash-completion/bash_completion ]; then
	comp=$(bash -c '. /usr/share/bash-completion/bash_completion 2>/dev/null; . "$1/bash-completion/virt-mdev"; PATH="$2/src:$PATH"
		COMP_WORDS=(virt-mdev --root "$3" ccw bind ""); COMP_CWORD=5; _virt_mdev; printf "%s\n" "${COMPREPLY[@]}"' \
		x "$top_srcdir" "$top_builddir" "$tmp/root" | tr '\n' ' ')
	is "$comp" "0.0.2b09 0.0.0313 0.0.2b0a 0.0.0314 0.0.2b0b 0.0.0315 0.0.f500 0.0.0a00 0.0.f501 0.0.0a01 0.0.f502 0.0.0a02 0.1.0580 0.1.0020 " "completion offers busids and subchannels of I/O subchannels"
else
	skip "bash-completion is not installed (apt-get install bash-completion)" "completion offers busids and subchannels of I/O subchannels"
fi

# ---- dry run: the classic manual steps, nothing changed ----
snapshot before
ok "$([ "$(wc -l <"$tmp/before")" -gt 200 ] && grep -q '^./bus/ap/apmask:0xff' "$tmp/before"; echo $?)" "a snapshot holds the whole tree ($(wc -l <"$tmp/before") lines)"
run vm -n ccw bind 0.0.2b09
is "$rc" 0 "dry run of ccw bind exits 0"
is "$out" "# unbind subchannel 0.0.0313 from io_subchannel
echo 0.0.0313 > $S/bus/css/devices/0.0.0313/driver/unbind
# set the driver override of subchannel 0.0.0313 to vfio_ccw
echo vfio_ccw > $S/bus/css/devices/0.0.0313/driver_override
# bind subchannel 0.0.0313 to vfio_ccw
echo 0.0.0313 > $S/bus/css/drivers/vfio_ccw/bind" "the dry run prints the manual steps as commands"
snapshot after
ok "$(same before after; echo $?)" "the dry run changes nothing"
run vm -n -j ccw bind 2b09
is "$(printf '%s' "$out" | jq -r '[.dry_run, .changed, (.steps|length), .steps[2].status] | @tsv')" "true	false	3	planned" "the JSON dry run lists three planned steps"

# ---- refusals: exit code, message, and the tree byte for byte unchanged ----
refuse 4 "virt-mdev: cannot bind subchannel '0.0.0314' to vfio_ccw: device 0.0.2b0a is online, in use by the host \(use 'chccwdev -d 0.0.2b0a' or --force\)" \
	"an online DASD" ccw bind 0.0.2b0a
refuse 4 "virt-mdev: cannot bind subchannel '0.0.0a00' to vfio_ccw: device 0.0.f500 is a QDIO device \(control unit 1731/01, driver qeth\), which vfio_ccw refuses; pass QDIO network or FCP devices to guests another way" \
	"a QDIO device" ccw bind 0.0.f500
refuse 4 "virt-mdev: cannot bind subchannel '0.0.ff40' to vfio_ccw: it is a CHSC subchannel \(type 1\); vfio_ccw drives I/O subchannels only \(pick a DASD or tape device, see 'virt-mdev list ccw'\)" \
	"a CHSC subchannel" ccw bind 0.0.ff40
refuse 3 "virt-mdev: no ccw device or subchannel '0.0.9999' on this host \(searched the ccw devices, the subchannels' dev_busid and the subchannels; 'virt-mdev list ccw' shows them\)" \
	"an unknown device" ccw bind 0.0.9999
refuse 2 "virt-mdev: invalid ccw device or subchannel '0\.4\.2b09': expected 0\.<ssid>\.<devno> with 4 hex digits \(write it as e\.g\. 0\.0\.2b09, or 2b09\)" \
	"a bad device id" ccw bind 0.4.2b09
refuse 2 "virt-mdev: ccw: unknown action 'frob' \(expected bind or unbind\)" "an unknown action" ccw frob 0.0.2b09
refuse 2 "virt-mdev: ccw: --force is for ccw bind, assign; ccw unbind does not take it" "--force with unbind" ccw unbind --force 0.0.2b09

# ---- bind: the effect, read back; a second run changes nothing ----
run vm ccw bind 0.0.2b09
is "$rc" 0 "ccw bind 0.0.2b09 exits 0"
is "$out" "done: unbind subchannel 0.0.0313 from io_subchannel
done: set the driver override of subchannel 0.0.0313 to vfio_ccw
done: bind subchannel 0.0.0313 to vfio_ccw" "each step is reported as it is done"
is "$(basename "$(readlink $S/bus/css/devices/0.0.0313/driver)")" vfio_ccw "the subchannel is bound to vfio_ccw"
is "$(cat $S/bus/css/devices/0.0.0313/driver_override)" vfio_ccw "its driver_override is vfio_ccw"
ok "$([ -d $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io ]; echo $?)" "the vfio_ccw-io type is there"
run vm -j ccw bind 0.0.2b09
is "$rc" 0 "the second bind exits 0"
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps|length)] | @tsv')" "false	0" "the second bind reports changed: false and no step"
run vm ccw bind 0.0.0313
is "$out" "nothing to do: subchannel 0.0.0313 of device 0.0.2b09 is already bound to vfio_ccw" "found by its subchannel (the ccw device is gone: dev_busid)"

# ---- unbind refused while an mdev exists ----
U=11111111-2222-4333-8444-555555555555
w $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/create $U >/dev/null
refuse 4 "virt-mdev: cannot unbind subchannel '0.0.0313' from vfio_ccw: mdev $U exists on it; remove it first \('virt-mdev remove $U'\)" \
	"unbind with an mdev" ccw unbind 0.0.2b09
w $S/bus/mdev/devices/$U/remove 1 >/dev/null

# ---- unbind: back to the host, the device reappears ----
run vm ccw unbind 2b09
is "$rc" 0 "ccw unbind exits 0"
is "$(basename "$(readlink $S/bus/css/devices/0.0.0313/driver)")" io_subchannel "the subchannel is back on io_subchannel"
is "$(cat $S/bus/css/devices/0.0.0313/driver_override)" "(null)" "the override is cleared"
is "$(cat $S/bus/ccw/devices/0.0.2b09/online)" 0 "the DASD is back, offline"
run vm -j ccw unbind 2b09
is "$(printf '%s' "$out" | jq -r .changed)" false "the second unbind reports changed: false"

# ---- --force sets an online device offline first, as its own step ----
run vm ccw bind --force 0.0.2b0a
is "$rc" 0 "ccw bind --force of the online DASD"
is "$out" "done: set ccw device 0.0.2b0a offline (--force)
done: unbind subchannel 0.0.0314 from io_subchannel
done: set the driver override of subchannel 0.0.0314 to vfio_ccw
done: bind subchannel 0.0.0314 to vfio_ccw" "setting it offline is the first step, then the bind's three"
is "$(basename "$(readlink $S/bus/css/devices/0.0.0314/driver)")" vfio_ccw "0.0.0314 is on vfio_ccw"
vm ccw unbind 0.0.2b0a >/dev/null
echo 1 >$S/bus/ccw/devices/0.0.2b0a/online

# ---- fault injection at every step: the rollback restores the original state ----
# fault RULE MESSAGE: ccw bind 0.0.2b09 with RULE fails with exactly MESSAGE, and is rolled back
fault() {
	local rule=$1
	snapshot before
	echo "$rule" >"$tmp/faults"
	run vm ccw bind 0.0.2b09
	: >"$tmp/faults"
	is "$rc" 1 "fault '$rule': exit 1 (failed, rolled back)"
	is "$err" "$2" "fault '$rule': the message says what failed and what was undone"
	snapshot after
	ok "$(same before after; echo $?)" "fault '$rule': the tree is as before"
}
fault "bus/css/drivers/io_subchannel/unbind 1 EIO" \
	"virt-mdev: cannot unbind subchannel 0.0.0313 from io_subchannel (echo 0.0.0313 > $S/bus/css/devices/0.0.0313/driver/unbind: Input/output error); nothing was changed"
fault "devices/css0/0.0.0313/driver_override 1 ENOMEM" \
	"virt-mdev: cannot set the driver override of subchannel 0.0.0313 to vfio_ccw (echo vfio_ccw > $S/bus/css/devices/0.0.0313/driver_override: Cannot allocate memory); undone: unbind subchannel 0.0.0313 from io_subchannel"
fault "bus/css/drivers/vfio_ccw/bind 1 EBUSY" \
	"virt-mdev: cannot bind subchannel 0.0.0313 to vfio_ccw (echo 0.0.0313 > $S/bus/css/drivers/vfio_ccw/bind: Device or resource busy); undone: set the driver override of subchannel 0.0.0313 to vfio_ccw; unbind subchannel 0.0.0313 from io_subchannel"
# the last step, the driverctl file: a directory in its place makes it fail
mkdir "$tmp/root/etc/driverctl.d/css-0.0.0313"
snapshot before
run vm ccw bind --persistent 0.0.2b09
is "$rc" 1 "a failing driverctl file: exit 1"
F=$tmp/root/etc/driverctl.d/css-0.0.0313
is "$err" "virt-mdev: cannot make the binding of subchannel 0.0.0313 persistent (driverctl override) (echo vfio_ccw > $F: $F is a directory, not a file: nothing was written (move it away)); undone: bind subchannel 0.0.0313 to vfio_ccw; set the driver override of subchannel 0.0.0313 to vfio_ccw; unbind subchannel 0.0.0313 from io_subchannel" \
	"every earlier step is undone, in reverse"
snapshot after
ok "$(same before after; echo $?)" "a failing driverctl file: the tree is as before"
rmdir "$tmp/root/etc/driverctl.d/css-0.0.0313"

# ---- --persistent: driverctl's own file ----
run vm ccw bind --persistent 0.0.2b09
is "$rc" 0 "ccw bind --persistent"
is "$(cat "$tmp/root/etc/driverctl.d/css-0.0.0313")" vfio_ccw "driverctl's override file names vfio_ccw"
run vm ccw unbind 0.0.2b09
is "$err" "virt-mdev: note: a persistent driverctl override still binds subchannel 0.0.0313 to vfio_ccw at boot (add --persistent to remove it)" "unbind without --persistent says the override stays"
run vm ccw unbind --persistent 0.0.2b09
is "$rc" 0 "ccw unbind --persistent"
ok "$([ ! -e "$tmp/root/etc/driverctl.d/css-0.0.0313" ]; echo $?)" "the override file is gone"
sim_umount

# ---- interop: driverctl -b css list-overrides shows a --persistent binding ----
if command -v driverctl >/dev/null; then
	run "$VIRT_MDEV_SIM" run -- sh -c "'$VIRT_MDEV' ccw bind --persistent 0.0.2b09 >/dev/null && driverctl -b css list-overrides && cat /etc/driverctl.d/css-0.0.0313"
	is "$rc" 0 "bind --persistent and driverctl inside virt-mdev-sim run"
	is "$out" "0.0.0313 vfio_ccw
vfio_ccw" "driverctl -b css list-overrides shows the binding, and its file is driverctl's"
else
	skip "driverctl is not installed (apt-get install driverctl)" "bind --persistent and driverctl inside virt-mdev-sim run" \
		"driverctl -b css list-overrides shows the binding, and its file is driverctl's"
fi

done_testing
