#!/bin/bash
# virt-mdev create/start/stop/remove/validate with the sysfs backend, against a mounted
# virt-mdev-sim: the effects on sysfs and on mdevctl's definitions, every check's refusal
# changing nothing, dry runs, idempotence, and rollback under fault injection at every step
# (ap_config on a 6.12 kernel, assign_* in order on a 6.1 kernel).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
private_run # the test driver would make /run/libvirt/common

tmp=$(mktemp -d)
trap 'sim_umount; rm -rf "$tmp"' EXIT
: >"$tmp/faults"
mkdir -p "$tmp/root/etc/driverctl.d" "$tmp/root/etc/mdevctl.d" "$tmp/root/run/lock"
# no libvirt daemon here: auto must fall back to sysfs, and never reach the machine's own libvirt
export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$tmp/no-libvirtd-sock"
S=$tmp/root/sys
D=$tmp/root/etc/mdevctl.d
L=$tmp/root/run/lock/s390apconfig.lock
vm() { "$VIRT_MDEV" --root "$tmp/root" "$@"; }
snapshot() { { dump_tree "$S"; (cd "$D" && find . -printf '%p\n' | sort && find . -type f -exec cat {} +); } >"$tmp/$1"; }
same() { cmp -s "$tmp/$1" "$tmp/$2"; }
U1=11111111-2222-4333-8444-000000000001
U2=11111111-2222-4333-8444-000000000002
A1=aaaaaaaa-2222-4333-8444-000000000001
A2=aaaaaaaa-2222-4333-8444-000000000002

sim_mount "$S" --host "$DEMO_HOST" --faults "$tmp/faults"

# ---- checks before anything is bound or reserved ----
refuse 4 "virt-mdev: cannot create a vfio-ccw mdev on subchannel 0.0.0313 of device 0.0.2b09: it is bound to io_subchannel, not vfio_ccw \(run 'virt-mdev ccw bind 0.0.2b09' first\)" \
	"a subchannel on io_subchannel" create ccw 0.0.2b09
refuse 4 "virt-mdev: cannot give APQNs 05.0004,05.00ab to mdev $A1: reserved for the host's drivers by apmask/aqmask \(run 'virt-mdev ap reserve --adapters 5 --domains 4,0xab' first\)" \
	"APQNs the host still holds" create ap --adapters 5 --domains 4,0xab --uuid $A1
refuse 4 "virt-mdev: cannot create a vfio-ccw mdev on subchannel 0.0.ff40: it is a CHSC subchannel; vfio_ccw drives I/O subchannels only \(see 'virt-mdev list ccw'\)" \
	"a CHSC subchannel" create ccw 0.0.ff40
refuse 3 "virt-mdev: no ccw device or subchannel '0.0.9999' on this host \(searched the ccw devices, the subchannels' dev_busid and the subchannels; 'virt-mdev list ccw' shows them\)" \
	"an unknown device" create ccw 0.0.9999
refuse 2 "virt-mdev: invalid uuid 'nope': expected 8-4-4-4-12 hex digits \(write it as e\.g\. 90c6c135-ad44-41d0-b1b7-bae47de48627, or leave it out to have one generated\)" \
	"a bad uuid" create ccw 0.0.2b09 --uuid nope
refuse 2 "virt-mdev: create ap needs --adapters and --domains \(a vfio-ap device is adapters x domains, e\.g\. --adapters 5 --domains 4,0xab\)" \
	"create ap without domains" create ap --adapters 5
refuse 2 "virt-mdev: invalid domain list '010': '010' has a leading 0, which the kernel would read as octal \(write decimal without the 0, or 0x-hex\)" \
	"an octal-looking domain" create ap --adapters 5 --domains 010
refuse 2 "virt-mdev: --adapters, --domains and --control-domains are for create ap" "--adapters with ccw" create ccw 0.0.2b09 --adapters 5
refuse 2 "virt-mdev: create: unknown kind 'pci' \(expected ccw or ap\)" "an unknown kind" create pci 0000:00:01.0
refuse 2 "virt-mdev: create: invalid --timeout '0': seconds from 1 to 3600 \(default 30\)" "a zero timeout" create ccw 0.0.2b09 --timeout 0
no_mdev="virt-mdev: no mdev '$U1' on this host \(searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev list mdev' shows them\)"
refuse 3 "$no_mdev" "start of an unknown mdev" start $U1
refuse 3 "$no_mdev" "stop of an unknown mdev" stop $U1
refuse 2 "virt-mdev: stop: --undefine is for remove; stop does not take it" "--undefine with stop" stop $U1 --undefine
# a definition on a parent no kind has, or of another kind's type: refused where it matters, naming the fix
mkdir -p "$D/0000:00:01.0" "$D/0.0.0314"
printf '{\n  "mdev_type": "vfio_ccw-io",\n  "start": "manual",\n  "attrs": []\n}\n' >"$D/0000:00:01.0/$U2"
refuse 4 "virt-mdev: cannot describe mdev $U2: its parent '0000:00:01.0' is neither an I/O subchannel nor the vfio_ap matrix, where vfio-ccw or vfio-ap mdevs live; if its definition is stale, remove it: rm $tmp/root/etc/mdevctl.d/0000:00:01.0/$U2" \
	"xml of an mdev on an unknown parent" xml $U2
rm -r "$D/0000:00:01.0"
printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "manual",\n  "attrs": []\n}\n' >"$D/0.0.0314/$U2"
refuse 4 "virt-mdev: cannot start mdev $U2: its type is 'vfio_ap-passthrough', but a vfio-ccw mdev on 0.0.0314 has type vfio_ccw-io \\(fix its definition, or remove it with 'virt-mdev remove $U2 --undefine'\\)" \
	"start of a definition whose type is another kind's" start $U2
run vm -q remove $U2 --undefine
is "$rc.$(ls "$D/0.0.0314")" "0." "such a definition can still be removed, as the message says"
rmdir "$D/0.0.0314" 2>/dev/null

vm -q ccw bind 0.0.2b09
vm -q ap reserve 05.0004 05.00ab

# ---- create ccw: dry run, effect, idempotence ----
snapshot before
run vm -n create ccw 0.0.2b09 --uuid $U1
is "$rc" 0 "dry run of create ccw exits 0"
is "$out" "# create mdev $U1 (vfio_ccw-io) on subchannel 0.0.0313
echo $U1 > $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/create" "the dry run prints the manual step"
snapshot after
ok "$(same before after; echo $?)" "the dry run changes nothing"
run vm -v create ccw 0.0.2b09 --uuid $U1
is "$rc" 0 "create ccw exits 0"
is "$err" "virt-mdev: cannot connect to libvirt at 'qemu:///system?socket=$tmp/no-libvirtd-sock': no daemon socket at $tmp/no-libvirtd-sock (check -c/--connect or LIBVIRT_DEFAULT_URI, and that the daemon runs); using the sysfs backend" \
	"-v says libvirt was not reachable and sysfs is used"
is "$out" "done: create mdev $U1 (vfio_ccw-io) on subchannel 0.0.0313
mdev $U1: active, not defined" "each step and the resulting state are printed"
is "$(basename "$(readlink $S/bus/mdev/devices/$U1)")" $U1 "the mdev is in sysfs"
is "$(basename "$(readlink -f $S/bus/mdev/devices/$U1/..)")" 0.0.0313 "on subchannel 0.0.0313"
is "$(basename "$(readlink $S/bus/mdev/devices/$U1/mdev_type)")" vfio_ccw-io "of type vfio_ccw-io"
is "$(cat $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/available_instances)" 0 "the subchannel has no instance left"
# ---- backends: asked for libvirt without one, a driver without node devices, a remote host ----
refuse 1 "virt-mdev: cannot connect to libvirt at 'qemu:///system\?socket=$tmp/no-libvirtd-sock': no daemon socket at $tmp/no-libvirtd-sock \(check -c/--connect or LIBVIRT_DEFAULT_URI, and that the daemon runs\) \(--backend libvirt\)" \
	"--backend libvirt without a daemon" --backend libvirt create ccw 0.0.2b09 --uuid $U1
refuse 1 "virt-mdev: libvirt at 'test:///default' cannot create mdevs on subchannel 0.0.0313: its node-device driver has no device css_0_0_0313 \(.*\); the host needs libvirt 7.3 or later with its node-device driver and mdevctl, and the subchannel bound to vfio_ccw" \
	"--backend libvirt on a driver without the parent" -c test:///default --backend libvirt create ccw 0.0.2b09 --uuid $U1
run vm -v -c test:///default -j create ccw 0.0.2b09 --uuid $U1
is "$rc.$(printf '%s' "$out" | jq -r .result.backend)" "0.sysfs" "auto on a connection without the parent: the sysfs backend"
like "$err" "virt-mdev: libvirt at 'test:///default' has no node device css_0_0_0313 \($LINE\); using the sysfs backend" "and -v says why (libvirt's own reason in parentheses)"
refuse 1 "virt-mdev: cannot connect to libvirt at 'qemu\+tcp://127.0.0.2:1/system': .*; the sysfs backend reaches only this host, so a remote host needs its libvirtd running" \
	"a remote URI that cannot be reached" -c qemu+tcp://127.0.0.2:1/system create ccw 0.0.2b09 --uuid $U1

if [ -r /usr/share/bash-completion/bash_completion ]; then
	comp=$(bash -c '. /usr/share/bash-completion/bash_completion 2>/dev/null; . "$1/bash-completion/virt-mdev"; PATH="$2/src:$PATH"
		COMP_WORDS=(virt-mdev --root "$3" stop ""); COMP_CWORD=4; _virt_mdev; printf "%s\n" "${COMPREPLY[@]}"' \
		x "$top_srcdir" "$top_builddir" "$tmp/root")
	is "$comp" "$U1" "completion offers the host's mdevs after stop"
else
	skip "bash-completion is not installed (apt-get install bash-completion)" "completion offers the host's mdevs after stop"
fi
run vm -j create ccw 0.0.2b09 --uuid $U1
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps|length), .result.uuid, .result.backend] | @tsv')" "false	0	$U1	sysfs" "the same create again: changed false, no step"
run vm -j create ccw 0.0.0313
is "$(printf '%s' "$out" | jq -r '[.changed, .result.uuid] | @tsv')" "false	$U1" "without --uuid, the mdev already on the subchannel is the one meant"
refuse 4 "virt-mdev: cannot create mdev $U2 on subchannel 0.0.0313: mdev $U1 \(active\) is already there, and vfio_ccw allows one per subchannel \(use it, or 'virt-mdev remove $U1 --undefine' first\)" \
	"a second mdev on the subchannel" create ccw 0.0.2b09 --uuid $U2
refuse 4 "virt-mdev: cannot create mdev $U1: it exists with another configuration \(parent 0.0.0313 here, matrix asked; type vfio_ccw-io here, vfio_ap-passthrough asked; adapters none here, 5 asked; domains none here, 4 asked\); remove it first \('virt-mdev remove $U1 --undefine'\) or pick another --uuid" \
	"the same uuid with another configuration" create ap --adapters 5 --domains 4 --uuid $U1

# ---- --define on the active mdev: only the definition is added ----
run vm -j create ccw 0.0.2b09 --uuid $U1 --define
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps|length), .steps[0].description] | @tsv')" "true	1	define mdev $U1 on subchannel 0.0.0313 (mdevctl definition, start manual)" "--define on an active mdev adds the definition only"
is "$(cat $D/0.0.0313/$U1)" '{
  "mdev_type": "vfio_ccw-io",
  "start": "manual",
  "attrs": []
}' "the definition is mdevctl's JSON"
run vm -j create ccw 0.0.2b09 --uuid $U1 --autostart
is "$(printf '%s' "$out" | jq -r '[.changed, .steps[0].description] | @tsv')" "true	set mdev $U1 on subchannel 0.0.0313 to start auto at boot (mdevctl definition)" "--autostart sets start auto"
is "$(cat $D/0.0.0313/$U1)" '{
  "mdev_type": "vfio_ccw-io",
  "start": "auto",
  "attrs": []
}' "the definition says start auto"
run vm -j list mdev
is "$(printf '%s' "$out" | jq -c ".mdevs[] | select(.uuid == \"$U1\") | [.active, .defined, .autostart, .parent, .type]")" '[true,true,true,"0.0.0313","vfio_ccw-io"]' "list mdev shows it active, defined, autostart"

# ---- stop, start, remove ----
run vm stop $U1
is "$rc" 0 "stop exits 0"
is "$out" "done: remove mdev $U1 from subchannel 0.0.0313
mdev $U1: inactive, defined, autostart" "stop removes the device and keeps the definition"
ok "$([ ! -e $S/bus/mdev/devices/$U1 ] && [ -f $D/0.0.0313/$U1 ]; echo $?)" "gone from sysfs, the definition stays"
run vm -j stop $U1
is "$(printf '%s' "$out" | jq -r .changed)" false "a second stop: changed false"
run vm -n start $U1
is "$out" "# create mdev $U1 (vfio_ccw-io) on subchannel 0.0.0313
echo $U1 > $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/create" "start's dry run: mdevctl start's write"
run vm start $U1
is "$rc" 0 "start exits 0"
ok "$([ -e $S/bus/mdev/devices/$U1 ]; echo $?)" "start makes the device again"
run vm -j start $U1
is "$(printf '%s' "$out" | jq -r .changed)" false "a second start: changed false"
run vm remove $U1
is "$out" "done: remove mdev $U1 from subchannel 0.0.0313
mdev $U1: inactive, defined, autostart" "remove without --undefine keeps the definition"
run vm remove $U1
is "$out" "nothing to do: mdev $U1 is inactive, defined, autostart; its definition stays (add --undefine to delete it)" "remove again says what stays and how to delete it"
run vm -j remove $U1 --undefine
is "$(printf '%s' "$out" | jq -r '[.changed, .steps[0].description, .steps[0].status] | @tsv')" "true	undefine mdev $U1 (remove its mdevctl definition)	done" "remove --undefine deletes the definition"
ok "$([ ! -e $D/0.0.0313/$U1 ]; echo $?)" "the definition file is gone"
run vm -j remove $U1 --undefine
is "$rc.$(printf '%s' "$out" | jq -r .changed)" "0.false" "removing what is not there: exit 0, changed false"

# ---- create ap with ap_config (a 6.12 kernel): one write, read back ----
run vm -n create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1 --autostart
cfg="0x0400000000000000000000000000000000000000000000000000000000000000,0x0800000000000000000000000000000000000000001000000000000000000000,0x0800000000000000000000000000000000000000000000000000000000000000"
is "$out" "# take the s390-tools lock $L
# define mdev $A1 on the vfio_ap matrix (mdevctl definition, start auto)
mkdir -p $D/matrix && cat > $D/matrix/$A1 <<'EOF'
{
  \"mdev_type\": \"vfio_ap-passthrough\",
  \"start\": \"auto\",
  \"attrs\": [
    {
      \"assign_adapter\": \"0x5\"
    },
    {
      \"assign_domain\": \"0x4\"
    },
    {
      \"assign_domain\": \"0xab\"
    },
    {
      \"assign_control_domain\": \"0x4\"
    }
  ]
}
EOF
# create mdev $A1 (vfio_ap-passthrough) on the vfio_ap matrix
echo $A1 > $S/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create
# configure mdev $A1 in one write (ap_config): adapters 5, domains 4,0xab, control domains 4
echo $cfg > $S/devices/vfio_ap/matrix/$A1/ap_config
# release the s390-tools lock $L" "the dry run: the definition, create, and one ap_config write, under the s390-tools lock"
# fault RULE MESSAGE: create ap --autostart with RULE fails with exactly MESSAGE, rolled back
fault() {
	local rule=$1
	snapshot before
	echo "$rule" >"$tmp/faults"
	run vm create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1 --autostart
	: >"$tmp/faults"
	is "$rc" 1 "fault '$rule': exit 1"
	is "$err" "$2" "fault '$rule': the message says what failed and that the definition was undone"
	snapshot after
	ok "$(same before after; echo $?)" "fault '$rule': no device, no definition, the tree as before"
}
fault "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create 1 EIO" \
	"virt-mdev: cannot create mdev $A1 (vfio_ap-passthrough) on the vfio_ap matrix (echo $A1 > $S/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create: Input/output error); undone: define mdev $A1 on the vfio_ap matrix (mdevctl definition, start auto)"
fault "devices/vfio_ap/matrix/$A1/ap_config 1 EADDRINUSE" \
	"virt-mdev: cannot configure mdev $A1 in one write (ap_config): adapters 5, domains 4,0xab, control domains 4 (echo $cfg > $S/devices/vfio_ap/matrix/$A1/ap_config: Address already in use); undone: create mdev $A1 (vfio_ap-passthrough) on the vfio_ap matrix; define mdev $A1 on the vfio_ap matrix (mdevctl definition, start auto)"
run vm create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1 --autostart
is "$rc" 0 "create ap exits 0"
is "$(cat $S/devices/vfio_ap/matrix/$A1/matrix)" "05.0004
05.00ab" "the matrix holds the two APQNs"
is "$(cat $S/devices/vfio_ap/matrix/$A1/control_domains)" "0004" "and control domain 4"
is "$(cat $S/devices/vfio_ap/matrix/$A1/ap_config)" "$cfg" "ap_config reads back what was written"
run vm -j create ap --adapters 5 --domains 0x4,171 --control-domains 4 --uuid $A1 --autostart
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps|length), .result.domains] | @tsv')" "false	0	4,0xab" "the same matrix spelled differently: changed false"
refuse 4 "virt-mdev: cannot create mdev $A1: it exists with another configuration \(domains 4,0xab here, 4 asked; control domains 4 here, none asked\); remove it first \('virt-mdev remove $A1 --undefine'\) or pick another --uuid" \
	"another matrix under the same uuid" create ap --adapters 5 --domains 4 --uuid $A1
refuse 4 "virt-mdev: cannot give APQN 05.0004 to mdev $A2: active, defined mdev $A1 holds it \(an APQN belongs to one mdev; remove it with 'virt-mdev remove $A1 --undefine', or pick other adapters or domains\)" \
	"an APQN another mdev holds" create ap --adapters 5 --domains 4 --uuid $A2
run vm -q validate
is "$rc" 0 "validate on a consistent host: exit 0"

# ---- validate: every problem, each named ----
vm -q stop $A1
mkdir -p $D/0.0.0315
printf '{"mdev_type":"vfio_ccw-io","start":"manual","attrs":[]}\n' >$D/0.0.0315/$U2
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"0xab"},{"assign_control_domain":"0x47"}]}\n' >$D/matrix/$A2
snapshot before
run vm validate
is "$rc" 4 "validate with problems: exit 4"
is "$out" "$U2: cannot create a vfio-ccw mdev on subchannel 0.0.0315 of device 0.0.2b0b: it is bound to io_subchannel, not vfio_ccw (run 'virt-mdev ccw bind 0.0.2b0b' first)
$A1: cannot give APQN 05.00ab to mdev $A1: defined mdev $A2 holds it (an APQN belongs to one mdev; remove it with 'virt-mdev remove $A2 --undefine', or pick other adapters or domains)
$A2: cannot give APQN 05.00ab to mdev $A2: defined mdev $A1 holds it (an APQN belongs to one mdev; remove it with 'virt-mdev remove $A1 --undefine', or pick other adapters or domains)" "every problem, under the mdev it concerns"
is "$err" "virt-mdev: 3 problems in 3 mdevs checked" "and a count"
run vm -j validate $A2
is "$(printf '%s' "$out" | jq -r '[.checked, (.problems|length), .problems[0].uuid] | @tsv')" "1	1	$A2" "validate UUID checks that one"
snapshot after
ok "$(same before after; echo $?)" "validate changes nothing"
refuse 3 "$no_mdev" "validate of an unknown mdev" validate $U1
# start refuses what the kernel would: the overlap is with an active mdev only at start
vm -q start $A1
refuse 4 "virt-mdev: cannot give APQN 05.00ab to mdev $A2: active, defined mdev $A1 holds it \(an APQN belongs to one mdev; remove it with 'virt-mdev remove $A1 --undefine', or pick other adapters or domains\)" \
	"start of a definition that overlaps an active mdev" start $A2
rm -f $D/matrix/$A2 $D/0.0.0315/$U2
vm -q remove --undefine $A1
is "$(ls $S/bus/mdev/devices | wc -l).$(find $D -type f | wc -l)" "0.0" "everything made here is gone"
sim_umount

# ---- a host with small maxima: ids above them are refused, naming the limit ----
cat >"$tmp/small.xml" <<'XML'
<host>
  <css/>
  <ap max-adapter-id="15" max-domain-id="15" adapters="5" usage-domains="4" control-domains="4"
      apmask="all" aqmask="all">
    <card id="05" hwtype="12" type="CEX6C" domains="4"/>
  </ap>
</host>
XML
sim_mount "$S" --host "$tmp/small.xml"
refuse 4 "virt-mdev: cannot use adapter 32 \(0x20\) in mdev $A1: this host's adapter ids are 0-15 \(ap_max_adapter_id\)" \
	"an adapter above ap_max_adapter_id" create ap --adapters 0x20 --domains 4 --uuid $A1
refuse 4 "virt-mdev: cannot use control domain 16 \(0x10\) in mdev $A1: this host's control domain ids are 0-15 \(ap_max_domain_id\)" \
	"a control domain above ap_max_domain_id" create ap --adapters 5 --domains 4 --control-domains 16 --uuid $A1
# a definition with control domains only: validate names the rule
mkdir -p $D/matrix
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_control_domain":"4"}]}\n' >$D/matrix/$A2
run vm validate $A2
is "$rc.$out" "4.$A2: mdev $A2 has control domains but no usage domain: a vfio-ap device needs at least one usage domain (add --domains)" \
	"validate: control domains without a usage domain"
rm -f $D/matrix/$A2
sim_umount

# ---- a 6.1 kernel: no ap_config; assign_* in order, each undone on a refusal ----
sim_mount "$S" --host "$DEMO_HOST" --kernel 6.1 --faults "$tmp/faults"
vm -q ap reserve 05.0004 05.00ab
run vm -n create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1
is "$out" "# take the s390-tools lock $L
# create mdev $A1 (vfio_ap-passthrough) on the vfio_ap matrix
echo $A1 > $S/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create
# assign adapter 0x5 to mdev $A1
echo 0x5 > $S/devices/vfio_ap/matrix/$A1/assign_adapter
# assign domain 0x4 to mdev $A1
echo 0x4 > $S/devices/vfio_ap/matrix/$A1/assign_domain
# assign domain 0xab to mdev $A1
echo 0xab > $S/devices/vfio_ap/matrix/$A1/assign_domain
# assign control domain 0x4 to mdev $A1
echo 0x4 > $S/devices/vfio_ap/matrix/$A1/assign_control_domain
# release the s390-tools lock $L" "without ap_config: the classic assign_* writes, 0x-hex, in order, under the s390-tools lock"
# fault RULE MESSAGE: create ap on 6.1 with RULE fails with exactly MESSAGE, each step undone
fault() {
	local rule=$1
	snapshot before
	echo "$rule" >"$tmp/faults"
	run vm create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1
	: >"$tmp/faults"
	is "$rc" 1 "fault '$rule': exit 1"
	is "$err" "$2" "fault '$rule': the message says what failed; every step is undone, in reverse, the half-made device removed"
	snapshot after
	ok "$(same before after; echo $?)" "fault '$rule': no device left behind, the tree as before"
}
M=$S/devices/vfio_ap/matrix/$A1
fault "devices/vfio_ap/matrix/$A1/assign_adapter 1 EIO" \
	"virt-mdev: cannot assign adapter 0x5 to mdev $A1 (echo 0x5 > $M/assign_adapter: Input/output error); undone: create mdev $A1 (vfio_ap-passthrough) on the vfio_ap matrix"
fault "devices/vfio_ap/matrix/$A1/assign_domain 1 EADDRNOTAVAIL" \
	"virt-mdev: cannot assign domain 0x4 to mdev $A1 (echo 0x4 > $M/assign_domain: Cannot assign requested address); undone: assign adapter 0x5 to mdev $A1; create mdev $A1 (vfio_ap-passthrough) on the vfio_ap matrix"
fault "devices/vfio_ap/matrix/$A1/assign_domain 2 EADDRINUSE" \
	"virt-mdev: cannot assign domain 0xab to mdev $A1 (echo 0xab > $M/assign_domain: Address already in use); undone: assign domain 0x4 to mdev $A1; assign adapter 0x5 to mdev $A1; create mdev $A1 (vfio_ap-passthrough) on the vfio_ap matrix"
fault "devices/vfio_ap/matrix/$A1/assign_control_domain 1 ENODEV" \
	"virt-mdev: cannot assign control domain 0x4 to mdev $A1 (echo 0x4 > $M/assign_control_domain: No such device); undone: assign domain 0xab to mdev $A1; assign domain 0x4 to mdev $A1; assign adapter 0x5 to mdev $A1; create mdev $A1 (vfio_ap-passthrough) on the vfio_ap matrix"
run vm create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1
is "$rc" 0 "create ap on 6.1 exits 0"
is "$(cat $S/devices/vfio_ap/matrix/$A1/matrix).$(cat $S/devices/vfio_ap/matrix/$A1/control_domains)" "05.0004
05.00ab.0004" "the matrix and the control domain are assigned"
vm -q remove $A1
sim_umount

done_testing
