#!/bin/bash
# Golden plans: the dry run (-n) and the JSON dry run (-n -j) of every mutating command, built
# against static host trees (virt-mdev-sim render: no FUSE, no root) and, for attach, detach,
# assign and unassign, libvirt's in-process test driver; compared byte for byte with
# tests/golden/plans/CASE.txt and CASE.json. Refusals too: the exit code and the one message.
# VIRT_MDEV_REGENERATE=1 rewrites the golden files instead of comparing (read the diff before
# committing it: a golden file says what the program must keep doing).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"
private_run # as root, the test driver would make /run/libvirt/common

G=$top_srcdir/tests/golden/plans
VIRT_MDEV_SIM="$top_builddir/src/virt-mdev-sim"
tmp=$(cd "$(mktemp -d)" && pwd -P) # canonical: virt-mdev prints the canonical root
trap 'rm -rf "$tmp"' EXIT
R=$tmp/root # every case's host tree; ROOT in the golden files
DOMS=test://$R/domains.xml
unset VIRT_MDEV_ROOT VIRT_MDEV_TEMPLATE_DIR
# no libvirt daemon for the commands without -c: never the machine's own libvirt
export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$tmp/no-libvirtd-sock"
regenerate=${VIRT_MDEV_REGENERATE:-}
U1=11111111-2222-4333-8444-000000000001
U2=11111111-2222-4333-8444-000000000002
A1=aaaaaaaa-2222-4333-8444-000000000001
A2=aaaaaaaa-2222-4333-8444-000000000002
cases=" "

# mdevctl's definitions of U1 (vfio-ccw on 0.0.0313, manual) and A1 (vfio-ap, auto: the
# matrix of mdevs.xml), as virt-mdev create --define writes them
defs() {
	mkdir -p "$R/etc/mdevctl.d/0.0.0313" "$R/etc/mdevctl.d/matrix"
	printf '{\n  "mdev_type": "vfio_ccw-io",\n  "start": "manual",\n  "attrs": []\n}\n' >"$R/etc/mdevctl.d/0.0.0313/$U1"
	printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": [\n    {\n      "assign_adapter": "0x5"\n    },\n    {\n      "assign_domain": "0x4"\n    },\n    {\n      "assign_domain": "0xab"\n    },\n    {\n      "assign_control_domain": "0x4"\n    }\n  ]\n}\n' >"$R/etc/mdevctl.d/matrix/$A1"
}
# driverctl's override for subchannel 0.0.0313, as 'driverctl -b css set-override' writes it
override() {
	echo vfio_ccw >"$R/etc/driverctl.d/css-0.0.0313"
}

# chzdev's persistent AP masks: tests/golden/plans/41-ap.rules is what the real chzdev wrote
# for 'chzdev --type ap apmask=0-4,7-255 aqmask=0-3,5-170,172-255 -p' (adapters 5 and 6,
# domains 4 and 0xab free at boot), in virt-mdev-sim run
rules() {
	mkdir -p "$R/etc/udev/rules.d"
	cp "$G/41-ap.rules" "$R/etc/udev/rules.d/41-ap.rules"
}

# the domains without their hostdevs: no other domain references an mdev (one mdev serves one
# guest: attach and assign of an mdev guest-dev or guest-on-dev references are refused)
nohostdevs() {
	sed -i '/<hostdev /,/<\/hostdev>/d' "$R/domains.xml"
}
# guest-off as guest-dev's stand-by twin: its definition holds U1 (as devno fe.0.1236) and A1 too
standby() {
	sed -i "0,/<devices>/s||<devices><hostdev mode='subsystem' type='mdev' managed='no' model='vfio-ccw'><source><address uuid='$U1'/></source><address type='ccw' cssid='0xfe' ssid='0x0' devno='0x1236'/></hostdev><hostdev mode='subsystem' type='mdev' managed='no' model='vfio-ap'><source><address uuid='$A1'/></source></hostdev>|" "$R/domains.xml"
}
# mdevctl's definition of U2 (the mdev the running guest-on-dev has) on subchannel 0.0.0315
u2def() {
	mkdir -p "$R/etc/mdevctl.d/0.0.0315"
	printf '{\n  "mdev_type": "vfio_ccw-io",\n  "start": "manual",\n  "attrs": []\n}\n' >"$R/etc/mdevctl.d/0.0.0315/$U2"
}

# host SPEC: a fresh tree at $R. SPEC is a host description (demo: xml-templates/hosts/demo.xml;
# else tests/golden/plans/hosts/NAME.xml) and extras after '+': defs, override, nohostdevs,
# standby, u2def, rules.
host() {
	local name=${1%%+*} file x
	rm -rf "$R"
	mkdir -p "$R/etc/mdevctl.d" "$R/etc/driverctl.d" "$R/run/lock"
	if [ "$name" = demo ]; then
		file=$top_srcdir/xml-templates/hosts/demo.xml
	else
		file=$G/hosts/$name.xml
	fi
	if ! "$VIRT_MDEV_SIM" render --host "$file" "$R/sys" 2>"$tmp/render.err"; then
		echo "Bail out! virt-mdev-sim render --host $file: $(cat "$tmp/render.err")"
		exit 1
	fi
	cp "$G/domains.xml" "$R/domains.xml"
	for x in $(printf '%s' "${1#"$name"}" | tr '+' ' '); do
		"$x"
	done
}

snapshot() { (cd "$R" && find . -printf '%p %y %l\n' | sort && find . -type f -readable -print0 | sort -z | xargs -0 cat) >"$1"; }

# the temporary paths as fixed tokens
esc=$(printf '%s' "$tmp" | sed 's/[][\.*^$|/]/\\&/g')
normalise() { sed -e "s/$esc\/root/ROOT/g" -e "s/$esc/TMP/g"; }

# empty_containers: the JSON document (json-c's pretty text) with each empty array and object
# written "[]" and "{}". json-c up to 0.16 (Debian 12) writes them over two lines ("[", then
# "]" on a line of its own), 0.17 and later (Debian 13) as "[]": the JSON documents are
# compared in that one layout, the rest of the text byte for byte. (A newline inside a JSON
# string is written \n, so a line break is always layout.)
empty_containers() { sed -z -e 's/\[\n *\]/[]/g' -e 's/{\n *}/{}/g'; }

# compare FILE: what this run gave ($tmp/got.EXT) against the golden file
compare() {
	local f=$G/$1 got=$tmp/got.${1##*.}
	if [ "$regenerate" = 1 ]; then
		cp "$got" "$f"
		ok $? "$1: regenerated"
		return
	fi
	if [ "${1##*.}" = json ] && [ -f "$f" ]; then
		empty_containers <"$f" >"$tmp/golden.json"
		empty_containers <"$got" >"$tmp/got-layout.json"
		f=$tmp/golden.json got=$tmp/got-layout.json
	fi
	if cmp -s "$f" "$got"; then
		ok 0 "$1: as the golden file"
	else
		ok 1 "$1: as the golden file"
		[ -f "$f" ] || echo "# no golden file $f (VIRT_MDEV_REGENERATE=1 writes it)"
		diff -u "$f" "$got" 2>&1 | head -40 | sed 's/^/# /'
	fi
}

# plan NAME HOST CODE ARGS...: 'virt-mdev --root ROOT --backend sysfs -n ARGS' and the same
# with -j on a fresh HOST. NAME.txt holds the command line, stdout, stderr (when there is any)
# and the exit code; NAME.json the JSON document. Also: it exits CODE, -j exits the same,
# prints one JSON document that lists the steps the text lists, and neither run changes the tree.
# todo=REASON before a case marks the text/JSON cross-check as a known failure (TAP TODO).
plan() {
	local name=$1 spec=$2 code=$3 rc jrc
	shift 3
	case $cases in *" $name "*) echo "Bail out! two cases named $name" && exit 1 ;; esac
	cases="$cases$name "
	host "$spec"
	snapshot "$tmp/before"
	"$VIRT_MDEV" --root "$R" --backend sysfs -n "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	"$VIRT_MDEV" --root "$R" --backend sysfs -n -j "$@" >"$tmp/jout" 2>"$tmp/jerr"
	jrc=$?
	snapshot "$tmp/after"
	{
		printf '$ virt-mdev --root ROOT --backend sysfs -n %s\n' "$*"
		cat "$tmp/out"
		if [ -s "$tmp/err" ]; then
			echo "--- stderr"
			cat "$tmp/err"
		fi
		echo "--- exit $rc"
		if ! cmp -s "$tmp/err" "$tmp/jerr"; then
			echo "--- stderr with -j"
			cat "$tmp/jerr"
		fi
	} | normalise >"$tmp/got.txt"
	normalise <"$tmp/jout" >"$tmp/got.json"
	compare "$name.txt"
	compare "$name.json"
	is "$rc.$jrc" "$code.$code" "$name: exit $code, with and without -j"
	ok "$(jq -e 'type == "object"' "$tmp/jout" >/dev/null; echo $?)" "$name: -j prints one JSON object"
	if [ "$code" = 0 ]; then
		# the text's "# take/release" lines where the JSON's ap_lock steps begin and end
		jq -r --arg lock "the s390-tools lock $R/run/lock/s390apconfig.lock" '
			reduce .steps[] as $s ({in: false, out: []};
				($s.ap_lock // false) as $l
				| (if $l != .in then .out += ["# " + (if $l then "take " else "release " end) + $lock] | .in = $l else . end)
				| .out += ["# " + $s.description, $s.command])
			| (.out + (if .in then ["# release " + $lock] else [] end))[]' "$tmp/jout" >"$tmp/jsteps"
		grep -v '^# nothing to do: ' "$tmp/out" >"$tmp/tsteps"
		if [ -n "${todo:-}" ]; then
			# a known failure: reported as TAP TODO, not counted (an unexpected pass fails)
			tap_n=$((tap_n + 1))
			echo "$(cmp -s "$tmp/jsteps" "$tmp/tsteps" || echo "not ")ok $tap_n - $name: the text lists the steps the JSON lists, and nothing else # TODO $todo"
		else
			is "$(cat "$tmp/tsteps")" "$(cat "$tmp/jsteps")" "$name: the text lists the steps the JSON lists, and nothing else"
		fi
		is "$(jq -r '[.dry_run, .changed, ([.steps[].status] | unique | join(","))] | @tsv' "$tmp/jout")" \
			"true	false	$(jq -r 'if (.steps | length) > 0 then "planned" else "" end' "$tmp/jout")" \
			"$name: -j says dry run, nothing changed, every step planned"
	else
		is "$(wc -c <"$tmp/out").$(wc -l <"$tmp/err")" "0.$([ "$code" = 2 ] && echo 2 || echo 1)" \
			"$name: nothing on stdout, one message"
		is "$(jq -r '"\(.error.exit_code): virt-mdev: \(.error.message)"' "$tmp/jout")" "$code: $(head -1 "$tmp/err")" \
			"$name: the JSON error is the message"
	fi
	ok "$(cmp -s "$tmp/before" "$tmp/after"; echo $?)" "$name: the dry runs change nothing"
}
golden() { # NAME HOST ARGS...: a plan that exits 0
	local name=$1 spec=$2
	shift 2
	plan "$name" "$spec" 0 "$@"
}
refusal() { # NAME HOST CODE ARGS...
	plan "$@"
}

# ---- ccw bind / unbind ----
golden ccw-bind demo ccw bind 0.0.2b09
golden ccw-bind-persistent demo ccw bind 0.0.2b09 --persistent
golden ccw-bind-force demo ccw bind 0.0.2b0a --force
golden ccw-bind-subchannel demo ccw bind 0.0.0315
golden ccw-bind-bound-persistent ready ccw bind 0.0.2b09 --persistent
golden ccw-bind-bound ready+override ccw bind 0.0.2b09 --persistent
golden ccw-unbind ready ccw unbind 0.0.2b09
golden ccw-unbind-override ready+override ccw unbind 0.0.2b09
golden ccw-unbind-persistent ready+override ccw unbind 0.0.2b09 --persistent
golden ccw-unbind-unbound demo ccw unbind 0.0.2b09

# ---- ap reserve / release ----
golden ap-reserve demo ap reserve 05.0004 05.00ab
golden ap-reserve-one demo ap reserve 06.0047
golden ap-reserve-lists demo ap reserve --adapters 5,6 --domains 4,0x47
golden ap-reserve-reserved ready ap reserve --adapters 5 --domains 4,0xab
golden ap-release ready ap release 05.0004 05.00ab
golden ap-release-lists ready ap release --adapters 5 --domains 4,0xab
golden ap-release-released demo ap release 05.0004
# the fewest queues: 05.0004 alone takes 05.00ab (adapter 5; domain 4 would take 06.0004, the
# tie goes to the adapter); a set that is no matrix; --exact refuses, or holds
golden ap-reserve-taken demo ap reserve 05.0004
golden ap-reserve-set demo ap reserve 05.0004 05.00ab 06.0047
golden ap-reserve-exact demo ap reserve --exact 05.0004 05.00ab
refusal refuse-reserve-exact demo 4 ap reserve --exact 05.0004
refusal refuse-reserve-exact-set demo 4 ap reserve --exact 05.0004 06.0047
refusal refuse-reserve-exact-persistent demo 4 ap reserve --exact --persistent 05.0004
# --persistent: chzdev's rule file written (from the active masks when there is none), the
# bits not named kept as the file has them; the autostart definition's APQNs stay free at boot
golden ap-reserve-persistent demo ap reserve --persistent 05.0004 05.00ab
golden ap-reserve-persistent-rules demo+rules ap reserve --persistent 06.0047
golden ap-reserve-persistent-done ready+rules ap reserve --persistent --adapters 5 --domains 4,0xab
golden ap-release-persistent ready+rules ap release --persistent 05.0004 05.00ab
plan ap-release-persistent-autostart demo+defs+rules 4 ap release --persistent 05.0004

# ---- create ----
golden create-ccw ready create ccw 0.0.2b09 --uuid $U1
golden create-ccw-define ready create ccw 0.0.2b09 --uuid $U1 --define
golden create-ccw-define-autostart ready create ccw 0.0.2b09 --uuid $U1 --define --autostart
golden create-ccw-autostart ready create ccw 0.0.2b09 --uuid $U1 --autostart
golden create-ccw-subchannel ready create ccw 0.0.0313 --uuid $U1
golden create-ccw-define-active mdevs create ccw 0.0.2b09 --uuid $U1 --define
golden create-ccw-autostart-defined mdevs+defs create ccw 0.0.2b09 --uuid $U1 --autostart
golden create-ccw-exists mdevs create ccw 0.0.2b09 --uuid $U1
golden create-ap ready create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1
golden create-ap-define ready create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1 --define
golden create-ap-define-autostart ready create ap --adapters 5 --domains 4,0xab --uuid $A1 --define --autostart
golden create-ap-exists mdevs+defs create ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1 --define

# ---- start / stop / remove ----
golden start-ccw ready+defs start $U1
golden start-ap ready+defs start $A1
golden start-active mdevs+defs start $U1
golden stop-ccw mdevs stop $U1
golden stop-ap mdevs stop $A1
golden stop-defined mdevs+defs stop $U1
golden remove-ccw mdevs remove $U1
golden remove-ap mdevs remove $A1
golden remove-ccw-undefine mdevs+defs remove $U1 --undefine
golden remove-ap-undefine mdevs+defs remove $A1 --undefine
golden remove-undefine-inactive ready+defs remove $U1 --undefine

# ---- attach / detach (the test driver: domains.xml) ----
golden attach-ccw mdevs+nohostdevs -c "$DOMS" attach guest-off $U1
golden attach-ccw-devno mdevs+nohostdevs -c "$DOMS" attach guest-off $U1 --devno fe.1.4711 --boot-order 1
golden attach-ccw-running mdevs+nohostdevs -c "$DOMS" attach guest-on $U1
golden attach-ccw-live-config mdevs+nohostdevs -c "$DOMS" attach guest-on $U1 --devno fe.0.4711 --live --config
golden attach-ap mdevs+nohostdevs -c "$DOMS" attach guest-off $A1
golden attach-attached mdevs -c "$DOMS" attach guest-dev $U1
golden detach-ccw mdevs -c "$DOMS" detach guest-dev $U1
golden detach-ap mdevs -c "$DOMS" detach guest-dev $A1
golden detach-ccw-live mdevs -c "$DOMS" detach guest-on-dev $U2 --live --config
golden detach-ccw-running mdevs -c "$DOMS" detach guest-on-dev $U2
golden detach-detached mdevs -c "$DOMS" detach guest-off $U1

# ---- assign / unassign ----
golden assign-ccw demo+nohostdevs -c "$DOMS" assign guest-off ccw 0.0.2b09 --uuid $U1
golden assign-ccw-persistent demo+nohostdevs -c "$DOMS" assign guest-off ccw 0.0.2b09 --uuid $U1 --devno fe.0.1234 --persistent
golden assign-ccw-running demo+nohostdevs -c "$DOMS" assign guest-on ccw 0.0.2b09 --uuid $U1
golden assign-ccw-bound ready+nohostdevs -c "$DOMS" assign guest-off ccw 0.0.2b09 --uuid $U1
golden assign-ap demo+nohostdevs -c "$DOMS" assign guest-off ap --adapters 5 --domains 4,0xab --uuid $A1
golden assign-ap-persistent demo+nohostdevs -c "$DOMS" assign guest-off ap --adapters 5 --domains 4,0xab --control-domains 4 --uuid $A1 --persistent
golden assign-ap-reserved ready+nohostdevs -c "$DOMS" assign guest-off ap --adapters 5 --domains 4,0xab --uuid $A1
golden assign-ap-taken demo+nohostdevs -c "$DOMS" assign guest-off ap --adapters 5 --domains 4 --uuid $A1
refusal refuse-assign-ap-exact demo+nohostdevs 4 -c "$DOMS" assign guest-off ap --adapters 5 --domains 4 --uuid $A1 --exact
refusal refuse-assign-ccw-exact demo+nohostdevs 2 -c "$DOMS" assign guest-off ccw 0.0.2b09 --exact
golden unassign-ccw mdevs -c "$DOMS" unassign guest-dev $U1
golden unassign-ccw-device mdevs+defs+override -c "$DOMS" unassign guest-dev 0.0.2b09
golden unassign-ap mdevs+defs -c "$DOMS" unassign guest-dev $A1
golden unassign-ap-rules mdevs+defs+rules -c "$DOMS" unassign guest-dev $A1
golden unassign-keep-mdev mdevs -c "$DOMS" unassign guest-dev $U1 --keep-mdev
golden unassign-unbound demo -c "$DOMS" unassign guest-off 0.0.2b09
# an mdev the domain does not have while another domain (guest-dev) uses it: nothing to
# detach, and the mdev and the binding stay for guest-dev (as stop and remove refuse)
golden unassign-not-attached mdevs -c "$DOMS" unassign guest-off $U1

# ---- sharing: one mdev serves one guest ----
# guest-dev references U1 and A1 (shut off, persistent definition); guest-on-dev runs with U2
refusal refuse-attach-used-ccw mdevs 4 -c "$DOMS" attach guest-off $U1
refusal refuse-attach-used-ap mdevs 4 -c "$DOMS" attach guest-off $A1
refusal refuse-attach-used-running mdevs 4 -c "$DOMS" attach guest-on $U1
refusal refuse-attach-used-running-def mdevs+u2def 4 -c "$DOMS" attach guest-off $U2
refusal refuse-assign-used-ccw mdevs 4 -c "$DOMS" assign guest-off ccw 0.0.2b09
refusal refuse-assign-used-ap mdevs 4 -c "$DOMS" assign guest-off ap --adapters 5 --domains 4,0xab --control-domains 4
refusal refuse-assign-used-uuid demo 4 -c "$DOMS" assign guest-off ccw 0.0.2b09 --uuid $U1
# --shared: a stand-by guest's definition, never a running guest, never while another runs with it
golden attach-shared-ccw mdevs -c "$DOMS" attach guest-off $U1 --shared
golden attach-shared-ap mdevs -c "$DOMS" attach guest-off $A1 --shared --config
golden attach-shared-running-config mdevs -c "$DOMS" attach guest-on $U1 --shared --config
golden assign-shared-ccw mdevs -c "$DOMS" assign guest-off ccw 0.0.2b09 --shared --persistent
golden assign-shared-ap mdevs -c "$DOMS" assign guest-off ap --adapters 5 --domains 4,0xab --control-domains 4 --shared
refusal refuse-attach-shared-live mdevs 2 -c "$DOMS" attach guest-on $U1 --shared --live
refusal refuse-attach-shared-running mdevs 4 -c "$DOMS" attach guest-on $U1 --shared
refusal refuse-attach-shared-other-runs mdevs+u2def 4 -c "$DOMS" attach guest-off $U2 --shared --config
refusal refuse-assign-shared-live mdevs 2 -c "$DOMS" assign guest-on ccw 0.0.2b09 --shared --live
refusal refuse-assign-shared-running mdevs 4 -c "$DOMS" assign guest-on ap --adapters 5 --domains 4,0xab --control-domains 4 --shared
# the same domain again: nothing to do, with or without --shared
golden attach-shared-attached mdevs+standby -c "$DOMS" attach guest-off $U1
# unassign from one of two: detach only, the mdev and its device stay for the other
golden unassign-kept-ccw mdevs+defs+override+standby -c "$DOMS" unassign guest-dev 0.0.2b09
golden unassign-kept-ap mdevs+defs+standby -c "$DOMS" unassign guest-dev $A1

# ---- refusals: the exit code and the one message ----
refusal refuse-bind-online demo 4 ccw bind 0.0.2b0a
refusal refuse-bind-qdio demo 4 ccw bind 0.0.f500
refusal refuse-bind-chsc demo 4 ccw bind 0.0.ff40
refusal refuse-bind-unknown demo 3 ccw bind 0.0.9999
refusal refuse-unbind-mdev mdevs 4 ccw unbind 0.0.2b09
refusal refuse-release-mdev mdevs 4 ap release 05.0004 05.00ab
refusal refuse-create-ccw-unbound demo 4 create ccw 0.0.2b09 --uuid $U1
refusal refuse-create-ap-host demo 4 create ap --adapters 5 --domains 4,0xab --uuid $A1
refusal refuse-create-ap-overlap mdevs 4 create ap --adapters 5 --domains 4 --uuid $A2
refusal refuse-create-bad-uuid ready 2 create ccw 0.0.2b09 --uuid nope
refusal refuse-stop-in-use mdevs 4 -c "$DOMS" stop $U1
refusal refuse-remove-in-use mdevs 4 -c "$DOMS" remove $A1
refusal refuse-attach-devno-taken mdevs+nohostdevs 4 -c "$DOMS" attach guest-off $U1 --devno fe.0.0002
refusal refuse-attach-live-off mdevs 4 -c "$DOMS" attach guest-off $U1 --live
refusal refuse-attach-inactive ready+defs 4 -c "$DOMS" attach guest-on $U1 --live

# ---- every golden file belongs to a case ----
orphans=""
for f in "$G"/*.txt "$G"/*.json; do
	[ -e "$f" ] || continue
	n=$(basename "$f")
	n=${n%.*}
	case $cases in *" $n "*) ;; *) orphans="$orphans $(basename "$f")" ;; esac
done
is "$orphans" "" "every file in tests/golden/plans belongs to a case"

done_testing
