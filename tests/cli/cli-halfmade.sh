#!/bin/bash
# Half-made states: what assign and unassign (ccw and ap, with and without --persistent) leave
# when they are interrupted between two steps, made by running the first K steps of the
# command's own plan (the commands of 'virt-mdev -n -j', pasted into sh as an admin would) on
# a mounted virt-mdev-sim and a private libvirtd's s390x domain, for every K. From each:
# validate names what is half-made and the command that fixes it (exit 4; a note, exit 0,
# for APQNs freed for no mdev), the command it names makes the host whole, and a rerun of the
# same assign/unassign plans exactly the steps not done and leaves what an uninterrupted run
# leaves: the simulated sysfs tree, driverctl's and mdevctl's files and the domain's XML, byte
# for byte. Also: a failure whose rollback cannot undo a step (simulator faults), and
# half-made states written directly (an override without binding, a definition whose
# subchannel is gone).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
[ -x /usr/bin/qemu-system-s390x ] || skip_all "qemu-system-s390x is not installed (apt-get install qemu-system-misc)"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"
private_run
. "$top_srcdir/tests/sim/private-libvirtd.sh"

tmp=$(mktemp -d)
trap 'sim_umount; libvirtd_stop; rm -rf "$tmp"' EXIT
libvirtd_start || { echo "Bail out! the private libvirtd did not start"; exit 1; }
export LIBVIRT_DEFAULT_URI=$uri
R=$tmp/root
S=$R/sys
DOM=virt-mdev-demo
U1=11111111-2222-4333-8444-000000000001
A1=aaaaaaaa-2222-4333-8444-000000000001
vm() { "$VIRT_MDEV" --root "$R" --backend sysfs "$@"; }
# the whole state: sysfs, driverctl's and mdevctl's files with their contents, the domain's XML
snapshot() {
	{
		dump_tree "$S"
		(cd "$R/etc" && find . -printf '%p %y %m\n' | sort && find . -type f -print0 | sort -z | xargs -0 grep -H -- '' 2>&1)
		# the domain's XML, but its uuid: each fresh define makes another
		virsh dumpxml --inactive $DOM | sed '/^  <uuid>/d'
	} >"$tmp/$1"
}
same() { cmp -s "$tmp/$1" "$tmp/$2"; }

# fresh: the demo host as it boots, and the demo domain as defined
fresh() {
	sim_umount
	rm -rf "$R"
	mkdir -p "$R/etc/driverctl.d" "$R/etc/mdevctl.d" "$R/run/lock"
	: >"$tmp/faults"
	sim_mount "$S" --host "$DEMO_HOST" ${KERNEL:+--kernel "$KERNEL"} --faults "$tmp/faults"
	virsh undefine $DOM >/dev/null 2>&1
	virsh define "$top_srcdir/xml-templates/domain-s390x-demo.xml" >/dev/null || echo "Bail out! cannot define $DOM"
}

# the commands of a plan (one per step, as -n -j prints them), and their descriptions
plan_of() { vm -n -j "$@" | jq -c '[.steps[] | {d: .description, c: .command}]'; }
# first K PLAN: run the first K commands of the plan in sh as they are, as an admin pasting
# the dry run would (the dry run is pasteable: tests/cli/cli-dryrun-paste.sh)
first() {
	local k=$1 plan=$2 i c
	for ((i = 0; i < k; i++)); do
		c=$(printf '%s' "$plan" | jq -r ".[$i].c")
		sh -c "$c" >/dev/null 2>&1 || echo "# step $i failed: $(printf '%s' "$plan" | jq -r ".[$i].d")"
	done
}
# the fix a validate line names: the first quoted 'virt-mdev ...' command
fix_of() { printf '%s\n' "$1" | grep -o "'virt-mdev [^']*'" | head -1 | tr -d "'"; }
# run a pasted virt-mdev command line against this host
paste_run() { bash -c 'virt-mdev() { "$VIRT_MDEV" --root "$R" --backend sysfs "$@"; }; eval "$1"' x "$1" >/dev/null 2>&1; }
export VIRT_MDEV R

# converge NAME SETUP VALIDATE... -- CMD...: the uninterrupted run of CMD after SETUP is the
# reference; then for each K from 1 to the plan's length - 1, SETUP, the first K steps, and
# validate's exit code and output against VALIDATE[K] (a file of expected lines, "" for none:
# exit 0, "4:FILE" for problems, "0:FILE" for notes only); the fix it names (if any) leaves
# validate clean; and from the same state a rerun plans the steps after K and ends where the
# reference ends.
converge() {
	local name=$1 setup=$2 k n plan rest want code file expect fix
	shift 2
	local -a exp=()
	while [ "$1" != -- ]; do
		exp+=("$1")
		shift
	done
	shift
	fresh && $setup
	run vm "$@"
	is "$rc" 0 "$name: the uninterrupted run exits 0"
	snapshot ref
	fresh && $setup
	plan=$(plan_of "$@")
	n=$(printf '%s' "$plan" | jq length)
	is "$n" "$((${#exp[@]} + 1))" "$name: the plan has $((${#exp[@]} + 1)) steps"
	for ((k = 1; k < n; k++)); do
		fresh && $setup
		first "$k" "$plan"
		want=${exp[$((k - 1))]}
		code=0 file="" byfix=""
		case $want in
		fix:*) byfix=1 want=${want#fix:} ;;
		esac
		case $want in
		4:*) code=4 file=${want#4:} ;;
		0:*) file=${want#0:} ;;
		esac
		run vm validate
		if [ -n "$file" ]; then
			expect=$(sed -e "s/@U1@/$U1/g" -e "s/@A1@/$A1/g" "$tmp/$file")
		else
			like "$out" "[0-9]+ mdevs? checked, no problem found" "$name, after step $k: validate finds nothing half-made"
		fi
		is "$rc" "$code" "$name, after step $k ($(printf '%s' "$plan" | jq -r ".[$((k - 1))].d")): validate exits $code"
		if [ -n "$file" ]; then
			is "$(printf '%s\n' "$out" | grep -v 'checked, no problem found$')" "$expect" "$name, after step $k: validate names what is half-made and the fix"
		fi
		if [ -n "$byfix" ]; then
			# nothing on the host names what is left any more: the rerun says so and points at
			# validate, and the fix validate names ends where the command ends
			fix=$(fix_of "$out")
			run vm "$@"
			like "$rc.$out" "0\.nothing to do: no mdev [-0-9a-f]+ on this host, and none in domain $DOM \('virt-mdev validate' names what an interrupted unassign may have left of its device, and how to give it back\)" \
				"$name, after step $k: the rerun finds nothing of the mdev, and names validate"
			paste_run "$fix"
			snapshot got
			ok "$(same ref got; echo $?)" "$name, after step $k: '$fix' leaves what the uninterrupted run leaves"
			same ref got || diff "$tmp/ref" "$tmp/got" | head -20 | sed 's/^/# /'
			continue
		fi
		# from here, the rerun: exactly the steps not done, and the uninterrupted end
		rest=$(printf '%s' "$plan" | jq -c ".[$k:] | [.[].d]")
		is "$(plan_of "$@" | jq -c '[.[].d]')" "$rest" "$name, after step $k: a rerun plans the $((n - k)) steps not done"
		run vm "$@"
		is "$rc" 0 "$name, after step $k: the rerun exits 0"
		snapshot got
		ok "$(same ref got; echo $?)" "$name, after step $k: the rerun leaves what the uninterrupted run leaves"
		same ref got || diff "$tmp/ref" "$tmp/got" | head -20 | sed 's/^/# /'
		# and the fix validate names, pasted, makes the host whole
		[ -n "$file" ] || continue
		fresh && $setup
		first "$k" "$plan"
		fix=$(fix_of "$(vm validate 2>/dev/null | grep -v '^note: ' | head -1)")
		[ -n "$fix" ] || fix=$(fix_of "$(vm validate 2>/dev/null | head -1)")
		paste_run "$fix"
		run vm validate
		is "$rc" 0 "$name, after step $k: '$fix' leaves nothing half-made"
	done
}

assigned_ccw() { vm -q assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1; }
assigned_ccw_persistent() { vm -q assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1 --persistent; }
assigned_ap() { vm -q assign $DOM ap --adapters 5 --domains 4,0xab --uuid $A1; }
assigned_ap_persistent() { vm -q assign $DOM ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1 --persistent; }
nothing() { :; }

# ---- what validate says of each half-made state ----
cat >"$tmp/sch-none" <<'EOF'
subchannel 0.0.0313: it is bound to no driver, so neither the host nor a guest can use device 0.0.2b09: half-made, as an interrupted assign, unassign or ccw bind/unbind leaves it (give it back to the host: 'virt-mdev ccw unbind 0.0.2b09', or finish the binding: 'virt-mdev ccw bind 0.0.2b09')
EOF
cat >"$tmp/sch-none-override" <<'EOF'
subchannel 0.0.0313: it is bound to no driver (driver_override vfio_ccw), so neither the host nor a guest can use device 0.0.2b09: half-made, as an interrupted assign, unassign or ccw bind/unbind leaves it (give it back to the host: 'virt-mdev ccw unbind 0.0.2b09', or finish the binding: 'virt-mdev ccw bind 0.0.2b09')
EOF
cat >"$tmp/sch-none-driverctl" <<'EOF'
subchannel 0.0.0313: it is bound to no driver, so neither the host nor a guest can use device 0.0.2b09; driverctl's override binds it to vfio_ccw at boot: half-made, as an interrupted assign, unassign or ccw bind/unbind leaves it (give it back to the host: 'virt-mdev ccw unbind 0.0.2b09 --persistent', or finish the binding: 'virt-mdev ccw bind 0.0.2b09 --persistent')
EOF
cat >"$tmp/sch-none-override-driverctl" <<'EOF'
subchannel 0.0.0313: it is bound to no driver (driver_override vfio_ccw), so neither the host nor a guest can use device 0.0.2b09; driverctl's override binds it to vfio_ccw at boot: half-made, as an interrupted assign, unassign or ccw bind/unbind leaves it (give it back to the host: 'virt-mdev ccw unbind 0.0.2b09 --persistent', or finish the binding: 'virt-mdev ccw bind 0.0.2b09 --persistent')
EOF
cat >"$tmp/sch-io-driverctl" <<'EOF'
subchannel 0.0.0313: driverctl's override binds it to vfio_ccw at boot, so the host loses it at the next boot: half-made, as an interrupted assign, unassign or ccw bind/unbind leaves it (give it back to the host: 'virt-mdev ccw unbind 0.0.2b09 --persistent', or finish the binding: 'virt-mdev ccw bind 0.0.2b09 --persistent')
EOF
# a definition on the subchannel: its own check says what it needs
cat >"$tmp/def-none" <<'EOF'
@U1@: cannot create a vfio-ccw mdev on subchannel 0.0.0313 of device 0.0.2b09: it is bound to no driver, not vfio_ccw (run 'virt-mdev ccw bind 0.0.2b09' first)
EOF
cat >"$tmp/def-io" <<'EOF'
@U1@: cannot create a vfio-ccw mdev on subchannel 0.0.0313 of device 0.0.2b09: it is bound to io_subchannel, not vfio_ccw (run 'virt-mdev ccw bind 0.0.2b09' first)
EOF
cat >"$tmp/ap-adapter-free" <<'EOF'
note: APQNs 05.0004,05.00ab: free of the host's drivers (apmask/aqmask), but no mdev or definition holds them: an interrupted assign or unassign leaves them so, and so does 'ap reserve' on purpose (if no one keeps them for a guest, give them back to the host: 'virt-mdev ap release --adapters 5 --domains 4,0xab')
EOF
cat >"$tmp/ap-empty" <<'EOF'
@A1@: it is active with no APQN (adapters none, domains none), so a guest gets no crypto from it: half-made, as an interrupted assign leaves it (remove it: 'virt-mdev remove @A1@'; or give it its APQNs by running the assign again with --uuid @A1@)
note: APQNs 05.0004,05.00ab: free of the host's drivers (apmask/aqmask), but no mdev or definition holds them: an interrupted assign or unassign leaves them so, and so does 'ap reserve' on purpose (if no one keeps them for a guest, give them back to the host: 'virt-mdev ap release --adapters 5 --domains 4,0xab')
EOF
cat >"$tmp/ap-empty-defined" <<'EOF'
@A1@: it is active with another matrix than its definition's (adapters none here, 5 defined; domains none here, 4,0xab defined; control domains none here, 4 defined): half-made, as an interrupted assign or start leaves it (start it afresh from its definition: 'virt-mdev stop @A1@ && virt-mdev start @A1@')
EOF
cat >"$tmp/ap-adapter-only" <<'EOF'
@A1@: it is active with no APQN (adapters 5, domains none), so a guest gets no crypto from it: half-made, as an interrupted assign leaves it (remove it: 'virt-mdev remove @A1@'; or give it its APQNs by running the assign again with --uuid @A1@)
EOF
cat >"$tmp/def-ap-reserved" <<'EOF'
@A1@: cannot give APQNs 05.0004,05.00ab to mdev @A1@: reserved for the host's drivers by apmask/aqmask (run 'virt-mdev ap reserve --adapters 5 --domains 4,0xab' first)
EOF
cat >"$tmp/def-ap-reserved-boot" <<'EOF'
@A1@: cannot start mdev @A1@ at boot: APQNs 05.0004,05.00ab stay with the host's drivers after a boot, by the persistent masks of /etc/udev/rules.d/41-ap.rules (chzdev's); free them persistently first ('virt-mdev ap reserve --persistent --adapters 5 --domains 4,0xab', or 'chzdev --type ap apmask=-0x5 aqmask=-0x4,-0xab --persistent'), or leave out --autostart
@A1@: cannot give APQNs 05.0004,05.00ab to mdev @A1@: reserved for the host's drivers by apmask/aqmask (run 'virt-mdev ap reserve --adapters 5 --domains 4,0xab' first)
EOF

# ---- assign: every state between two steps ----
# unbind, override, bind, create, attach
converge "assign ccw" nothing 4:sch-none 4:sch-none-override "" "" \
	-- assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1
# unbind, override, bind, driverctl's file, define, create, attach
converge "assign ccw --persistent" nothing 4:sch-none 4:sch-none-override "" "" "" "" \
	-- assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1 --persistent
# apmask (adapter 5 alone frees 05.0004 and 05.00ab and no other queue), create, ap_config, attach
converge "assign ap" nothing 0:ap-adapter-free 4:ap-empty "" \
	-- assign $DOM ap --adapters 5 --domains 4,0xab --uuid $A1
# chzdev's rule (41-ap.rules), apmask, define, create, ap_config, attach (the rule alone
# changes only the next boot: nothing half-made now)
converge "assign ap --persistent" nothing "" 0:ap-adapter-free "" 4:ap-empty-defined "" \
	-- assign $DOM ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1 --persistent
# a 6.1 kernel has no ap_config: apmask, create, assign_adapter 0x5, assign_domain 0x4,
# assign_domain 0xab, attach; the rerun writes only the assign_* not done (5 x 4 of 5 x 4,0xab
# is a whole mdev to validate: without a definition nothing says more was meant)
KERNEL=6.1
converge "assign ap (6.1: assign_* writes)" nothing 0:ap-adapter-free 4:ap-empty 4:ap-adapter-only "" "" \
	-- assign $DOM ap --adapters 5 --domains 4,0xab --uuid $A1
KERNEL=

# ---- unassign: every state between two steps ----
# detach, remove, unbind, clear the override, bind to io_subchannel (by the device: the mdev
# is transient, and once it is gone only the device names what is left)
converge "unassign ccw DEVICE" assigned_ccw "" "" 4:sch-none-override 4:sch-none \
	-- unassign $DOM 0.0.2b09
# detach, remove, unbind, clear, bind, remove driverctl's file, undefine: by the uuid (the
# definition goes last, so a rerun finds the subchannel by it)
converge "unassign ccw --persistent UUID" assigned_ccw_persistent "" "" 4:def-none 4:def-none 4:def-io 4:def-io \
	-- unassign $DOM $U1
converge "unassign ccw --persistent DEVICE" assigned_ccw_persistent "" "" 4:def-none 4:def-none 4:def-io 4:def-io \
	-- unassign $DOM 0.0.2b09
# detach, remove, apmask, chzdev's rule, undefine (the definition, left last, is checked
# against the boot masks, whose fix 'ap reserve --persistent' frees them now too, and the
# active masks)
converge "unassign ap --persistent" assigned_ap_persistent "" "" 4:def-ap-reserved 4:def-ap-reserved-boot \
	-- unassign $DOM $A1
# detach, remove, apmask: once the transient mdev is gone, nothing names its APQNs but
# validate's note, whose release ends where the unassign ends
converge "unassign ap" assigned_ap "" fix:0:ap-adapter-free \
	-- unassign $DOM $A1

# ---- half-made states written directly ----
# driverctl's override left for a subchannel back on io_subchannel (as 'ccw unbind' without
# --persistent, or an unassign killed before its last step, leaves it): validate names it, and
# unassign of the device, which said "nothing to do", takes it away
fresh
snapshot clean
echo vfio_ccw >"$R/etc/driverctl.d/css-0.0.0313"
run vm validate
is "$rc" 4 "driverctl's override without binding: validate exits 4"
is "$out" "$(cat "$tmp/sch-io-driverctl")" "driverctl's override without binding: validate names it and the fix"
run vm unassign $DOM 0.0.2b09
is "$rc.$out" "0.done: remove the persistent binding of subchannel 0.0.0313 (driverctl override)" "unassign of the device removes the override left"
snapshot got
ok "$(same clean got; echo $?)" "and leaves the host as it boots"
# the sysfs driver_override without binding
w "$S/bus/css/devices/0.0.0313/driver_override" vfio_ccw >/dev/null
run vm validate
is "$rc" 4 "driver_override vfio_ccw on io_subchannel: validate exits 4"
is "$out" "subchannel 0.0.0313: it is bound to io_subchannel, but its driver_override is 'vfio_ccw': half-made, as an interrupted assign, unassign or ccw bind/unbind leaves it (give it back to the host: 'virt-mdev ccw unbind 0.0.2b09', or finish the binding: 'virt-mdev ccw bind 0.0.2b09')" \
	"driver_override vfio_ccw on io_subchannel: validate names it and the fix"
paste_run "$(fix_of "$out")"
snapshot got
ok "$(same clean got; echo $?)" "'$(fix_of "$out")' leaves the host as it boots"

# the JSON: a finding about no mdev has uuid null and its object; a note is under notes
w "$S/bus/css/devices/0.0.0313/driver/unbind" 0.0.0313 >/dev/null
run vm -j validate
is "$rc.$(printf '%s' "$out" | jq -r '[(.problems | length), .problems[0].uuid == null, .problems[0].object, has("notes")] | @tsv')" "4.1	true	subchannel 0.0.0313	false" \
	"validate -j: the subchannel's problem, uuid null, with its object"
paste_run "virt-mdev ccw unbind 0.0.2b09"
vm -q ap reserve 06.0047
run vm -j validate
is "$rc.$(printf '%s' "$out" | jq -r '[(.problems | length), .notes[0].uuid == null, .notes[0].object, has("error")] | @tsv')" "0.0	true	APQN 06.0047	false" \
	"validate -j: an APQN freed for no mdev (06.0047, by domain 0x47, which only card 06 has) is a note, and no error"
paste_run "$(fix_of "$(printf '%s' "$out" | jq -r '.notes[0].note')")"
snapshot got
ok "$(same clean got; echo $?)" "the note's release gives them back"

# a definition whose subchannel is gone
mkdir -p "$R/etc/mdevctl.d/0.0.0399"
printf '{\n  "mdev_type": "vfio_ccw-io",\n  "start": "auto",\n  "attrs": []\n}\n' >"$R/etc/mdevctl.d/0.0.0399/$U1"
run vm validate
is "$rc" 4 "a definition whose subchannel is gone: validate exits 4"
is "$out" "$U1: its parent 0.0.0399 does not exist on this host: it cannot start (remove the stale definition: 'virt-mdev remove $U1 --undefine')" \
	"a definition whose subchannel is gone: validate names it and the fix"
paste_run "$(fix_of "$out")"
rmdir "$R/etc/mdevctl.d/0.0.0399" 2>/dev/null # mdevctl's own undefine leaves the parent's directory too
snapshot got
ok "$(same clean got; echo $?)" "'$(fix_of "$out")' removes it"

# ---- a failure whose rollback cannot undo a step (simulator faults) ----
# the bind to vfio_ccw fails, and so does the undo of the unbind: the subchannel is left on no
# driver (exit 5); validate names it, and the rerun ends where an uninterrupted assign ends
fresh
run vm assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1
snapshot ref
fresh
printf '%s\n' "bus/css/drivers/vfio_ccw/bind 1 EIO" "bus/css/drivers/io_subchannel/bind 1 EIO" >"$tmp/faults"
run vm assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1
is "$rc" 5 "assign with the bind and the undo of the unbind failing: exit 5 (rollback incomplete)"
: >"$tmp/faults"
run vm validate
is "$rc.$out" "4.$(cat "$tmp/sch-none")" "validate names the subchannel the rollback left on no driver"
run vm assign $DOM ccw 0.0.2b09 --devno fe.0.1234 --uuid $U1
is "$rc" 0 "the rerun exits 0"
snapshot got
ok "$(same ref got; echo $?)" "the rerun leaves what the uninterrupted run leaves"

sim_umount
done_testing
