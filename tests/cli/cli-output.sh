#!/bin/bash
# What virt-mdev writes, when stdout fails and when the host's names are hostile: every write
# to stdout checked (/dev/full, a closed pipe: exit 1, "cannot write output: REASON"), fds
# 0-2 made valid at start, progress flushed step by step, control characters and invalid
# UTF-8 from the host escaped in text and JSON (JSON always valid UTF-8), non-uuid entries of
# bus/mdev/devices reported and not listed, a --root without css and AP bus exit 3, values
# that cannot be read or make no sense shown as such. Rendered trees (virt-mdev-sim render)
# and, for what runs a plan, a mounted simulator.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
for t in jq strace python3 iconv; do
	command -v $t >/dev/null || skip_all "needs $t"
done
private_run # the test driver would make /run/libvirt/common

tmp=$(cd "$(mktemp -d)" && pwd -P)
trap 'sim_umount; rm -rf "$tmp"' EXIT
unset VIRT_MDEV_ROOT
# strace: LeakSanitizer refuses to run under ptrace (a sanitizer build)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
MDEVS_HOST=$top_srcdir/tests/golden/plans/hosts/mdevs.xml
C=11111111-2222-4333-8444-000000000001
A=aaaaaaaa-2222-4333-8444-000000000001
ESC=$'\033'
NOSPC="virt-mdev: cannot write output: No space left on device"

# render NAME [HOST OPTIONS]: a static host tree at $tmp/NAME (sys, etc/mdevctl.d, run/lock)
render() {
	local r=$tmp/$1
	shift
	mkdir -p "$r/etc/mdevctl.d" "$r/run/lock"
	"$VIRT_MDEV_SIM" render "$@" "$r/sys" || {
		echo "Bail out! virt-mdev-sim render failed"
		exit 1
	}
}
# valid_utf8 TEXT: 0 when TEXT is valid UTF-8 (iconv refuses an invalid sequence)
valid_utf8() { printf '%s' "$1" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; echo $?; }
# no_controls TEXT: 0 when TEXT holds no control character but newline and tab (no ESC, BEL, DEL)
no_controls() { printf '%s' "$1" | LC_ALL=C tr -d '\n\t' | LC_ALL=C grep -q '[[:cntrl:]]' && echo 1 || echo 0; }

# ---- hostile names: escaped in text, valid UTF-8 in JSON, non-uuid entries not listed ----
render hostile --host "$MDEVS_HOST"
H=$tmp/hostile
vm() { "$VIRT_MDEV" --root "$H" -c test:///default "$@"; }
D=$H/sys/bus/mdev/devices
CCW_TYPES=$H/sys/devices/css0/0.0.0313/mdev_supported_types
# the active vfio-ccw mdev's type link names a type with an OSC title escape and a byte of no UTF-8
ln -sfn "../../../../devices/css0/0.0.0313/mdev_supported_types/x${ESC}]0;owned"$'\a'"y"$'\377' "$H/sys/devices/css0/0.0.0313/$C/mdev_type"
# entries of bus/mdev/devices that are no mdev the kernel made
for name in "aa"$'\n'"bb" "not-a-uuid" $'\377\376' "11111111-2222-4333-8444-00000000000A"; do
	ln -s "../../../devices/css0/0.0.0313/$C" "$D/$name"
done
# and a uuid that is no link to a device
mkdir "$D/44444444-2222-4333-8444-000000000001"
# a definition under a parent whose name has a colour escape and an invalid byte, its type a CSI
P="p${ESC}[31m"$'\377'
mkdir -p "$H/etc/mdevctl.d/$P"
printf '{"mdev_type": "t\\u001b[2J\\u009bz", "start": "manual", "attrs": []}\n' >"$H/etc/mdevctl.d/$P/33333333-2222-4333-8444-000000000001"
echo garbage >"$CCW_TYPES/vfio_ccw-io/available_instances"
rm "$H/sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/available_instances"

run vm list mdev
is "$rc" 0 "list mdev with hostile names: exit 0"
is "$out" "UUID                                 PARENT    TYPE                 STATE          AUTOSTART APQNS            DOMAINS
$C 0.0.0313  x\\x1b]0;owned\\x07y\\xff active         no        -                -
$A matrix    vfio_ap-passthrough  active         no        05.0004,05.00ab  -
33333333-2222-4333-8444-000000000001 p\\x1b[31m\\xff t\\x1b[2J\\xc2\\x9bz    defined        no        -                -" \
	"list mdev: one line an mdev, control characters and invalid bytes as C-style escapes, the non-uuid entries not listed"
is "$(no_controls "$out$err")" 0 "no control character reaches the terminal"
is "$(valid_utf8 "$out$err")" 0 "the text is valid UTF-8"
has_line "$err" "virt-mdev: warning: skipped $H/sys/bus/mdev/devices/aa\\\\nbb: its name is not a uuid as the kernel names mdevs \(lower case, with hyphens\): it is no mdev the kernel made; not listed" \
	"a name with a newline is reported, escaped, on one line"
has_line "$err" "virt-mdev: warning: skipped $H/sys/bus/mdev/devices/\\\\xff\\\\xfe: its name is not a uuid.*" "a name of invalid UTF-8 is reported escaped"
has_line "$err" "virt-mdev: warning: skipped $H/sys/bus/mdev/devices/not-a-uuid: its name is not a uuid.*" "a name that is no uuid is reported"
has_line "$err" "virt-mdev: warning: skipped $H/sys/bus/mdev/devices/11111111-2222-4333-8444-00000000000A: its name is not a uuid.*" \
	"an upper-case uuid is no name the kernel gives an mdev: reported"
has_line "$err" "virt-mdev: warning: skipped $D/44444444-2222-4333-8444-000000000001: it is no link to a device, as the kernel makes each mdev's entry: it is no mdev the kernel made; not listed" \
	"an entry that is no link is reported, not listed"
is "$(printf '%s\n' "$err" | grep -c 'warning: skipped')" 5 "one warning for each entry that is no mdev"

run vm -j list mdev
is "$rc" 0 "list mdev --json with hostile names: exit 0"
is "$(printf '%s' "$out" | jq -e . >/dev/null; echo $?)" 0 "the JSON is valid for jq"
is "$(valid_utf8 "$out")" 0 "the JSON is valid UTF-8"
is "$(python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8", "strict")); print("ok")' <<<"$out" 2>&1)" ok \
	"and Python's strict UTF-8 decoder and JSON parser take it"
is "$(printf '%s' "$out" | jq -r '.mdevs | length')" 3 "three mdevs listed"
is "$(printf '%s' "$out" | jq -r --arg c "$C" '.mdevs[] | select(.uuid == $c) | .type')" "x${ESC}]0;owned"$'\a'"y\\xff" \
	"a control character is the JSON escape of itself (the value kept), an invalid byte the text \\xNN"
is "$(printf '%s' "$out" | jq -r '.skipped[] | select(.parent == null) | .file' | sort)" "$(printf '%s\n' "$D/11111111-2222-4333-8444-00000000000A" "$D/44444444-2222-4333-8444-000000000001" "$D/\\xff\\xfe" "$D/aa"$'\n'"bb" "$D/not-a-uuid" | sort)" \
	"the entries that are no mdev are in \"skipped\", with a null parent"
has_line "$out" " *\"file\":\"$D/aa\\\\nbb\"," "the newline is \\n in the JSON text"
ok "$(printf '%s' "$out" | grep -q "$ESC"; [ $? = 1 ]; echo $?)" "no ESC byte in the JSON text (\\u001b)"
like "$(printf '%s' "$out" | jq -r '.mdevs[] | select(.uuid == "33333333-2222-4333-8444-000000000001") | .type' | od -An -c | tr -s ' ' | tr -d '\n')" " t 033 \[ 2 J 302 233 z \\\\n" \
	"a definition's type keeps its value in JSON (the C1 control U+009B as \\u009b)"

run vm show "$C"
is "$rc" 0 "show of the mdev with a hostile type: exit 0"
has_line "$out" "type: x\\\\x1b\]0;owned\\\\x07y\\\\xff" "show: the type escaped on its line"

run vm validate
is "$rc" 4 "validate with hostile names: exit 4 (the entries that are no mdev are problems)"
is "$(no_controls "$out$err")" 0 "validate: no control character reaches the terminal"
has_line "$out" "$D/aa\\\\nbb: its name is not a uuid as the kernel names mdevs \(lower case, with hyphens\): it is no mdev the kernel made \(rename or remove it\)" \
	"validate names the entry with a newline escaped, and what to do"
run vm -j validate
is "$(printf '%s' "$out" | jq -e . >/dev/null; echo $?)" 0 "validate --json is valid for jq"
is "$(valid_utf8 "$out")" 0 "validate --json is valid UTF-8"
run vm -j list
is "$(printf '%s' "$out" | jq -e . >/dev/null; echo $?)" 0 "list --json of every section is valid for jq"
is "$(valid_utf8 "$out")" 0 "and valid UTF-8"

# ---- values that cannot be read or make no sense: shown as such, never dropped ----
run vm list types
is "$rc" 0 "list types with a garbage and a missing available_instances: exit 0"
is "$out" "PARENT    TYPE                 AVAILABLE DEVICE_API NAME
0.0.0313  vfio_ccw-io          ?         vfio-ccw   I/O subchannel (Non-QDIO)
matrix    vfio_ap-passthrough  ?         vfio-ap    VFIO AP Passthrough Device" "both types listed, their instances '?'"
is "$err" "virt-mdev: warning: $H/sys/class/mdev_bus/0.0.0313/mdev_supported_types/vfio_ccw-io/available_instances reads 'garbage', not a number of instances: shown as '?' (null with --json)
virt-mdev: warning: cannot read $H/sys/class/mdev_bus/matrix/mdev_supported_types/vfio_ap-passthrough/available_instances: No such file or directory: shown as '?' (null with --json)" \
	"a warning each, naming the file and the value or the error"
run vm -j list types
is "$(printf '%s' "$out" | jq -c '[.types[] | [.type, .available_instances, .available_instances_error]]')" \
	"[[\"vfio_ccw-io\",null,\"$H/sys/class/mdev_bus/0.0.0313/mdev_supported_types/vfio_ccw-io/available_instances reads 'garbage', not a number of instances\"],[\"vfio_ap-passthrough\",null,\"cannot read $H/sys/class/mdev_bus/matrix/mdev_supported_types/vfio_ap-passthrough/available_instances: No such file or directory\"]]" \
	"JSON: null, and available_instances_error says why"

# a subchannel's type and a ccw device's online that are garbage, out of range or unreadable:
# the subchannel is listed, the value '?' with a warning naming the file (not dropped, not "no")
CSS=$H/sys/bus/css/devices
printf 'garbage%s[31m\n' "$ESC" >"$CSS/0.0.0314/type"
echo 9 >"$CSS/0.0.0315/type"
echo 2 >"$CSS/0.0.0314/0.0.2b0a/online"
rm "$CSS/0.0.0315/0.0.2b0b/online"
run vm list ccw
is "$rc" 0 "list ccw with garbage types and online values: exit 0"
is "$out" "SUBCHANNEL DEVICE    TYPE  DRIVER         ONLINE CUTYPE   DEVTYPE  MDEV
0.0.0313   0.0.2b09  I/O   vfio_ccw       -      -        -        $C
0.0.0314   0.0.2b0a  ?     io_subchannel  ?      3990/e9  3390/0c  -
0.0.0315   0.0.2b0b  ?     io_subchannel  ?      3990/e9  3390/0a  -" \
	"every subchannel listed, the type and online values that make no sense '?'"
is "$err" "virt-mdev: warning: $CSS/0.0.0314/type reads 'garbage\\x1b[31m', not a subchannel type (0 I/O, 1 CHSC, 2 MSG, 3 EADM): shown as '?' (null with --json)
virt-mdev: warning: $CSS/0.0.0314/0.0.2b0a/online reads '2', not 0 or 1: shown as '?' (null with --json)
virt-mdev: warning: $CSS/0.0.0315/type reads '9', not a subchannel type (0 I/O, 1 CHSC, 2 MSG, 3 EADM): shown as '?' (null with --json)
virt-mdev: warning: cannot read $CSS/0.0.0315/0.0.2b0b/online: No such file or directory: shown as '?' (null with --json)" \
	"a warning each, naming the file and the value (escaped) or the error"
run vm -j list ccw
is "$(printf '%s' "$out" | jq -c '[.subchannels[] | [.subchannel, .type, (.type_error != null), .online, (.online_error != null)]]')" \
	'[["0.0.0313","I/O",false,null,false],["0.0.0314",null,true,null,true],["0.0.0315",null,true,null,true]]' \
	"JSON: null, and type_error / online_error say why"
run vm show 0.0.0314
has_line "$out" "online: \? \($CSS/0.0.0314/0.0.2b0a/online reads '2', not 0 or 1\)" "show: the online value '?' with why"
before_bind=$(dump_tree "$H/sys")
run vm --backend sysfs ccw bind 0.0.0315
is "$rc" 4 "ccw bind of a subchannel whose type is not known: refused, exit 4"
has_line "$err" "virt-mdev: cannot bind subchannel '0.0.0315' to vfio_ccw: its type is not known \($CSS/0.0.0315/type reads '9', not a subchannel type .*\); vfio_ccw drives I/O subchannels only .*" \
	"the refusal names the file, the value and the rule"
is "$(dump_tree "$H/sys")" "$before_bind" "nothing changed after the refusal"

# a killed run's journal whose text is hostile (a description with an OSC title and a C1 CSI,
# a path under the root with ESC): recover -n shows it escaped, one line a step
mkdir -p "$H/run/virt-mdev"
cat >"$H/run/virt-mdev/journal.json" <<'EOJ'
{
  "version":1,
  "pid":999999999,
  "starttime":4242,
  "argv":["virt-mdev","\u001b[2Jccw","bind","0.0.2b0a"],
  "uri":null,
  "steps":[
    {"kind":"sysfs-write","description":"unbind \u001b]0;owned\u0007 \u009b31m","status":"done","area":"sys","path":"bus/css/devices/0.0.0314/driver/unbind","value":"0.0.0314","has_undo":true,"undo_path":"bus/css/drivers/io_subchannel/bind","undo_value":"0.0.0314","verify_path":"bus/css/devices/0.0.0314/driver","verify_expect":"","verify_is_link":true,"ap_lock":false}
  ]
}
EOJ
run vm recover -n
is "$rc" 0 "recover -n of a journal with hostile text: exit 0"
is "$out" "# the journal $H/run/virt-mdev/journal.json of PID 999999999
# done: unbind \\x1b]0;owned\\x07 \\xc2\\x9b31m" "recover -n: the journal's description escaped (no ESC, BEL or CSI reaches the terminal)"
rm -r "$H/run/virt-mdev"

# the wait for virt-mdev's lock under a root whose path has an OSC escape: said escaped
render "lock${ESC}]0;x"$'\a'
L="$tmp/lock${ESC}]0;x"$'\a'
L_ESC="$tmp"'/lock\\x1b]0;x\\x07'
exec {held}>"$L/run/lock/virt-mdev.lock"
flock "$held"
run "$VIRT_MDEV" --root "$L" ap reserve 05.0004 --lock-timeout 1
exec {held}>&-
is "$rc" 4 "a change under a root with ESC in its path, its lock held: exit 4 after the wait"
is "$(no_controls "$out$err")" 0 "the wait and the refusal reach the terminal without ESC or BEL"
has_line "$err" "virt-mdev: waiting for virt-mdev's lock $L_ESC/run/lock/virt-mdev.lock: another run changes the host \(up to 1 s\)" \
	"the wait names the lock's path escaped"

# ---- a root without css and AP bus: exit 3 naming both; one of them is a host ----
mkdir -p "$tmp/empty/sys"
refuse_empty() {
	run "$VIRT_MDEV" "$@"
	is "$rc" 3 "$*: exit 3"
	is "$out" "" "$*: nothing on stdout"
	is "$err" "virt-mdev: no s390 host under root '$tmp/empty' ($1): neither $tmp/empty/sys/bus/css (channel subsystem) nor $tmp/empty/sys/bus/ap (AP bus) exists (give the root of a tree whose sys/ is an s390 host's sysfs, such as one 'virt-mdev-sim render DIR/sys' wrote)" \
		"$*: one message naming both missing directories"
}
refuse_empty --root "$tmp/empty" validate
run env VIRT_MDEV_ROOT="$tmp/empty" "$VIRT_MDEV" list mdev
is "$rc" 3 "VIRT_MDEV_ROOT at a tree without css and AP bus: exit 3"
has_line "$err" "virt-mdev: no s390 host under root '$tmp/empty' \(VIRT_MDEV_ROOT\).*" "naming the variable"
run "$VIRT_MDEV" --root "$tmp/empty" list
is "$rc" 3 "list at a tree without css and AP bus: exit 3, not '0 found'"
ok "$(find "$tmp/empty" -mindepth 1 | grep -vqx "$tmp/empty/sys"; [ $? = 1 ]; echo $?)" "nothing made under the root"
render aponly --host "$MDEVS_HOST"
rm -rf "$tmp/aponly/sys/bus/css"
run "$VIRT_MDEV" --root "$tmp/aponly" -c test:///default list ap
is "$rc" 0 "a tree with the AP bus alone is a host: exit 0"

# ---- stdout fails: /dev/full, a closed pipe ----
render clean --host "$MDEVS_HOST"
vmc() { "$VIRT_MDEV" --root "$tmp/clean" -c test:///default --backend sysfs "$@"; }
for cmd in "list" "list mdev" "-j list mdev" "-j list" "show $C" "-j show $C" "validate" "-j validate" \
	"xml $C" "-j xml $C" "xml $A --format mdevctl" "-n ccw bind 0.0.0315" "-n -j ccw bind 0.0.0315" \
	"-n stop $C" "-n -j stop $C" "--help" "help list"; do
	# shellcheck disable=SC2086 # a command line of plain words
	run vmc $cmd
	is "$rc" 0 "$cmd: exit 0 to a file"
	run eval 'vmc '"$cmd"' >/dev/full'
	is "$rc:$err" "1:$NOSPC" "$cmd to /dev/full: exit 1, 'cannot write output: No space left on device'"
done
render many --generate 2000
run eval '"$VIRT_MDEV" --root "$tmp/many" -c test:///default -j list mdev >"$tmp/many.json"'
is "$rc" 0 "a large JSON listing: exit 0 to a file"
ok "$([ "$(jq '.mdevs | length' "$tmp/many.json")" -ge 1000 ] && [ "$(stat -c %s "$tmp/many.json")" -gt 131072 ]; echo $?)" \
	"it has a thousand mdevs, more than any stdio buffer"
run eval '"$VIRT_MDEV" --root "$tmp/many" -c test:///default -j list mdev >/dev/full'
is "$rc:$err" "1:$NOSPC" "the large JSON listing to /dev/full: exit 1, No space left on device (not 'Cannot allocate memory')"
# a pipe whose reader is gone: SIGPIPE ignored is EPIPE, said; by default SIGPIPE ends it as coreutils' tools
epipe() {
	python3 - "$1" "$VIRT_MDEV" --root "$tmp/clean" -c test:///default list <<'PY'
import os, signal, subprocess, sys
r, w = os.pipe()
os.close(r)
ignore = sys.argv[1] == "ignore"
if ignore:
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
p = subprocess.run(sys.argv[2:], stdout=w, stderr=subprocess.PIPE, restore_signals=not ignore)
sys.stdout.write("%d:%s" % (p.returncode, p.stderr.decode()))
PY
}
is "$(epipe ignore)" "1:virt-mdev: cannot write output: Broken pipe" "SIGPIPE ignored, the reader gone: exit 1, 'cannot write output: Broken pipe'"
is "$(epipe default)" "-13:" "SIGPIPE as by default: the write ends the program, silently"

# ---- fds 0-2 closed at start: /dev/null in their place, no file of the host becomes stdout ----
strace -f -qq -s 256 -o "$tmp/fds.strace" -e trace=openat,open,dup2,dup3 \
	sh -c 'exec 0<&- 1>&- 2>&-; exec "$@"' sh "$VIRT_MDEV" --root "$tmp/clean" -c test:///default list
is "$(grep -E '"/dev/null".* = [0-9]+$' "$tmp/fds.strace" | sed 's/.* = //' | tr '\n' ' ')" "0 1 2 " \
	"with fds 0-2 closed, /dev/null is opened as 0, 1 and 2"
is "$(grep -F "$tmp/clean" "$tmp/fds.strace" | grep -E ' = [012]$')" "" "no file of the host is opened as fd 0, 1 or 2"

# ---- plans on a mounted simulator: progress flushed per step, closed fds with the lock ----
mkdir -p "$tmp/sim/etc/mdevctl.d" "$tmp/sim/run/lock"
sim_mount "$tmp/sim/sys" --host "$DEMO_HOST"
vms() { "$VIRT_MDEV" --root "$tmp/sim" -c test:///default --backend sysfs "$@"; }
strace -f -qq -s 256 -o "$tmp/bind.strace" -e trace=write -e signal=none "$VIRT_MDEV" --root "$tmp/sim" --backend sysfs ccw bind 0.0.2b09 >"$tmp/bind.out"
is "$(cat "$tmp/bind.out")" "done: unbind subchannel 0.0.0313 from io_subchannel
done: set the driver override of subchannel 0.0.0313 to vfio_ccw
done: bind subchannel 0.0.0313 to vfio_ccw" "ccw bind to a file: three progress lines"
is "$(grep -cE '^[0-9]+ +write\(1, "done: [^"]*\\n", [0-9]+\) += [0-9]+$' "$tmp/bind.strace")" 3 "each progress line written by a write(2) of its own, not at the end"
first_out=$(grep -nE '^[0-9]+ +write\(1, ' "$tmp/bind.strace" | head -1 | cut -d: -f1)
last_step=$(grep -nE '^[0-9]+ +write\([3-9][0-9]*, "0\.0\.0313' "$tmp/bind.strace" | tail -1 | cut -d: -f1)
ok "$([ -n "$first_out" ] && [ -n "$last_step" ] && [ "$first_out" -lt "$last_step" ]; echo $?)" \
	"the first step's line is out before the last step is written"
vms ccw unbind 0.0.2b09 >/dev/null
# a plan that runs, to /dev/full: it stays done, and exit 1 says the report was lost
run eval 'vms ccw bind 0.0.2b09 >/dev/full'
is "$rc:$err" "1:$NOSPC" "ccw bind to /dev/full: exit 1, cannot write output"
is "$(readlink "$tmp/sim/sys/bus/css/devices/0.0.0313/driver" | sed 's|.*/||')" vfio_ccw "what ran stays done (virt-mdev(8) says so)"
vms ccw unbind 0.0.2b09 >/dev/null
# ap reserve takes the s390-tools lock: with fds 0-2 closed its file must not become stdout
strace -f -qq -s 256 -o "$tmp/lock.strace" -e trace=openat,open,link \
	sh -c 'exec 0<&- 1>&- 2>&-; exec "$@"' sh "$VIRT_MDEV" --root "$tmp/sim" --backend sysfs ap reserve 05.0004
is "$(cat "$tmp/sim/sys/bus/ap/apmask")" "0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" "ap reserve with fds 0-2 closed: the apmask is written"
ok "$(grep -q "$tmp/sim/run/lock" "$tmp/lock.strace"; echo $?)" "it took the lock"
is "$(grep -F "$tmp/sim" "$tmp/lock.strace" | grep -E '^[0-9]+ +open' | grep -E ' = [012]$')" "" \
	"neither the lock's file nor any sysfs file is opened as fd 0, 1 or 2"
# the s390-tools lock is a file only while held; virt-mdev's own (flock) file stays
ok "$(ls "$tmp/sim/run/lock" | grep -vx virt-mdev.lock | grep -q .; [ $? = 1 ]; echo $?)" "the lock is given back"

# ---- a plan for a domain whose name holds C1 controls (libvirt 9.0's test driver defines it:
# XML 1.0 allows no ESC, but U+009B CSI and U+0085 NEL): progress and dry-run comments escaped ----
HN="g"$'\xc2\x9b'"31m"$'\xc2\x85'"x"
HN_ESC='g\\xc2\\x9b31m\\xc2\\x85x'
sed -e '/<hostdev /,/<\/hostdev>/d' -e "s|<name>guest-off</name>|<name>$HN</name>|" \
	"$top_srcdir/tests/golden/plans/domains.xml" >"$tmp/hdomains.xml"
run vms -c "test://$tmp/hdomains.xml" -n assign --uuid "$C" -- "$HN" ccw 0.0.2b09
is "$rc" 0 "dry run of assign to a domain named with C1 controls: exit 0"
is "$(no_controls "$out$err")" 0 "the dry run holds no control character a terminal acts on"
is "$(printf '%s' "$out$err" | LC_ALL=C grep -c $'\302[\200-\237]')" 0 "no C1 control (CSI, NEL) in the dry run"
has_line "$out" "# attach .*$HN_ESC.*" "the dry run's comment names the domain escaped"
run vms -c "test://$tmp/hdomains.xml" assign --uuid "$C" -- "$HN" ccw 0.0.2b09
is "$rc" 0 "assign to a domain named with C1 controls: exit 0"
is "$(printf '%s' "$out$err" | LC_ALL=C grep -c $'\302[\200-\237]')" 0 "no C1 control (CSI, NEL) in the progress lines"
is "$(no_controls "$out$err")" 0 "and no other control character"
has_line "$out" "done: attach .*$HN_ESC.*" "the progress line names the domain escaped"

sim_umount
done_testing
