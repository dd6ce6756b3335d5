#!/bin/bash
# One mdev serves one guest: two s390x domains of a private libvirtd (QEMU driver) and the
# sysfs backend on a mounted virt-mdev-sim. assign/attach of an mdev the other domain
# references are refused before anything changes (the tree, the definitions and the dumpxml
# of every domain compared whole); --shared --config lets a stand-by guest's definition have
# it too; unassign from one keeps the mdev and its device while the other references it, and
# the unassign from the last one gives everything back. For vfio-ccw and vfio-ap.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
[ -x /usr/bin/qemu-system-s390x ] || skip_all "qemu-system-s390x is not installed (apt-get install qemu-system-misc)"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"
# the private libvirtd binds its directories over libvirt's: only in a private mount namespace
private_run
. "$top_srcdir/tests/sim/private-libvirtd.sh"

tmp=$(mktemp -d)
trap 'sim_umount; libvirtd_stop; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/etc/driverctl.d" "$tmp/root/etc/mdevctl.d" "$tmp/root/run/lock"
libvirtd_start || { echo "Bail out! the private libvirtd did not start"; exit 1; }
export LIBVIRT_DEFAULT_URI=$uri
S=$tmp/root/sys
sim_mount "$S" --host "$DEMO_HOST"
vm() { "$VIRT_MDEV" --root "$tmp/root" --backend sysfs "$@"; }
# the whole state a refusal must leave as it was: the simulated tree, every file under etc
# (driverctl's overrides, mdevctl's definitions) with its content, and both domains' XML
snapshot() {
	{
		dump_tree "$S"
		(cd "$tmp/root/etc" && find . -printf '%p %y\n' | sort && find . -type f -print0 | sort -z | xargs -0r grep -H -- '')
		for d in A B; do
			virsh dumpxml $d
			virsh dumpxml --inactive $d
		done
	} >"$tmp/$1"
}
same() { cmp -s "$tmp/$1" "$tmp/$2"; }
uuids() { virsh dumpxml --inactive "$1" | xmllint --xpath '/domain/devices/hostdev/source/address/@uuid' - 2>/dev/null | tr -d ' ' | sed 's/uuid=//; s/"//g'; }
U1=11111111-2222-4333-8444-000000000001
A1=aaaaaaaa-2222-4333-8444-000000000001

# two guests as the demo's: A and B
for d in A B; do
	sed "s|<name>virt-mdev-demo</name>|<name>$d</name>|" "$top_srcdir/xml-templates/domain-s390x-demo.xml" >"$tmp/$d.xml"
	virsh define "$tmp/$d.xml" >/dev/null
done
is "$(virsh list --all --name | sed '/^$/d' | sort | tr '\n' ' ')" "A B " "two s390x domains are defined, A and B (QEMU driver)"
snapshot clean

# ---- vfio-ccw: DASD 0.0.2b09 ----
run vm assign A ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1
is "$rc.$(uuids A)" "0.$U1" "assign A ccw 0.0.2b09: A holds the mdev"
refuse 4 "virt-mdev: cannot attach mdev $U1 to domain 'B': libvirt domain A uses it, and one mdev serves one guest \(detach it first: 'virt-mdev detach A $U1'; or, for a stand-by guest that runs only while A is off, add --shared --config\)" \
	"assign B of the DASD A has" assign B ccw 0.0.2b09
refuse 4 "virt-mdev: cannot attach mdev $U1 to domain 'B': libvirt domain A uses it, and one mdev serves one guest \(detach it first: 'virt-mdev detach A $U1'; or, for a stand-by guest that runs only while A is off, add --shared --config\)" \
	"attach B of the mdev A has" attach B $U1
refuse 4 "virt-mdev: cannot attach mdev $U1 to domain 'B': libvirt domain A uses it, and one mdev serves one guest \(detach it first: 'virt-mdev detach A $U1'; or, for a stand-by guest that runs only while A is off, add --shared --config\)" \
	"assign B --persistent of the DASD A has (nothing of the persistence is written)" assign B ccw 0.0.2b09 --persistent
run vm -j assign B ccw 0.0.2b09
is "$rc.$(printf '%s' "$out" | jq -r '[.error.exit_code, (.error.message | test("libvirt domain A uses it"))] | @tsv')" "4.4	true" "-j: the refusal is the JSON error, naming A"
run vm -j assign A ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1
is "$rc.$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "0.false	0" "assign A again: nothing to do (the same domain has it)"
refuse 2 "virt-mdev: assign: --shared lets only a persistent definition have an mdev another domain references, never a running guest: use it with --config, not --live" \
	"--shared with --live" assign B ccw 0.0.2b09 --shared --live
run vm assign B ccw 0.0.2b09 --shared --config --devno fe.0.1234
is "$rc" 0 "assign B --shared --config: allowed for a stand-by guest"
is "$err" "virt-mdev: note: --shared: mdev $U1 is in the definition of libvirt domain A too; only one of B and A may run at a time" "and it warns that only one of them may run"
is "$out" "done: attach vfio-ccw mdev $U1 to domain B as devno fe.0.1234 (persistent definition)" "the one step: B's definition gets the mdev"
is "$(uuids A).$(uuids B)" "$U1.$U1" "both definitions hold the mdev"
run vm -j list mdev
is "$(printf '%s' "$out" | jq -c ".mdevs[] | select(.uuid == \"$U1\") | .domains")" '["A","B"]' "list mdev names both domains"
run vm -j attach B $U1 --shared
is "$rc.$(printf '%s' "$out" | jq -r .changed)" "0.false" "attach B again with --shared: nothing to do"
snapshot shared
run vm -n -j unassign A 0.0.2b09
is "$(printf '%s' "$out" | jq -c '[.result.kept, [.steps[].description]]')" \
	"[{\"mdev\":true,\"device\":true,\"domains\":[\"B\"],\"reason\":\"libvirt domain B uses it too\"},[\"detach mdev $U1 from domain A (persistent definition)\"]]" \
	"unassign A -n -j: the one step is the detach; the result says what is kept, for which domain and why"
snapshot after
ok "$(same shared after; echo $?)" "the dry run changes nothing"
run vm unassign A 0.0.2b09
is "$rc.$out" "0.done: detach mdev $U1 from domain A (persistent definition)" "unassign A: only the detach"
is "$err" "virt-mdev: note: kept mdev $U1 on subchannel 0.0.0313, and its device with vfio instead of giving it back to the host: libvirt domain B uses it too (the unassign from the last domain that uses it removes both)" "and it says what it kept and why"
is "$(uuids A).$(uuids B)" ".$U1" "A no longer holds the mdev, B does"
is "$(basename "$(readlink $S/bus/mdev/devices/$U1/mdev_type)").$(basename "$(readlink $S/bus/css/devices/0.0.0313/driver)").$(cat $S/bus/css/devices/0.0.0313/driver_override)" \
	"vfio_ccw-io.vfio_ccw.vfio_ccw" "the mdev stays, and the subchannel stays bound to vfio_ccw"
refuse 4 "virt-mdev: cannot remove mdev $U1: libvirt domain B uses it \(detach it first: 'virt-mdev detach B $U1'\)" \
	"remove while B uses it (the same rule)" remove $U1
run vm unassign B 0.0.2b09
is "$rc.$err" "0." "unassign B, the last one: no note"
is "$out" "done: detach mdev $U1 from domain B (persistent definition)
done: remove mdev $U1 from subchannel 0.0.0313
done: unbind subchannel 0.0.0313 from vfio_ccw
done: clear the driver override of subchannel 0.0.0313
done: bind subchannel 0.0.0313 to io_subchannel" "it detaches, removes the mdev and gives the subchannel back"
snapshot after
ok "$(same clean after; echo $?)" "host and domains as before the first assign"

# ---- vfio-ap: APQNs 05.0004 and 05.00ab ----
run vm assign A ap --adapters 5 --domains 4,0xab --uuid $A1
is "$rc.$(uuids A)" "0.$A1" "assign A ap: A holds the vfio-ap mdev"
refuse 4 "virt-mdev: cannot attach mdev $A1 to domain 'B': libvirt domain A uses it, and one mdev serves one guest \(detach it first: 'virt-mdev detach A $A1'; or, for a stand-by guest that runs only while A is off, add --shared --config\)" \
	"assign B of the APQNs A has" assign B ap --adapters 5 --domains 4,0xab
refuse 4 "virt-mdev: cannot attach mdev $A1 to domain 'B': libvirt domain A uses it, and one mdev serves one guest \(detach it first: 'virt-mdev detach A $A1'; or, for a stand-by guest that runs only while A is off, add --shared --config\)" \
	"attach B of the vfio-ap mdev A has" attach B $A1
run vm assign B ap --adapters 5 --domains 4,0xab --shared
is "$rc.$out" "0.done: attach vfio-ap mdev $A1 to domain B (persistent definition)" "assign B ap --shared (B is off: its definition): allowed"
is "$err" "virt-mdev: note: --shared: mdev $A1 is in the definition of libvirt domain A too; only one of B and A may run at a time" "and it warns"
run vm -j unassign A $A1
is "$rc.$(printf '%s' "$out" | jq -c '[.result.kept.domains, [.steps[].description]]')" \
	"0.[[\"B\"],[\"detach mdev $A1 from domain A (persistent definition)\"]]" "unassign A: only the detach, kept for B"
is "$(uuids A).$(uuids B).$(cat $S/devices/vfio_ap/matrix/$A1/matrix | tr '\n' ' ')" ".$A1.05.0004 05.00ab " "the vfio-ap mdev stays with both APQNs"
is "$(cat $S/bus/ap/apmask | cut -c1-4).$(basename "$(readlink $S/bus/ap/devices/05.0004/driver)")" "0xfb.vfio_ap" "and the APQNs stay with vfio_ap (not given back to the host)"
run vm unassign B $A1
is "$rc.$err" "0." "unassign B, the last one"
snapshot after
ok "$(same clean after; echo $?)" "masks, mdevs and domains as before the first assign"

sim_umount
done_testing
