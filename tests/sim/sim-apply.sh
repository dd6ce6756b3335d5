#!/bin/bash
# plan, apply and export of a state file (virt-mdev-state(5)) with the sysfs backend on a
# mounted virt-mdev-sim, against a private libvirtd with the QEMU driver and three s390x
# domains: apply from empty and again, a changed file (exactly its steps, the same end as a
# fresh apply of it), --prune (only what apply made), a failure at every step of a
# multi-guest apply (everything as before), bad files, two applies at one instant, an
# interrupted apply and recover, the export round trip.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
[ -x /usr/bin/qemu-system-s390x ] || skip_all "qemu-system-s390x is not installed (apt-get install qemu-system-misc)"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"
command -v jq >/dev/null || skip_all "jq is not installed (apt-get install jq)"
command -v strace >/dev/null || skip_all "strace is not installed (apt-get install strace)"
private_run
. "$top_srcdir/tests/sim/private-libvirtd.sh"

tmp=$(mktemp -d)
trap 'sim_umount; libvirtd_stop; rm -rf "$tmp"' EXIT
: >"$tmp/faults"
R=$tmp/root
S=$R/sys
REC=$R/var/lib/virt-mdev/last-applied.json
J=$R/run/virt-mdev/journal.json
mkdir -p "$R/etc/driverctl.d" "$R/etc/mdevctl.d" "$R/run/lock"
libvirtd_start || { echo "Bail out! the private libvirtd did not start"; exit 1; }
export LIBVIRT_DEFAULT_URI=$uri
DOMS="g1 g2 g3"
vm() { "$VIRT_MDEV" --root "$R" --backend sysfs "$@"; }
define_domains() {
	local d
	for d in $DOMS; do
		# a fixed uuid each: a fresh host's domains are byte for byte those of the first
		sed "s|<name>virt-mdev-demo</name>|<name>$d</name><uuid>$(printf '%s' "$d" | md5sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/')</uuid>|" \
			"$top_srcdir/xml-templates/domain-s390x-demo.xml" >"$tmp/$d.xml"
		virsh define "$tmp/$d.xml" >/dev/null || return 1
	done
}
undefine_domains() {
	local d
	for d in $DOMS; do virsh undefine "$d" >/dev/null; done
}
# a fresh host: a new simulator, no files under /etc and /var, the domains defined afresh
fresh_host() {
	sim_umount
	rm -rf "$R/etc" "$R/var" "$R/run"
	mkdir -p "$R/etc/driverctl.d" "$R/etc/mdevctl.d" "$R/run/lock"
	: >"$tmp/faults"
	sim_mount "$S" --host "$DEMO_HOST" --faults "$tmp/faults"
	undefine_domains 2>/dev/null
	define_domains
}
hostdevs() { virsh dumpxml --inactive "$1" | xmllint --xpath '/domain/devices/hostdev' - 2>/dev/null; echo; }
# the whole host as a user compares it: the simulated sysfs, the files under /etc and /var with
# their content, each domain's persistent XML
snapshot() {
	local d
	{
		dump_tree "$S"
		find "$R/etc" "$R/var" 2>/dev/null | sort
		find "$R/etc" "$R/var" -type f -print0 2>/dev/null | sort -z | xargs -0r grep -H ''
		for d in $DOMS; do virsh dumpxml --inactive "$d"; done
	} >"$tmp/$1"
}
same() { cmp -s "$tmp/$1" "$tmp/$2"; }
# descriptions FILE...: the plan's step descriptions, one a line
descriptions() { vm -j plan "$@" | jq -r '.steps[].description'; }

U1=11111111-2222-4333-8444-0000000000a1
U2=11111111-2222-4333-8444-0000000000a2
U3=11111111-2222-4333-8444-0000000000a3
A1=aaaaaaaa-2222-4333-8444-0000000000a1

sim_mount "$S" --host "$DEMO_HOST" --faults "$tmp/faults"
define_domains
ok $? "three s390x domains are defined (QEMU driver): $DOMS"

# a fresh host is the same host
snapshot first
fresh_host
snapshot again
ok "$(same first again; echo $?)" "a fresh host (simulator, /etc, domains) is byte for byte the first"

# ---- the file: two guests, ccw + ap, and an mdev without a guest ----
cat >"$tmp/s1.yaml" <<EOT
# virt-mdev state file: see virt-mdev-state(5)
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
      - kind: ap
        adapters: 5
        domains: 4,0xab
        uuid: $A1
  - name: g2
    devices:
      - kind: vfio-ccw
        device: 0.0.0315
        uuid: $U2
mdevs:
  - kind: ccw
    device: 0.1.0580
    uuid: $U3
EOT
# the changed file: the DASD of g2 moved to g1, APQN 05.00ab dropped, control domain 4 added
cat >"$tmp/s2.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
      - kind: ap
        adapters: 5
        domains: 4
        control-domains: 4
        uuid: $A1
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
  - name: g2
    devices: []
mdevs:
  - kind: ccw
    device: 0.1.0580
    uuid: $U3
EOT
# for --prune: the mdev without a guest and g1's vfio-ap device taken out
cat >"$tmp/s3.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
EOT
# comments: the '# description' lines of a dry run (not in a here-document), the s390-tools
# lock's take and release left out (the -j document has no step for them)
comments() {
	awk 'h { if ($0 == d) h = 0; next }
	     match($0, /<<\047[^\047]*\047$/) { d = substr($0, RSTART + 3, RLENGTH - 4); h = 1 }
	     /^# / && !/^# (take|release) the s390-tools lock / { sub(/^# /, ""); print }'
}
# ere TEXT: TEXT as an extended regular expression that matches only it
ere() { printf '%s' "$1" | sed 's/[][().*+?^$|\\{}]/\\&/g'; }
# mdev_defs: every mdevctl definition with its content
mdev_defs() { (cd "$R/etc/mdevctl.d" && find . -type f -print0 | sort -z | xargs -0r grep -H ''); }
# what a guest's passthrough is, as a user compares two hosts: each domain's hostdevs, each
# mdev's matrix, the definitions and driverctl's overrides (not the record's file name)
meaning() {
	local d m
	for d in $DOMS; do echo "$d:"; hostdevs "$d"; done
	for m in "$S"/bus/mdev/devices/*; do
		[ -e "$m" ] || continue
		echo "${m##*/} $(basename "$(readlink "$m/mdev_type")") $(cat "$m/matrix" "$m/control_domains" 2>/dev/null | tr '\n' ' ')"
	done
	mdev_defs
	(cd "$R/etc/driverctl.d" && grep -H '' * 2>/dev/null)
}

# ---- apply from empty: the dry run first, then the apply does exactly that ----
snapshot empty
run vm plan "$tmp/s1.yaml"
is "$rc" 0 "plan of the file on an empty host: exit 0"
has_line "$out" "# bind subchannel 0\.0\.0313 to vfio_ccw" "plan prints the dry run: a '# description' line per step"
has_line "$out" "echo 0\.0\.0313 > $(ere "$S")/bus/css/drivers/vfio_ccw/bind" "and the command of each step"
run vm plan "$tmp/s1.yaml" --exit-code
is "$rc" 10 "plan --exit-code: exit 10, something would change"
plan1=$(descriptions "$tmp/s1.yaml")
is "$(printf '%s\n' "$out" | comments)" "$plan1" \
	"plan's text and its -j document list the same steps"
run vm -n apply "$tmp/s1.yaml"
is "$(printf '%s\n' "$out" | comments)" "$plan1" "-n apply is plan"
snapshot after
ok "$(same empty after; echo $?)" "plan and -n apply change nothing"
run vm -j apply "$tmp/s1.yaml"
is "$rc.$(printf '%s' "$out" | jq -r '[.changed, .dry_run, ([.steps[].status] | unique | join(","))] | @tsv')" "0.true	false	done" \
	"apply: exit 0, changed, every step done"
is "$(printf '%s' "$out" | jq -r '.steps[].description')" "$plan1" "apply ran exactly the steps plan printed, in that order"
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
is "$(hostdevs g1)" "$(ccw_hostdev $U1 1234)
$(ap_hostdev $A1)" "g1's persistent definition holds its DASD as devno fe.0.1234 and the vfio-ap device"
is "$(hostdevs g2)" "$(ccw_hostdev $U2 2b0b)" "g2's holds its DASD, devno mirroring the host's 0.0.2b0b"
is "$(hostdevs g3)" "" "g3, not in the file, is left alone"
is "$(for u in $U1 $U2 $U3 $A1; do printf '%s ' "$(basename "$(readlink $S/bus/mdev/devices/$u/mdev_type)")"; done)" \
	"vfio_ccw-io vfio_ccw-io vfio_ccw-io vfio_ap-passthrough " "each mdev is active, of its type"
is "$(cat $S/devices/vfio_ap/matrix/$A1/matrix)" "05.0004
05.00ab" "the vfio-ap mdev holds APQNs 05.0004 and 05.00ab"
is "$(cd "$R/etc/driverctl.d" && grep -H '' *)" "css-0.0.0313:vfio_ccw
css-0.0.0315:vfio_ccw
css-0.1.0020:vfio_ccw" "each subchannel's binding persists (driverctl's overrides)"
is "$(mdev_defs | grep -c '"start": "auto"')" 4 "each mdev is defined to start at boot"
is "$(jq -r '[(.mdevs | map(.uuid) | sort | join(" ")), (.hostdevs | map(.domain + ":" + .uuid) | sort | join(" "))] | @tsv' "$REC")" \
	"$(printf '%s\n' $U1 $U2 $U3 $A1 | sort | tr '\n' ' ' | sed 's/ $//')	g1:$U1 g1:$A1 g2:$U2" "the record names every mdev and hostdev apply made"

# ---- apply again: nothing ----
snapshot applied1
run vm -j apply "$tmp/s1.yaml"
is "$rc.$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "0.false	0" "apply again: changed false, no step"
run vm apply "$tmp/s1.yaml"
is "$rc.$out" "0.nothing to do: the host holds $tmp/s1.yaml already: 4 devices" "and in text: nothing to do"
run vm plan "$tmp/s1.yaml" --exit-code
is "$rc" 0 "plan --exit-code on the applied host: exit 0"
snapshot after
ok "$(same applied1 after; echo $?)" "nothing changed, the record neither"

# ---- a changed file: exactly its steps; the same end as a fresh apply of it ----
run vm -j plan "$tmp/s2.yaml"
is "$(printf '%s' "$out" | jq -r '.steps[].description')" "configure mdev $A1 in one write (ap_config): adapters 5, domains 4, control domains 4
define mdev $A1 on the vfio_ap matrix (mdevctl definition, start auto)
define domain g1 again with its hostdevs changed: add vfio-ccw mdev $U2 as devno fe.0.2b0b
define domain g2 again with its hostdevs changed: remove mdev $U2
record what apply made (--prune removes only that)" \
	"the changed file (DASD moved g2 -> g1, 05.00ab dropped, control domain 4 added): the mdev reconfigured and redefined, each guest defined once, the record"
run vm -j apply "$tmp/s2.yaml"
is "$rc.$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "0.true	5" "apply of the changed file runs those 5 steps"
meaning >"$tmp/meaning2"
is "$(hostdevs g1)" "$(ccw_hostdev $U1 1234)
$(ap_hostdev $A1)
$(ccw_hostdev $U2 2b0b)" "g1 holds the moved DASD"
is "$(hostdevs g2)" "" "g2 holds none"
is "$(cat $S/devices/vfio_ap/matrix/$A1/matrix).$(cat $S/devices/vfio_ap/matrix/$A1/control_domains)" "05.0004.0004" "the vfio-ap mdev: 05.0004, control domain 4"
run vm -j apply "$tmp/s2.yaml"
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "false	0" "and again: nothing"
snapshot applied2
fresh_host
vm -q apply "$tmp/s2.yaml"
meaning >"$tmp/meaning2f"
ok "$(same meaning2 meaning2f; echo $?)" "the end state is that of a fresh apply of the changed file on a fresh host (hostdevs, matrices, definitions, overrides)"
diff "$tmp/meaning2" "$tmp/meaning2f" | sed 's/^/# /'

# ---- --prune: only what apply made ----
AH=aaaaaaaa-2222-4333-8444-0000000000f1
# made by hand: an mdev with virt-mdev create, attached with virt-mdev attach; an override
# written by driverctl itself (in a mount namespace whose /sys is the simulator)
vm -q ap reserve 06.0047
vm -q create ap --adapters 6 --domains 0x47 --uuid $AH
vm -q attach g3 $AH
unshare -m sh -c 'mount --bind "$1" /sys && mount --bind "$2" /etc/driverctl.d && driverctl -b css set-override 0.0.0314 none' \
	x "$S" "$R/etc/driverctl.d"
is "$(cat "$R/etc/driverctl.d/css-0.0.0314").$(cat $S/bus/css/devices/0.0.0314/driver_override)" "none.none" \
	"driverctl set-override keeps 0.0.0314 off every driver (none) and saves its override"
run vm -j plan --prune "$tmp/s3.yaml"
is "$(printf '%s' "$out" | jq -r '.steps[].description')" "remove mdev $A1 from the vfio_ap matrix
undefine mdev $A1 (remove its mdevctl definition)
remove mdev $U3 from subchannel 0.1.0020
unbind subchannel 0.1.0020 from vfio_ccw
clear the driver override of subchannel 0.1.0020
bind subchannel 0.1.0020 to io_subchannel
remove the persistent binding of subchannel 0.1.0020 (driverctl override)
undefine mdev $U3 (remove its mdevctl definition)
give back adapters 5 in apmask; queues returning to the host: 05.0004 05.00ab
give back adapters 5 in apmask at boot in chzdev's udev rule 41-ap.rules (udev writes its apmask and aqmask at coldplug)
define domain g1 again with its hostdevs changed: remove mdev $A1
record what apply made (--prune removes only that)" \
	"plan --prune: the mdevs apply made that the file no longer lists removed, their devices given back, the hostdev taken out"
run vm plan "$tmp/s3.yaml" --exit-code
is "$rc.$out" "0.# nothing to do: the host holds $tmp/s3.yaml already: 2 devices" \
	"without --prune, nothing would change (the file's devices are all there; the record keeps the others)"
run vm apply --prune "$tmp/s3.yaml"
is "$rc" 0 "apply --prune"
is "$(hostdevs g1)" "$(ccw_hostdev $U1 1234)
$(ccw_hostdev $U2 2b0b)" "g1 keeps its two DASDs; the vfio-ap hostdev is gone"
is "$(hostdevs g3)" "$(ap_hostdev $AH)" "the hostdev attached by hand to g3 is untouched"
is "$(ls $S/bus/mdev/devices | sort | tr '\n' ' ')" "$(printf '%s\n' $U1 $U2 $AH | sort | tr '\n' ' ')" \
	"the pruned mdevs are gone; the one made by hand stays"
is "$(basename "$(readlink $S/bus/css/devices/0.1.0020/driver)").$(cat $S/bus/css/devices/0.1.0020/driver_override)" "io_subchannel.(null)" \
	"the pruned subchannel is back on io_subchannel, without an override"
is "$(cd "$R/etc/driverctl.d" && grep -H '' *)" "css-0.0.0313:vfio_ccw
css-0.0.0314:none
css-0.0.0315:vfio_ccw" "its driverctl override is gone; the one driverctl wrote stays"
is "$(mdev_defs | cut -d: -f1 | sort -u)" "./0.0.0313/$U1
./0.0.0315/$U2" "the pruned mdevs are undefined"
is "$(jq -r '[(.mdevs | map(.uuid) | join(" ")), (.hostdevs | map(.domain + ":" + .uuid) | join(" "))] | @tsv' "$REC")" \
	"$U1 $U2	g1:$U1 g1:$U2" "the record holds only what the file still lists"
run vm -j apply --prune "$tmp/s3.yaml"
is "$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "false	0" "apply --prune again: nothing"
run vm -j apply --prune "$tmp/s1.yaml"
is "$rc.$(printf '%s' "$out" | jq -r '[.steps[].description | select(test("0\\.0\\.0314|'$AH'|g3"))] | length')" "0.0" \
	"apply --prune of another file touches neither the hand-made mdev, its hostdev nor driverctl's override"
run vm -q apply --prune "$tmp/s3.yaml"
is "$(hostdevs g3).$(cat "$R/etc/driverctl.d/css-0.0.0314")" "$(ap_hostdev $AH).none" "they are still there"

# a device of the file that another domain uses, where apply did not put it
cat >"$tmp/s4.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
  - name: g2
    devices:
      - kind: ap
        adapters: 6
        domains: 0x47
        uuid: $AH
EOT
refuse 4 "virt-mdev: $(ere "$tmp/s4.yaml"):11:9: cannot give mdev $AH to domain g2: libvirt domain g3 uses it, and one mdev serves one guest; virt-mdev did not put it there \(take it out of g3 first: 'virt-mdev unassign g3 $AH --keep-mdev'\)" \
	"a device moved to a guest from a domain where apply did not put it" apply --prune "$tmp/s4.yaml"

# ---- bad files: one message naming FILE:LINE:COLUMN, nothing changed ----
cat >"$tmp/bad-guest.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices: []
  - name: nosuch
    devices: []
EOT
refuse 3 "virt-mdev: $(ere "$tmp/bad-guest.yaml"):5:5: no domain 'nosuch' at $(ere "$uri") \(define it first, or take it out of the state file; 'virsh list --all' shows the domains\)" \
	"a guest that does not exist" apply "$tmp/bad-guest.yaml"
cat >"$tmp/bad-dev.yaml" <<EOT
version: 1
guests:
  - name: g2
    devices:
      - kind: ccw
        device: 0.0.9999
EOT
refuse 3 "virt-mdev: $(ere "$tmp/bad-dev.yaml"):5:9: $LINE" "a device that does not exist" apply "$tmp/bad-dev.yaml"
like "$err" "virt-mdev: $(ere "$tmp/bad-dev.yaml"):5:9: ${LINE}0\.0\.9999$LINE" "the message names the device"
cat >"$tmp/bad-live.yaml" <<EOT
version: 1
guests:
  - name: g2
    devices:
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
        live: true
EOT
refuse 4 "virt-mdev: $(ere "$tmp/bad-live.yaml"):5:9: live: true, but domain g2 is not running \(start it first, or leave live out\)" \
	"live: true for a guest that is not running" apply "$tmp/bad-live.yaml"

# boot-order: libvirt refuses a per-device boot order in a domain with <os><boot> (libvirt
# writes <boot dev='hd'/> into a definition that has none): the define fails, all rolled back
cat >"$tmp/bad-boot.yaml" <<EOT
version: 1
guests:
  - name: g2
    devices:
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
        boot-order: 1
EOT
is "$(virsh dumpxml --inactive g2 | grep -c "<boot dev='hd'/>")" 1 "libvirt keeps <boot dev='hd'/> in the domain's definition"
snapshot before
run vm apply "$tmp/bad-boot.yaml"
is "$rc" 1 "boot-order in a domain with <os><boot>: exit 1"
# (g2, first in the file, is defined first: its define is the first step)
like "$err" "virt-mdev: cannot define domain g2 again with its hostdevs changed: add vfio-ccw mdev $U2 as devno fe\.0\.2b0b \(virsh attach-device --domain g2 --file /dev/stdin --config <<'EOF': define: ${LINE}per-device boot elements cannot be used together with os/boot elements\); nothing was changed" \
	"the message names the define libvirt refused, and libvirt's reason"
snapshot after
ok "$(same before after; echo $?)" "host and domains as before"

# ---- a failure at every step of a multi-guest apply: everything as before ----
fresh_host
cat >"$tmp/sF.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
      - kind: ap
        adapters: 5
        domains: 4,0xab
        uuid: $A1
  - name: g2
    devices:
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
EOT
# steptypes FILE: each step of apply FILE's plan, one a line: w PATH for a sysfs write (PATH
# below sys as the simulator resolves it), f PATH for a file put, c for a libvirt call
steptypes() {
	vm -j plan "$@" | jq -r --arg s "$S/" '.steps[].command | split("\n")[0] |
		sub("^mkdir -p [^ ]+ && "; "") | sub(" <<.*$"; "") |
		if startswith("virsh") then "c"
		else (split(" > ") | last) as $p |
			if ($p | startswith($s)) then "w " + $p[($s | length):] else "f " + $p end
		end' | while read -r t p; do
		case $t in
		w) echo "w $(realpath -m --relative-to="$S" "$S/$p")" ;;
		*) echo "$t${p:+ $p}" ;;
		esac
	done
}
snapshot clean
mapfile -t types < <(steptypes "$tmp/sF.yaml")
mapfile -t descs < <(descriptions "$tmp/sF.yaml")
n=${#types[@]}
is "$n.${#descs[@]}.$(printf '%s\n' "${types[@]}" | cut -c1 | sort | uniq -c | tr -s ' \n' ' ')" "20.20. 2 c 7 f 11 w " \
	"the multi-guest apply has 20 steps: 11 sysfs writes, 7 files, 2 domain defines"
for ((k = 1; k <= n; k++)); do
	t=${types[k - 1]} d=${descs[k - 1]} how=""
	case $t in
	w*)
		# the simulator fails the Nth write to that file (counted from the rule's load)
		nth=0
		for ((i = 1; i <= k; i++)); do [ "${types[i - 1]}" = "$t" ] && nth=$((nth + 1)); done
		echo "${t#w } $nth EIO" >"$tmp/faults"
		how="the simulator fails write $nth of ${t#w }"
		run vm apply "$tmp/sF.yaml"
		: >"$tmp/faults"
		;;
	f*)
		# a file step renames its new file into place with renameat(2) (src/lib/filestep.c),
		# the journal with rename(2): strace fails the Nth renameat
		nth=0
		for ((i = 1; i <= k; i++)); do [ "${types[i - 1]%% *}" = f ] && nth=$((nth + 1)); done
		how="strace fails renameat $nth (${t#f })"
		ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} run strace -f -o /dev/null \
			-e trace=renameat -e inject=renameat:error=EIO:when=$nth "$VIRT_MDEV" --root "$R" --backend sysfs apply "$tmp/sF.yaml"
		;;
	c)
		# libvirt saves a domain's definition as PATH.new, renamed to PATH (virFileRewrite in
		# libvirt's src/util/virfile.c, called through virDomainDefSave); a directory in the
		# way of /etc/libvirt/qemu/DOMAIN.xml.new (the private libvirtd's) makes its open(2)
		# fail with EISDIR, and the define fails with the old definition kept (the check
		# below compares the domain's inactive XML byte for byte)
		dom=${d#define domain }
		dom=${dom%% *}
		how="a directory in the way of libvirtd's /etc/libvirt/qemu/$dom.xml.new"
		mkdir "/etc/libvirt/qemu/$dom.xml.new"
		run vm apply "$tmp/sF.yaml"
		rmdir "/etc/libvirt/qemu/$dom.xml.new"
		;;
	esac
	snapshot after
	fine=1
	[ "$rc" = 1 ] && [[ $err == "virt-mdev: cannot $d ("* ]] && same clean after && [ -z "$(journal_left)" ] && fine=0
	ok "$fine" "a failure at step $k of $n ($how): exit 1, the message names '$d', host and every domain exactly as before, no record, no journal"
	if [ "$fine" != 0 ]; then
		echo "# rc=$rc: $err"
		diff "$tmp/clean" "$tmp/after" | head -10 | sed 's/^/# /'
		fresh_host # the next step starts from a clean host again
		snapshot clean
	fi
done
run vm -j apply "$tmp/sF.yaml"
is "$rc.$(printf '%s' "$out" | jq -r '.steps | length')" "0.$n" "then the apply runs whole"
snapshot F1

# ---- export: the round trip ----
fresh_host
vm -q apply "$tmp/s1.yaml"
run vm export
is "$rc" 0 "export after the apply"
is "$out" "# virt-mdev state file (virt-mdev-state(5)), exported by virt-mdev $(vm --version | sed 's/.* //')
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
      - kind: ap
        adapters: 5
        domains: 4,0xab
        uuid: $A1
  - name: g2
    devices:
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
        devno: fe.0.2b0b
mdevs:
  - kind: ccw
    device: 0.1.0580
    uuid: $U3" "export describes the applied file's guests, devices (by busid), devnos and uuids; persistent and not live (the defaults)"
printf '%s\n' "$out" >"$tmp/exported1.yaml"
run vm plan "$tmp/exported1.yaml" --exit-code
is "$rc.$out" "0.# nothing to do: the host holds $tmp/exported1.yaml already: 4 devices" "the exported file plans nothing against the host"
# the round trip, with a vfio-ap device of whole cards too
cat >"$tmp/sX.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
      - kind: ap
        adapters: 5-6
        domains: 4,0x47,0xab
        uuid: $A1
  - name: g2
    devices:
      - kind: vfio-ccw
        device: 0.0.0315
        uuid: $U2
mdevs:
  - kind: ccw
    device: 0.1.0580
    uuid: $U3
EOT
fresh_host
vm -q apply "$tmp/sX.yaml"
vm export >"$tmp/exported.yaml"
run vm plan "$tmp/exported.yaml" --exit-code
is "$rc.$out" "0.# nothing to do: the host holds $tmp/exported.yaml already: 4 devices" "the exported file of whole cards plans nothing against the host"
snapshot before
run sh -c "\"$VIRT_MDEV\" --root \"$R\" --backend sysfs export | \"$VIRT_MDEV\" --root \"$R\" --backend sysfs -j apply -"
is "$rc.$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "0.false	0" "export | apply -: changed false, no step"
snapshot after
ok "$(same before after; echo $?)" "and nothing changed"
# JSON reads the same as YAML
jq -n --arg u1 $U1 --arg u2 $U2 --arg u3 $U3 --arg a1 $A1 '{version: 1,
	guests: [{name: "g1", devices: [{kind: "ccw", device: "0.0.2b09", uuid: $u1, devno: "fe.0.1234"},
		{kind: "ap", adapters: "5-6", domains: "4,0x47,0xab", uuid: $a1}]},
		{name: "g2", devices: [{kind: "vfio-ccw", device: "0.0.0315", uuid: $u2}]}],
	mdevs: [{kind: "ccw", device: "0.1.0580", uuid: $u3}]}' >"$tmp/sX.json"
run vm -j apply "$tmp/sX.json"
is "$rc.$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "0.false	0" "the file as JSON: the host holds it already"

# ---- two applies of overlapping files at one instant: they serialize ----
cat >"$tmp/sA.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
  - name: g2
    devices:
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
EOT
cat >"$tmp/sB.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
      - kind: ap
        adapters: 5
        domains: 4
        uuid: $A1
EOT
cat >"$tmp/sAB.yaml" <<EOT
version: 1
guests:
  - name: g1
    devices:
      - kind: ccw
        device: 0.0.2b09
        uuid: $U1
        devno: fe.0.1234
      - kind: ap
        adapters: 5
        domains: 4
        uuid: $A1
  - name: g2
    devices:
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
EOT
fresh_host
vm -q apply "$tmp/sAB.yaml"
meaning >"$tmp/meaningAB"
# together CMD1 -- CMD2: both started at one instant (each spins until $tmp/go exists), as
# tests/sim/sim-concurrent.sh does; stdout, stderr, exit code in $tmp/r1.* and $tmp/r2.*
together() {
	local a=() b=() p1 p2
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	rm -f "$tmp/go" "$tmp/ready1" "$tmp/ready2"
	(: >"$tmp/ready1"; while [ ! -e "$tmp/go" ]; do :; done; exec "${a[@]}" >"$tmp/r1.out" 2>"$tmp/r1.err") &
	p1=$!
	(: >"$tmp/ready2"; while [ ! -e "$tmp/go" ]; do :; done; exec "${b[@]}" >"$tmp/r2.out" 2>"$tmp/r2.err") &
	p2=$!
	while [ ! -e "$tmp/ready1" ] || [ ! -e "$tmp/ready2" ]; do sleep 0.01; done
	: >"$tmp/go"
	wait $p1; echo $? >"$tmp/r1.rc"
	wait $p2; echo $? >"$tmp/r2.rc"
}
bad=0 why=""
for round in 1 2 3; do
	fresh_host
	together "$VIRT_MDEV" --root "$R" --backend sysfs apply "$tmp/sA.yaml" -- \
		"$VIRT_MDEV" --root "$R" --backend sysfs apply "$tmp/sB.yaml"
	meaning >"$tmp/meaningR"
	creates=$(cat "$tmp/r1.out" "$tmp/r2.out" | grep -c "^done: create mdev $U1 ")
	defines=$(cat "$tmp/r1.out" "$tmp/r2.out" | grep -c "^done: define domain g1 again with its hostdevs changed: add vfio-ccw mdev $U1 ")
	if [ "$(cat "$tmp/r1.rc") $(cat "$tmp/r2.rc") $creates $defines" != "0 0 1 1" ] || ! same meaningAB meaningR; then
		bad=$((bad + 1)) why="$why round $round: exits $(cat "$tmp/r1.rc") $(cat "$tmp/r2.rc"), $creates creates and $defines attaches of $U1: $(cat "$tmp/r1.err" "$tmp/r2.err" | tr '\n' ' ');"
	fi
done
is "$bad" 0 "two applies of overlapping files at one instant: both succeed, the shared DASD is made and attached once (the second plans against the first's state), the end is that of the union file ($why)"

# ---- an interrupted apply: refused after, recover, recover --complete ----
# wait_step K PID: until the journal says step K (from 1) runs or is done, or PID ended
wait_step() {
	local st
	for _ in $(seq 6000); do
		st=$(journal_merged 2>/dev/null | jq -r --argjson k "$1" '.steps[$k - 1].status' 2>/dev/null)
		[ "$st" = running ] || [ "$st" = done ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.005
	done
	return 1
}
# kill_at K: apply sF killed (SIGKILL) while its step K is in flight: a sysfs write held by
# the simulator's delay fault, a file put by strace's delay of its renameat(2) (as
# tests/sim/sim-interrupt.sh does)
kill_at() {
	local k=$1 t=${types[$1 - 1]} nth=0 i pid
	rm -f "$tmp/pid"
	if [ "${t%% *}" = w ]; then
		for ((i = 1; i <= k; i++)); do [ "${types[i - 1]}" = "$t" ] && nth=$((nth + 1)); done
		echo "delay ${t#w } $nth 600" >"$tmp/faults"
		"$VIRT_MDEV" --root "$R" --backend sysfs apply "$tmp/sF.yaml" >"$tmp/run.out" 2>"$tmp/run.err" &
		pid=$!
	else
		for ((i = 1; i <= k; i++)); do [ "${types[i - 1]%% *}" = f ] && nth=$((nth + 1)); done
		ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} strace -f -o /dev/null \
			-e trace=renameat -e inject=renameat:delay_enter=600000:when=$nth \
			sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
			"$VIRT_MDEV" --root "$R" --backend sysfs apply "$tmp/sF.yaml" >"$tmp/run.out" 2>"$tmp/run.err" &
		for _ in $(seq 1000); do [ -s "$tmp/pid" ] && break; sleep 0.005; done
		pid=$(cat "$tmp/pid")
	fi
	wait_step "$k" "$pid"
	sleep 0.2
	kill -KILL "$pid"
	wait $!
	rc=$?
	: >"$tmp/faults"
}
fresh_host
snapshot F0
# (F1, the uninterrupted apply of sF, was taken after the failures above)
for k in 3 $n; do
	kill_at $k
	is "$rc.$(journal_merged 2>/dev/null | jq -r '[.steps[].status] | index("running") + 1' 2>/dev/null)" "137.$k" "SIGKILL while step $k (${descs[k - 1]}) is in flight"
	snapshot killed
	run vm ccw bind 0.0.2b0a
	is "$rc" 4 "after the kill at step $k, a change is refused: exit 4"
	like "$err" "virt-mdev: cannot change the host: the run of 'virt-mdev --root $(ere "$R --backend sysfs apply $tmp/sF.yaml")' \(PID [0-9]+\) ended before its plan did, and left the journal $(ere "$J"); 'virt-mdev recover' rolls it back, 'virt-mdev recover --complete' finishes it" \
		"the refusal names the interrupted apply, the journal and the fixes"
	snapshot after
	ok "$(same killed after; echo $?)" "the refusal changed nothing"
	run vm recover
	snapshot after
	ok "$([ "$rc" = 0 ] && same F0 after; echo $?)" "recover after the kill at step $k: host and every domain byte for byte as before the apply"
	[ "$rc" = 0 ] || echo "# $err"
	diff "$tmp/F0" "$tmp/after" | head -6 | sed 's/^/# /'
	run vm recover
	is "$rc.$out" "0.nothing to recover: no journal at $J" "a second recover has nothing to do"
	kill_at $k
	run vm recover --complete
	snapshot after
	ok "$([ "$rc" = 0 ] && same F1 after && [ -z "$(journal_left)" ]; echo $?)" "recover --complete after the kill at step $k: as the uninterrupted apply (the record too), no journal left"
	[ "$rc" = 0 ] || echo "# $err"
	diff "$tmp/F1" "$tmp/after" | head -6 | sed 's/^/# /'
	run vm -j apply "$tmp/sF.yaml"
	is "$(printf '%s' "$out" | jq -r '[.changed, (.steps | length)] | @tsv')" "false	0" "then apply has nothing to do"
	fresh_host
done

sim_umount
done_testing
