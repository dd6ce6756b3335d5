#!/bin/bash
# virt-mdev ap reserve/release against a mounted virt-mdev-sim: the masks, the queues that
# move, refusals that change nothing, dry run, idempotence, rollback under fault injection.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse

tmp=$(mktemp -d)
trap 'sim_umount; rm -rf "$tmp"' EXIT
: >"$tmp/faults"
mkdir -p "$tmp/root/etc/mdevctl.d" "$tmp/root/run/lock"
sim_mount "$tmp/root/sys" --host "$DEMO_HOST" --faults "$tmp/faults"
S=$tmp/root/sys
L=$tmp/root/run/lock/s390apconfig.lock
vm() { "$VIRT_MDEV" --root "$tmp/root" "$@"; }
snapshot() { dump_tree "$S" >"$tmp/$1"; }
same() { cmp -s "$tmp/$1" "$tmp/$2"; }
ALL="0x$(printf 'f%.0s' $(seq 64))"

# ---- dry run: the documented manual steps, and every queue that leaves the host ----
# 05.0004 05.00ab 06.0047 is no matrix: adapter 5 frees the first two and nothing else, domain
# 0x47 the third and nothing else (card 05 has no domain 0x47)
snapshot before
run vm -n ap reserve 05.0004 05.00ab 06.0047
is "$rc" 0 "dry run of ap reserve exits 0"
is "$out" "# take the s390-tools lock $L
# free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab
echo -5 > $S/bus/ap/apmask
# free domains 0x47 in aqmask; queues leaving the host: 06.0047
echo -0x47 > $S/bus/ap/aqmask
# release the s390-tools lock $L" "the dry run prints -5 and -0x47 under the s390-tools lock, the fewest bits that free the three APQNs and no other queue"
snapshot after
ok "$(same before after; echo $?)" "the dry run changes nothing"

# ---- the fewest queues: 05.0004 alone takes 05.00ab (adapter 5) or 06.0004 (domain 4) ----
run vm -n -j ap reserve 05.0004
is "$(printf '%s' "$out" | jq -r '[.steps[].description, (.result.leaving_host | join(" ")), (.result.leaving_host_not_asked | join(" "))] | join("\n")')" \
	"free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab (not asked for: 05.00ab)
05.0004 05.00ab
05.00ab" "the plan names every queue that leaves the host, and the one not asked for (05.00ab: the tie of one queue each goes to the adapter)"
refuse 4 "virt-mdev: cannot free APQN 05\.0004 exactly: every choice of apmask and aqmask bits takes other queues from the host too, at the fewest 05\.00ab \(clearing adapters 5 in apmask\); ask for them too \('virt-mdev ap reserve 05\.0004 05\.00ab', or --adapters 5 --domains 4,0xab\), or leave out --exact" \
	"--exact when another queue would leave" ap reserve --exact 05.0004
ok "$([ ! -e "$L" ]; echo $?)" "the refusal came before any step: no lock taken"
run vm ap reserve 05.0004
is "$out" "done: free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab (not asked for: 05.00ab)
queue 05.0004: cex4queue -> vfio_ap
queue 05.00ab: cex4queue -> vfio_ap
note: apmask and aqmask last until the next boot; add --persistent to keep them in chzdev's udev rule 41-ap.rules" "ap reserve 05.0004: adapter 5 alone"
is "$(readlink $S/bus/ap/devices/06.0004/driver | sed 's|.*/||') $(cat $S/bus/ap/aqmask)" "cex4queue $ALL" \
	"06.0004 stays with the host (cex4queue), aqmask untouched (before: domain 4 was cleared, taking it)"
run vm -j ap reserve --exact 05.0004 05.00ab
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "false	0" "--exact when nothing else leaves: here nothing is left to do"
run vm -q ap release 05.0004 05.00ab
is "$(cat $S/bus/ap/apmask) $(cat $S/bus/ap/aqmask)" "$ALL $ALL" "released: both masks all-host again"

# ---- refusals ----
refuse 2 "virt-mdev: invalid APQN '05\.0100': the domain id must be 0000-00ff \(write it as <adapter>\.<domain> in hex, e\.g\. 05\.0004\)" "a bad APQN" ap reserve 05.0100
refuse 2 "virt-mdev: invalid domain list '010': '010' has a leading 0, which the kernel would read as octal \(write decimal without the 0, or 0x-hex\)" \
	"an octal-looking domain" ap reserve --adapters 5 --domains 010
refuse 2 "virt-mdev: ap: name APQNs \(05\.0004 05\.00ab\) or both --adapters and --domains \(a vfio-ap matrix is adapters x domains\)" "adapters without domains" ap reserve --adapters 5
refuse 2 "virt-mdev: ap: unknown action 'free' \(expected reserve or release\)" "an unknown action" ap free 05.0004
refuse 2 "virt-mdev: ap: invalid --lock-timeout 'soon': seconds from 0 to 3600 \(default 60\)" "a --lock-timeout that is no number" \
	ap reserve 05.0004 --lock-timeout soon
refuse 2 "virt-mdev: ap: invalid --lock-timeout '3601': seconds from 0 to 3600 \(default 60\)" "a --lock-timeout above an hour" \
	ap reserve 05.0004 --lock-timeout 3601
refuse 2 "virt-mdev: ccw: --lock-timeout is for ap reserve, ap release, create, start, stop, remove, assign, unassign, recover; ccw bind does not take it" \
	"ccw work takes no s390-tools lock, so no --lock-timeout" ccw bind 0.0.2b09 --lock-timeout 5

# ---- reserve: masks, queues on vfio_ap, the lock, a second run changes nothing ----
run vm ap reserve 05.0004 05.00ab 06.0047
is "$rc" 0 "ap reserve 05.0004 05.00ab 06.0047 exits 0"
is "$out" "done: free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab
done: free domains 0x47 in aqmask; queues leaving the host: 06.0047
queue 05.0004: cex4queue -> vfio_ap
queue 05.00ab: cex4queue -> vfio_ap
queue 06.0047: cex4queue -> vfio_ap
note: apmask and aqmask last until the next boot; add --persistent to keep them in chzdev's udev rule 41-ap.rules" \
	"it reports the two steps, each queue moving to vfio_ap (05.0004, 05.00ab, 06.0047), and what is not persistent, and how to make it so (--persistent)"
is "$(cat $S/bus/ap/apmask)" "0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" "apmask has adapter 5 cleared"
is "$(cat $S/bus/ap/aqmask)" "0xfffffffffffffffffeffffffffffffffffffffffffffffffffffffffffffffff" "aqmask has domain 0x47 cleared"
is "$(ls $S/bus/ap/drivers/vfio_ap | tr '\n' ' ')" "05.0004 05.00ab 06.0047 bind uevent unbind " "the three queues are on vfio_ap (beside the driver's bind, uevent, unbind), 06.0004 and 06.00ab are not"
ok "$([ ! -e "$L" ]; echo $?)" "no lock file is left behind (s390-tools take any file there as held)"
run vm -j ap reserve --adapters 5 --domains 4,0xab
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps|length), .result.persistent] | @tsv')" "false	0	false" "the reserve of a matrix already free: changed false, no step, not persistent"

# ---- release refused while an mdev, active or defined, holds an APQN ----
U=22222222-2222-4333-8444-555555555555
w $S/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create $U >/dev/null
w $S/devices/vfio_ap/matrix/$U/assign_adapter 5 >/dev/null
w $S/devices/vfio_ap/matrix/$U/assign_domain 0xab >/dev/null
refuse 4 "virt-mdev: cannot release APQN 05\.00ab to the host: active mdev $U holds it \(remove the mdev, or unassign the APQN from it, first\)" \
	"release with an active mdev" ap release 05.0004 05.00ab
refuse 4 "virt-mdev: cannot release APQN 05\.0004 to the host: that would give back APQN 05\.00ab too, and active mdev $U holds it \(remove the mdev, or unassign the APQN from it, first\)" \
	"release of an APQN whose adapter an active mdev's APQN shares" ap release 05.0004
w $S/devices/vfio_ap/matrix/$U/remove 1 >/dev/null
D=33333333-2222-4333-8444-555555555555
mkdir -p "$tmp/root/etc/mdevctl.d/matrix"
printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": [\n    {"assign_adapter": "5"},\n    {"assign_domain": "4"}\n  ]\n}\n' >"$tmp/root/etc/mdevctl.d/matrix/$D"
refuse 4 "virt-mdev: cannot release APQN 05\.0004 to the host: defined mdev $D holds it \(remove and undefine the mdev, or unassign the APQN from it, first\)" \
	"release with a defined mdev (mdevctl)" ap release 05.0004
rm "$tmp/root/etc/mdevctl.d/matrix/$D"

# ---- fault injection at each step: the rollback restores the masks and the bindings ----
# fault RULE MESSAGE: ap release with RULE fails with exactly MESSAGE, and is rolled back
fault() {
	local rule=$1
	snapshot before
	echo "$rule" >"$tmp/faults"
	run vm ap release 05.0004 05.00ab 06.0047
	: >"$tmp/faults"
	is "$rc" 1 "release with fault '$rule': exit 1"
	is "$err" "$2" "fault '$rule': the message says what failed and what was undone"
	snapshot after
	ok "$(same before after; echo $?)" "fault '$rule': the masks and bindings are as before"
	ok "$([ ! -e "$L" ]; echo $?)" "fault '$rule': the lock was given back after the rollback"
}
fault "bus/ap/aqmask 1 EIO" \
	"virt-mdev: cannot give back domains 0x47 in aqmask; queues returning to the host: 06.0047 (echo +0x47 > $S/bus/ap/aqmask: Input/output error); nothing was changed"
fault "bus/ap/apmask 1 EBUSY" \
	"virt-mdev: cannot give back adapters 5 in apmask; queues returning to the host: 05.0004 05.00ab (echo +5 > $S/bus/ap/apmask: Device or resource busy); undone: give back domains 0x47 in aqmask; queues returning to the host: 06.0047"

# ---- release: back to the host ----
run vm ap release 05.0004 05.00ab 06.0047
is "$rc" 0 "ap release exits 0"
is "$out" "done: give back domains 0x47 in aqmask; queues returning to the host: 06.0047
done: give back adapters 5 in apmask; queues returning to the host: 05.0004 05.00ab
queue 05.0004: vfio_ap -> cex4queue
queue 05.00ab: vfio_ap -> cex4queue
queue 06.0047: vfio_ap -> cex4queue
note: apmask and aqmask last until the next boot; add --persistent to keep them in chzdev's udev rule 41-ap.rules" \
	"it reports the two steps in reverse order and each queue back on the host's driver"
is "$(cat $S/bus/ap/apmask) $(cat $S/bus/ap/aqmask)" "$ALL $ALL" "both masks are all-host again"
run vm -j ap release 05.0004 05.00ab 06.0047
is "$(printf '%s' "$out" | jq -r .changed)" false "the second release: changed false"

# ---- fault on the reserve's second step: the first is undone ----
snapshot before
echo "bus/ap/aqmask 1 EIO" >"$tmp/faults"
run vm ap reserve 05.0004 05.00ab 06.0047
: >"$tmp/faults"
is "$rc" 1 "reserve with a failing aqmask write: exit 1"
is "$err" "virt-mdev: cannot free domains 0x47 in aqmask; queues leaving the host: 06.0047 (echo -0x47 > $S/bus/ap/aqmask: Input/output error); undone: free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab" "the message names the failed aqmask write, and the apmask write is undone"
snapshot after
ok "$(same before after; echo $?)" "the tree is as before"
sim_umount

# ---- the host's maxima ----
cat >"$tmp/small.xml" <<'XML'
<host><ap max-adapter-id="15" max-domain-id="15"><card id="05" domains="4"/></ap></host>
XML
sim_mount "$tmp/root/sys" --host "$tmp/small.xml"
refuse 4 "virt-mdev: cannot reserve domain 171 \(0xab\): this host's domain ids are 0-15 \(ap_max_domain_id\); name ids within it" \
	"a domain above the host's maximum" ap reserve 05.00ab
sim_umount

done_testing
