#!/bin/bash
# xml, attach, detach, assign and unassign against a private libvirtd with the QEMU driver
# and an s390x domain (its XML as libvirt keeps it), with the sysfs backend on a mounted
# virt-mdev-sim; and libvirt's test driver for the define fallback and a failing attach.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
[ -x /usr/bin/qemu-system-s390x ] || skip_all "qemu-system-s390x is not installed (apt-get install qemu-system-misc)"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"
# the private libvirtd binds its directories over libvirt's: only in a private mount namespace
# (private_run: with /run an empty tmpfs there, also what the test driver makes stays in it)
private_run
. "$top_srcdir/tests/sim/private-libvirtd.sh"

tmp=$(mktemp -d)
trap 'sim_umount; libvirtd_stop; rm -rf "$tmp"' EXIT
: >"$tmp/faults"
mkdir -p "$tmp/root/etc/driverctl.d" "$tmp/root/etc/mdevctl.d" "$tmp/root/run/lock"
libvirtd_start || { echo "Bail out! the private libvirtd did not start"; exit 1; }
export LIBVIRT_DEFAULT_URI=$uri
S=$tmp/root/sys
DOM=virt-mdev-demo
sim_mount "$S" --host "$DEMO_HOST" --faults "$tmp/faults"
vm() { "$VIRT_MDEV" --root "$tmp/root" --backend sysfs "$@"; }
hostdevs() { virsh dumpxml --inactive $DOM | xmllint --xpath '/domain/devices/hostdev' - 2>/dev/null; echo; }
snapshot() { { dump_tree "$S"; find "$tmp/root/etc" | sort; hostdevs; } >"$tmp/$1"; }
same() { cmp -s "$tmp/$1" "$tmp/$2"; }
ccw_hostdev() { # UUID DEVNO
	printf '%s\n' "<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ccw\">
      <source>
        <address uuid=\"$1\"/>
      </source>
      <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x$2\"/>
    </hostdev>"
}
ap_hostdev() {
	printf '%s\n' "<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ap\">
      <source>
        <address uuid=\"$1\"/>
      </source>
    </hostdev>"
}
U1=11111111-2222-4333-8444-000000000001
U2=11111111-2222-4333-8444-000000000002
A1=aaaaaaaa-2222-4333-8444-000000000001
A2=aaaaaaaa-2222-4333-8444-000000000002

run virsh define "$top_srcdir/xml-templates/domain-s390x-demo.xml"
is "$rc" 0 "the s390x demo domain is defined (QEMU driver, qemu-system-s390x)"

# ---- xml: each format ----
vm -q ccw bind 0.0.2b09
vm -q create ccw 0.0.2b09 --uuid $U1
run vm xml $U1
is "$out" "<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ccw\">
  <source>
    <address uuid=\"$U1\"/>
  </source>
  <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x2b09\"/>
</hostdev>" "xml: the hostdev, devno mirroring the host's 0.0.2b09"
run vm xml $U1 --format qemu --devno fe.0.1234 --boot-order 1
is "$out" "-device vfio-ccw,devno=fe.0.1234,sysfsdev=$S/bus/mdev/devices/$U1,bootindex=1" "xml --format qemu: QEMU's -device argument"
run vm xml $U1 --format nodedev
is "$out" "$(cat "$top_srcdir/tests/golden/nodedev-ccw.xml" | sed "s/c0c0c0c0-0d3f-4b1a-9a39-3a6c1d7f0001/$U1/")" "xml --format nodedev: the node-device XML"
run vm xml $U1 --format mdevctl
is "$out" '{
  "mdev_type": "vfio_ccw-io",
  "start": "manual",
  "attrs": []
}' "xml --format mdevctl: mdevctl's definition"
run vm xml $A2 --model vfio-ap --format qemu
is "$out" "-device vfio-ap,sysfsdev=$S/devices/vfio_ap/matrix/$A2" "xml --model: a device that is not here, without reading the host"
refuse 3 "virt-mdev: no mdev '$A2' on this host \(searched sysfs and mdevctl's definitions\); for a device elsewhere, say what it is with --model vfio-ccw or --model vfio-ap" "xml of an unknown mdev" xml $A2
refuse 2 "virt-mdev: --format nodedev describes the mdev itself \(its parent and configuration\), so it needs the mdev on this host: leave out --model" \
	"--format nodedev with --model" xml $A2 --model vfio-ap --format nodedev
refuse 2 "virt-mdev: xml: invalid --alias 'dasd1': libvirt takes user aliases 'ua-' followed by letters, digits, '_' and '-' \(e\.g\. ua-dasd1\)" \
	"an alias without ua-" xml $U1 --alias dasd1

# ---- attach/detach --config, vfio-ccw ----
snapshot before
run vm -n attach $DOM $U1
is "$(printf '%s\n' "$out" | head -2)" "# attach vfio-ccw mdev $U1 to domain $DOM as devno fe.0.2b09 (persistent definition)
virsh attach-device --domain $DOM --file /dev/stdin --config <<'EOF'" "the dry run: virsh attach-device with the hostdev (virsh reads LIBVIRT_DEFAULT_URI as virt-mdev does)"
snapshot after
ok "$(same before after; echo $?)" "the dry run changes nothing"
run vm attach $DOM $U1
is "$rc" 0 "attach (the domain is off: its persistent definition)"
is "$(hostdevs)" "$(ccw_hostdev $U1 2b09)" "the domain holds exactly the vfio-ccw hostdev, devno fe.0.2b09"
run vm -j attach $DOM $U1
is "$(printf '%s' "$out" | jq -r '[.changed, .result.devno] | @tsv')" "false	fe.0.2b09" "attach again: changed false"
refuse 4 "virt-mdev: cannot attach mdev $U1 to domain '$DOM' as devno fe\.0\.1235: it is attached already, as devno fe\.0\.2b09 \(detach it first: 'virt-mdev detach $DOM $U1'\)" \
	"attach again with another devno" attach $DOM $U1 --devno fe.0.1235
run vm detach $DOM $U1
is "$rc.$(hostdevs)" "0." "detach: the hostdev is gone"
run vm -j detach $DOM $U1
is "$(printf '%s' "$out" | jq -r .changed)" false "detach again: changed false"
run vm attach $DOM $U1 --devno fe.0.1234 --config
is "$(hostdevs)" "$(ccw_hostdev $U1 1234)" "attach --devno fe.0.1234: exactly that address"
refuse 4 "virt-mdev: cannot stop mdev $U1: libvirt domain $DOM uses it \(detach it first: 'virt-mdev detach $DOM $U1'\)" \
	"stop of an mdev a domain uses" stop $U1
refuse 4 "virt-mdev: cannot remove mdev $U1: libvirt domain $DOM uses it \(detach it first: 'virt-mdev detach $DOM $U1'\)" \
	"remove of an mdev a domain uses" remove $U1

# ---- refusals before libvirt is called ----
vm -q ccw bind 0.0.2b0b
vm -q create ccw 0.0.2b0b --uuid $U2
refuse 4 "virt-mdev: cannot attach mdev $U2 to domain '$DOM' as devno fe\.0\.0002: a device of the domain has that ccw address already \(pick another --devno, or --devno auto\)" \
	"a devno the virtio balloon has" attach $DOM $U2 --devno fe.0.0002
refuse 4 "virt-mdev: cannot attach mdev $U2 to domain '$DOM' as devno fe\.0\.1234: a device of the domain has that ccw address already \(pick another --devno, or --devno auto\)" \
	"a devno another hostdev has" attach $DOM $U2 --devno fe.0.1234
refuse 4 "virt-mdev: cannot attach mdev $U2 as devno 0\.0\.4711: guests see only channel subsystem 0xfe \(write fe\.0\.4711\)" \
	"a devno outside css fe" attach $DOM $U2 --devno 0.0.4711
refuse 4 "virt-mdev: cannot change the running domain '$DOM': it is not running \(use --config for its persistent definition\)" \
	"--live on a domain that is off" attach $DOM $U2 --live
refuse 3 "virt-mdev: no domain 'nosuch' at qemu:///system\?socket=/tmp/virt-mdev-libvirtd\.[^/]*/sock/libvirt-sock \(searched names and uuids; 'virsh list --all' shows them\)" \
	"an unknown domain" attach nosuch $U2
refuse 3 "virt-mdev: no mdev '$A2' on this host \(searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev create' makes one\)" \
	"an unknown mdev" attach $DOM $A2
run vm -j attach $DOM $U2
is "$(printf '%s' "$out" | jq -r .result.devno)" fe.0.2b0b "without --devno: the host's number mirrored"
refuse 4 "virt-mdev: cannot assign mdev $U2: it exists with another configuration \(parent 0\.0\.0315 here, 0\.0\.0313 asked\); remove it first \('virt-mdev remove $U2 --undefine'\) or pick another --uuid" \
	"assign with the uuid of an mdev elsewhere" assign $DOM ccw 0.0.2b09 --uuid $U2

# ---- vfio-ap: one per domain ----
vm -q ap reserve 05.0004 05.00ab
vm -q ap reserve 06.0047
vm -q create ap --adapters 5 --domains 4,0xab --uuid $A1
vm -q create ap --adapters 6 --domains 0x47 --uuid $A2
run vm attach $DOM $A1
is "$rc" 0 "attach the vfio-ap mdev"
is "$(hostdevs)" "$(ccw_hostdev $U1 1234)
$(ccw_hostdev $U2 2b0b)
$(ap_hostdev $A1)" "the domain holds the vfio-ap hostdev, after the two vfio-ccw ones"
refuse 4 "virt-mdev: cannot attach vfio-ap mdev $A2 to domain '$DOM': it has vfio-ap mdev $A1 already, and a guest takes one vfio-ap device \(put the APQNs into that mdev, or detach it: 'virt-mdev detach $DOM $A1'\)" \
	"a second vfio-ap mdev" attach $DOM $A2
refuse 2 "virt-mdev: --devno and --boot-order are for vfio-ccw devices; a vfio-ap device has no ccw address and does not boot" \
	"--devno with a vfio-ap mdev" attach $DOM $A1 --devno fe.0.1
run vm -j list mdev
is "$(printf '%s' "$out" | jq -c "[.mdevs[] | select(.domains == [\"$DOM\"]) | .uuid] | sort")" "[\"$U1\",\"$U2\",\"$A1\"]" "list mdev names the domain of each attached mdev"

# ---- unassign: detach, remove, give back ----
vm -q remove $A2
vm -q ap release 06.0047
# a definition that holds 05.0047 (no queue, but free by adapter 5, which 'ap reserve 05.0004
# 05.00ab' cleared alone): giving adapter 5 back would take it
mkdir -p "$tmp/root/etc/mdevctl.d/matrix"
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"}]}\n' >"$tmp/root/etc/mdevctl.d/matrix/$A2"
run vm unassign $DOM $A1
is "$rc" 0 "unassign the vfio-ap mdev"
is "$out" "done: detach mdev $A1 from domain $DOM (persistent definition)
done: remove mdev $A1 from the vfio_ap matrix" "the APQNs stay free: giving adapter 5 back would take 05.0047 from the definition $A2"
is "$err" "virt-mdev: note: APQNs 05.0004 05.00ab stay free of the host's drivers: releasing APQN 05.0004 to the host: that would give back APQN 05.0047 too, and defined mdev $A2 holds it" "and it says which and why"
rm -r "$tmp/root/etc/mdevctl.d/matrix"
run vm unassign $DOM 0.0.2b0b
is "$out" "done: detach mdev $U2 from domain $DOM (persistent definition)
done: remove mdev $U2 from subchannel 0.0.0315
done: unbind subchannel 0.0.0315 from vfio_ccw
done: clear the driver override of subchannel 0.0.0315
done: bind subchannel 0.0.0315 to io_subchannel" "unassign DEVICE: detach, remove, and the subchannel back to io_subchannel"
run vm -j unassign $DOM 0.0.2b0b
is "$(printf '%s' "$out" | jq -r .changed)" false "unassign again: changed false"
run vm unassign $DOM $U1 --keep-mdev
is "$out" "done: detach mdev $U1 from domain $DOM (persistent definition)" "--keep-mdev only detaches"
vm -q remove $U1
vm -q ccw unbind 0.0.2b09
vm -q ap release 05.0004 05.00ab
is "$(hostdevs)" "" "the domain holds no hostdev"

# ---- validate: a domain that names an mdev this host does not have ----
X=eeeeeeee-2222-4333-8444-000000000009
printf '%s\n' "<hostdev mode='subsystem' type='mdev' model='vfio-ccw'><source><address uuid='$X'/></source></hostdev>" >"$tmp/x.xml"
virsh attach-device $DOM "$tmp/x.xml" --config >/dev/null
run vm validate
is "$rc.$out" "4.$X: libvirt domain $DOM uses this mdev, which is not on this host (neither active nor defined): the domain cannot start with it (create it with 'virt-mdev create', or 'virt-mdev detach $DOM $X')" \
	"validate names a domain's reference to an mdev that is not here, and the fixes"
run vm detach $DOM $X
is "$rc.$(hostdevs)" "0." "detach takes it away, with no mdev on the host"
run vm validate
is "$rc.$out" "0.0 mdevs checked, no problem found" "then validate finds nothing"

# ---- assign: one plan; dry run; fault at every step; rerun ----
snapshot clean
run vm -n assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1
is "$(printf '%s\n' "$out" | grep '^# ')" "# unbind subchannel 0.0.0313 from io_subchannel
# set the driver override of subchannel 0.0.0313 to vfio_ccw
# bind subchannel 0.0.0313 to vfio_ccw
# create mdev $U1 (vfio_ccw-io) on subchannel 0.0.0313
# attach vfio-ccw mdev $U1 to domain $DOM as devno fe.0.1234 (persistent definition)" "the dry run: bind, create, attach"
snapshot after
ok "$(same clean after; echo $?)" "the dry run changes nothing"
for rule in "bus/css/drivers/io_subchannel/unbind 1 EIO" "devices/css0/0.0.0313/driver_override 1 ENOMEM" \
	"bus/css/drivers/vfio_ccw/bind 1 EBUSY" "devices/css0/0.0.0313/mdev_supported_types/vfio_ccw-io/create 1 EUSERS"; do
	echo "$rule" >"$tmp/faults"
	run vm assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1
	: >"$tmp/faults"
	is "$rc" 1 "fault '$rule': exit 1"
	snapshot after
	ok "$(same clean after; echo $?)" "fault '$rule': host and domain exactly as before"
done
run vm -j assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1 --persistent
is "$rc.$(printf '%s' "$out" | jq -r '[.changed, (.steps | length), ([.steps[].status] | unique | join(",")), .result.devno, .result.uuid] | @tsv')" \
	"0.true	7	done	fe.0.1234	$U1" "assign --persistent: bind, driverctl, define, create, attach; JSON lists every step"
is "$(hostdevs)" "$(ccw_hostdev $U1 1234)" "the domain holds the hostdev"
is "$(basename "$(readlink $S/bus/mdev/devices/$U1/mdev_type)").$(cat "$tmp/root/etc/driverctl.d/css-0.0.0313")" "vfio_ccw-io.vfio_ccw" "the mdev exists and the binding persists"
is "$(cat "$tmp/root/etc/mdevctl.d/0.0.0313/$U1")" '{
  "mdev_type": "vfio_ccw-io",
  "start": "auto",
  "attrs": []
}' "the mdev is defined to start at boot"
run vm -j assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1 --persistent
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "false	0" "assign again: changed false"
run vm unassign $DOM 0.0.2b09
is "$rc" 0 "unassign reverses it"
snapshot after
diff "$tmp/clean" "$tmp/after" | sed "s/^/# /" | head -20
ok "$(same clean after; echo $?)" "after unassign: host and domain as before the assign"

run vm assign $DOM ap --adapters 5 --domains 4,0xab --uuid $A1
is "$rc" 0 "assign ap: reserve, create, attach"
is "$(hostdevs)" "$(ap_hostdev $A1)" "the domain holds the vfio-ap hostdev, and only it"
is "$(cat $S/devices/vfio_ap/matrix/$A1/matrix)" "05.0004
05.00ab" "with the two APQNs"
run vm unassign $DOM $A1
is "$rc" 0 "unassign ap"
snapshot after
ok "$(same clean after; echo $?)" "after unassign ap: masks, mdevs and domain as before"

# ---- the test driver: the define fallback, and a failing attach that rolls back ----
vm -q ccw bind 0.0.2b09
vm -q create ccw 0.0.2b09 --uuid $U1
run vm -c test:///default -j attach test $U1 --config
is "$rc.$(printf '%s' "$out" | jq -r '.steps[0].status')" "0.done" "test driver: attach --config is done"
like "$(printf '%s' "$out" | jq -r '.steps[0].note')" "this libvirt driver cannot attach devices \($LINE\); the device was added to the persistent definition instead \(dumpxml, edit, define\)" "and says it took the define fallback (libvirt's reason in parentheses)"
run vm -c test:///default attach test $U1 --config
like "$out" "done: attach vfio-ccw mdev $U1 to domain test as devno fe\.0\.2b09 \(persistent definition\)
note: this libvirt driver cannot attach devices \($LINE\); the device was added to the persistent definition instead \(dumpxml, edit, define\)" "the text output says so too: the step, then the note"
vm -q create ccw 0.0.2b09 --uuid $U1 --define
vm -q stop $U1
refuse 4 "virt-mdev: cannot attach mdev $U1 to the running domain 'test': it is defined but not active \(run 'virt-mdev start $U1' first\)" \
	"a defined, inactive mdev for a running guest" -c test:///default attach test $U1 --live
if [ -r /usr/share/bash-completion/bash_completion ]; then
	comp=$(bash -c '. /usr/share/bash-completion/bash_completion 2>/dev/null; . "$1/bash-completion/virt-mdev"; PATH="$2/src:$PATH"
		COMP_WORDS=(virt-mdev -c test:///default attach ""); COMP_CWORD=4; _virt_mdev; printf "%s\n" "${COMPREPLY[@]}"' \
		x "$top_srcdir" "$top_builddir")
	is "$comp" "test" "completion offers the domains of the connection named by -c"
else
	skip "bash-completion is not installed (apt-get install bash-completion)" "completion offers the domains of the connection named by -c"
fi
vm -q remove --undefine $U1
vm -q ccw unbind 0.0.2b09
snapshot clean
run vm -c test:///default assign test ccw 0.0.2b09 --live
is "$rc" 1 "test driver: a live attach it cannot do fails the assign"
like "$err" "virt-mdev: cannot attach vfio-ccw mdev [0-9a-f-]{36} to domain test as devno fe\.0\.2b09 \(live\) \(virsh -c test:///default attach-device --domain test --file /dev/stdin --live <<'EOF': attach-device: $LINE\); undone: create mdev [0-9a-f-]{36} \(vfio_ccw-io\) on subchannel 0\.0\.0313; bind subchannel 0\.0\.0313 to vfio_ccw; set the driver override of subchannel 0\.0\.0313 to vfio_ccw; unbind subchannel 0\.0\.0313 from io_subchannel" \
	"every earlier step is undone, in reverse"
snapshot after
ok "$(same clean after; echo $?)" "the host is as before"

sim_umount
done_testing
