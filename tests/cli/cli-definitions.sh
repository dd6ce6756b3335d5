#!/bin/bash
# mdevctl's definition files as mdevctl reads them, through the real binary on rendered host
# trees (virt-mdev-sim render: no FUSE): xml --format nodedev and mdevctl compared with golden
# files (tests/golden/definitions) whose inputs are shaped as mdevctl's and libvirt's own test
# definitions; every malformed file reported once, naming it and the fault, never a crash, a
# hang or a read without end; a uuid on several parents refused, and chosen with --parent.
# VIRT_MDEV_REGENERATE=1 rewrites the golden files instead of comparing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"
private_run # as root, libvirt's test driver would make /run/libvirt/common

G=$top_srcdir/tests/golden/definitions
VIRT_MDEV_SIM="$top_builddir/src/virt-mdev-sim"
tmp=$(cd "$(mktemp -d)" && pwd -P)
trap 'rm -rf "$tmp"' EXIT
R=$tmp/root
D=$R/etc/mdevctl.d
unset VIRT_MDEV_ROOT VIRT_MDEV_TEMPLATE_DIR
regenerate=${VIRT_MDEV_REGENERATE:-}
# a bounded run: a read that waited on a FIFO or read /dev/zero would be exit 124, not a hang
vm() { timeout 20 "$VIRT_MDEV" --root "$R" -c test:///default --backend sysfs "$@"; }
snapshot() { (cd "$R" && find . -printf '%p %y %l\n' | sort && find . -type f -readable -print0 | sort -z | xargs -0 cat) >"$tmp/$1"; }
unchanged() { snapshot after; ok "$(cmp -s "$tmp/before" "$tmp/after"; echo $?)" "$1: nothing changed"; }

fresh() {
	rm -rf "$R"
	mkdir -p "$D/matrix" "$D/0.0.0313" "$R/run/lock"
	"$VIRT_MDEV_SIM" render --host "$top_srcdir/xml-templates/hosts/demo.xml" "$R/sys" || {
		echo "Bail out! virt-mdev-sim render failed"
		exit 1
	}
}

# the golden inputs: NAME PARENT UUID
inputs="ap-six-attrs matrix 783e6dbb-0000-4000-8000-00000000a001
ap-kernel-values matrix 783e6dbb-0000-4000-8000-00000000a002
ccw-modify 0.0.0313 cc000052-0000-4000-8000-00000000c001
ccw-no-attrs 0.0.0315 cc000052-0000-4000-8000-00000000c002
gpu-testattr 0000:00:02.0 435722ea-0000-4000-8000-00000000d001"
put_inputs() {
	local name parent uuid
	while read -r name parent uuid; do
		mkdir -p "$D/$parent"
		cp "$G/$name.in.json" "$D/$parent/$uuid"
	done <<<"$inputs"
}

# compare FILE: this run's output ($tmp/got) against the golden file
compare() {
	local f=$G/$1
	if [ "$regenerate" = 1 ]; then
		cp "$tmp/got" "$f"
		ok $? "$1: regenerated"
		return
	fi
	if cmp -s "$f" "$tmp/got"; then
		ok 0 "$1: as the golden file"
	else
		ok 1 "$1: as the golden file"
		[ -f "$f" ] || echo "# no golden file $f (VIRT_MDEV_REGENERATE=1 writes it)"
		diff -u "$f" "$tmp/got" 2>&1 | head -40 | sed 's/^/# /'
	fi
}
# record FILE ARGS...: the command line, its stdout, its stderr and its exit code, as a golden file
record() {
	local file=$1 rc
	shift
	vm "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{
		printf '$ virt-mdev %s\n' "$*"
		cat "$tmp/out"
		[ -s "$tmp/err" ] && { echo "--- stderr"; cat "$tmp/err"; }
		echo "--- exit $rc"
	} | sed "s|$R|ROOT|g" >"$tmp/got"
	compare "$file"
}

# ---- goldens: what mdevctl's and libvirt's own definitions give ----
fresh
put_inputs
snapshot before
while read -r name parent uuid; do
	record "$name.nodedev.txt" xml "$uuid" --format nodedev
	record "$name.mdevctl.txt" xml "$uuid" --format mdevctl
done <<<"$inputs"
record list.txt list mdev
record validate.txt validate
unchanged "xml, list and validate of the golden inputs"

# the definition as written, byte for byte: mdevctl's own layout (no newline at the end there)
run vm xml 783e6dbb-0000-4000-8000-00000000a001 --format mdevctl
is "$out" "$(cat "$G/ap-six-attrs.in.json")" "xml --format mdevctl of a definition mdevctl wrote is the file itself"
run vm -j show 783e6dbb-0000-4000-8000-00000000a002
is "$(printf '%s' "$out" | jq -c '[.apqns, .control_domains]')" '[["06.0008","06.00ab"],"4"]' \
	"the matrix is the attributes applied in order: '010' is domain 8, 0x0004 unassigned, '08' and '0x100' refused"

# ---- malformed files: reported once each, the rest listed ----
fresh
good=783e6dbb-0000-4000-8000-00000000a001
cp "$G/ap-six-attrs.in.json" "$D/matrix/$good"
B1=bbbbbbbb-0000-4000-8000-000000000001 # "attrs" not an array
B2=bbbbbbbb-0000-4000-8000-000000000002 # an attribute not an object
B3=bbbbbbbb-0000-4000-8000-000000000003 # "start" null
B4=bbbbbbbb-0000-4000-8000-000000000004 # a FIFO
B5=bbbbbbbb-0000-4000-8000-000000000005 # a link to /dev/zero
B6=bbbbbbbb-0000-4000-8000-000000000006 # not JSON
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":"assign_adapter=5"}' >"$D/matrix/$B1"
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},"assign_domain"]}' >"$D/matrix/$B2"
printf '{"mdev_type":"vfio_ccw-io","start":null,"attrs":[]}' >"$D/0.0.0313/$B3"
mkfifo "$D/matrix/$B4"
ln -s /dev/zero "$D/matrix/$B5"
printf '{"mdev_type": "vfio_ap-passthrough", "start": "manual",\n  "attrs": [,]}\n' >"$D/matrix/$B6"
snapshot before
fault() { # UUID PARENT: the fault's text, as list and the commands name it
	case $1 in
	"$B1") echo '"attrs" is a string, not an array' ;;
	"$B2") echo 'attrs[1] is a string, not an object of one member' ;;
	"$B3") echo '"start" is null (mdevctl wants "auto" or "manual")' ;;
	"$B4") echo 'a FIFO, not a regular file (mdevctl skips what is not a regular file, and follows no link to one)' ;;
	"$B5") echo 'a symbolic link, not a regular file (mdevctl skips what is not a regular file, and follows no link to one)' ;;
	"$B6") echo 'not JSON as mdevctl reads it (strict JSON in UTF-8): unexpected character at line 2, column 13' ;;
	esac
}
parent_of() { [ "$1" = "$B3" ] && echo 0.0.0313 || echo matrix; }
run vm list mdev
is "$rc" 0 "list mdev with malformed definitions: exit 0"
is "$out" "UUID                                 PARENT    TYPE                 STATE          AUTOSTART APQNS            DOMAINS
$good matrix    vfio_ap-passthrough  defined        no        05.0004,05.00ab,06.0004,06.00ab -" \
	"list mdev lists the definition mdevctl reads"
want=""
for b in $B3 $B1 $B2 $B4 $B5 $B6; do
	want="$want${want:+
}virt-mdev: warning: skipped $D/$(parent_of $b)/$b: $(fault $b) (correct the file or remove it)"
done
is "$err" "$want" "and warns once for each malformed file, naming it and the fault"
run vm -q list mdev
is "$(printf '%s\n' "$err" | wc -l).$rc" "6.0" "the warnings stay with -q"
run vm -j list mdev
is "$rc" 0 "list mdev --json: exit 0"
is "$(printf '%s' "$out" | jq -r '.skipped[] | "\(.uuid) \(.parent) \(.file == "'"$D"'/\(.parent)/\(.uuid)") \(.fault)"')" \
	"$(for b in $B3 $B1 $B2 $B4 $B5 $B6; do echo "$b $(parent_of $b) true $(fault $b)"; done)" \
	"list --json names every skipped file with its uuid, parent and fault"
is "$(printf '%s' "$out" | jq -r '[.mdevs[].uuid] | join(" ")')" "$good" "and lists the rest"
run vm validate
is "$rc" 4 "validate counts each malformed file as a problem: exit 4"
has_line "$out" "$B1: its mdevctl definition $D/matrix/$B1 is malformed: \"attrs\" is a string, not an array \(correct the file or remove it\)" \
	"validate names the file and the fault"
is "$(printf '%s\n' "$out" | grep -c ': its mdevctl definition .* is malformed: ')" 6 "validate reports each malformed file once"
is "$err" "virt-mdev: 7 problems in 7 mdevs checked" "validate's summary counts them (and the reserved APQNs of the good one)"
run vm validate $B4
is "$rc.$out" "4.$B4: its mdevctl definition $D/matrix/$B4 is malformed: $(fault $B4) (correct the file or remove it)" \
	"validate UUID of a malformed definition: its fault, exit 4"

# every command that needs that very uuid: exit 2 naming the file, nothing changed
for b in $B1 $B2 $B3 $B4 $B5 $B6; do
	msg="its mdevctl definition $D/$(parent_of $b)/$b is malformed: $(fault $b) (correct the file or remove it)"
	for args in "show $b" "xml $b" "xml $b --format mdevctl" "-n start $b" "-n stop $b" "-n remove $b --undefine" "-n attach test $b"; do
		# shellcheck disable=SC2086
		run vm $args
		cmd=${args#-n }
		cmd=${cmd%% *}
		verb=$cmd
		[ "$verb" = xml ] && verb=describe
		is "$rc.$err" "2.virt-mdev: cannot $verb mdev $b: $msg
Try 'virt-mdev help $cmd'." "$args: exit 2 naming the file and the fault"
	done
done
run vm -n create ap --adapters 5 --domains 4 --uuid $B1
is "$rc.$err" "2.virt-mdev: cannot create mdev $B1: its mdevctl definition $D/matrix/$B1 is malformed: $(fault $B1) (correct the file or remove it)
Try 'virt-mdev help create'." "create --uuid of a malformed definition: exit 2 naming the file"
unchanged "the refused commands"
run vm -n ap release --adapters 5 --domains 4
is "$rc" 0 "ap release -n with malformed definitions around: exit 0, no crash"

# ---- one uuid under two parents: ambiguous, as mdevctl says ----
fresh
U=dddddddd-0000-4000-8000-000000000001
cp "$G/ap-six-attrs.in.json" "$D/matrix/$U"
cp "$G/ccw-modify.in.json" "$D/0.0.0313/$U"
snapshot before
for args in "show $U" "xml $U" "-n start $U" "-n stop $U" "-n remove $U --undefine" "-n attach test $U" "-n unassign test $U"; do
	# shellcheck disable=SC2086
	run vm $args
	cmd=${args#-n }
	cmd=${cmd%% *}
	verb=$cmd
	[ "$verb" = xml ] && verb=describe
	is "$rc.$err" "2.virt-mdev: cannot $verb mdev $U: it is on several parents, 0.0.0313 (defined), matrix (defined): name one with --parent (mdevctl refuses such a uuid too)
Try 'virt-mdev help $cmd'." "$args: a uuid on two parents is refused, exit 2, naming them"
done
unchanged "the refused commands"
run vm -j show $U --parent matrix
is "$rc.$(printf '%s' "$out" | jq -r '[.parent, .type] | join(" ")')" "0.matrix vfio_ap-passthrough" "show --parent matrix chooses the vfio-ap definition"
run vm xml $U --parent 0.0.0313 --format mdevctl
is "$rc.$(printf '%s' "$out" | jq -c .attrs)" '0.[{"add_attr_1":"val1"},{"add_attr_2":"val2"}]' "xml --parent 0.0.0313 chooses the vfio-ccw definition"
run vm -n remove $U --undefine --parent 0.0.0313
is "$rc.$out" "0.# undefine mdev $U (remove its mdevctl definition)
rm -f $D/0.0.0313/$U && rmdir $D/0.0.0313" "remove --undefine --parent deletes only that parent's definition (and the directory it leaves empty)"
run vm show $U --parent 0.0.0314
is "$rc" 3 "show --parent with no definition there: exit 3"
run vm show 0.0.2b09 --parent matrix
is "$rc.$err" "2.virt-mdev: show: --parent is for an mdev uuid, not '0.0.2b09'
Try 'virt-mdev help show'." "--parent with something other than a uuid is a usage error"
run vm show $U --parent ../x
is "$rc.$(printf '%s\n' "$err" | head -1)" "2.virt-mdev: show: invalid --parent '../x': the sysfs name of an mdev's parent, as 'virt-mdev list mdev' shows it (such as 0.0.0313, or matrix for vfio-ap)" \
	"--parent takes a parent's name, not a path"
run vm validate
has_line "$out" "$U: it is on several parents, 0.0.0313 \(defined\), matrix \(defined\): mdevctl refuses to start or modify it without --parent, and so does virt-mdev \(remove all but one\)" \
	"validate reports the uuid on two parents once"
is "$(printf '%s\n' "$out" | grep -c 'several parents')" 1 "once, not for each parent"
run "$VIRT_MDEV" --root "$R" __complete parents
is "$out" "0.0.0313
matrix" "completion offers the parents for --parent"
unchanged "the dry runs and reads"

# ---- every golden file belongs to a case ----
orphans=""
for f in "$G"/*; do
	n=$(basename "$f")
	case $n in
	list.txt | validate.txt) continue ;;
	esac
	base=${n%%.*}
	printf '%s\n' "$inputs" | grep -q "^$base " || orphans="$orphans $n"
done
is "$orphans" "" "every file in tests/golden/definitions belongs to an input"

done_testing
