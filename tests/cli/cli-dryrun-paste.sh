#!/bin/bash
# A dry run is safe to paste: the dry runs (-n) of assign and unassign for domains whose names
# libvirt accepts but sh would run ($(...), backquotes, ;, quotes, a leading -, EOF), under a
# --root whose path has spaces, quotes, $ and backquotes, and a URI with a query sh would
# expand, are pasted into sh with virsh a stub that records its argv and stdin. Nothing else
# runs (no PWNED file anywhere), virsh is called once with exactly the domain, URI and XML the
# plan names, and the writes land in the host tree (virt-mdev-sim render) exactly as the plan
# says: the files it names with the values it names, nothing else. A template with a line
# "EOF" gets a here-document delimiter that is no line of it. Names with C1 controls (CSI,
# NEL, OSC, ST: libvirt takes them) and a root with ESC, BEL and a byte of no UTF-8 reach no
# line raw: each such byte is "$(printf '\NNN')" outside the quotes, comments are escaped, so
# the dry run is valid UTF-8 with no control a terminal acts on. Against a mounted simulator
# (the kernel's effects: bind makes the mdev types, create the mdev), the pasted dry run
# leaves the host exactly as the real run does.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
private_run # as root, the test driver would make /run/libvirt/common

G=$top_srcdir/tests/golden/plans
VIRT_MDEV_SIM="$top_builddir/src/virt-mdev-sim"
tmp=$(cd "$(mktemp -d)" && pwd -P)
trap 'sim_umount; rm -rf "$tmp"' EXIT
unset VIRT_MDEV_ROOT VIRT_MDEV_TEMPLATE_DIR
export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$tmp/no-libvirtd-sock"
U1=11111111-2222-4333-8444-000000000001

# the host's root: every character sh would read as more than itself
R="$tmp/r o'o\"t \$(touch PWNED) ;\`touch PWNED\` \\x"$'\033]0;t\a\377'

# libvirt's test driver on $R/domains.xml: the path percent-encoded (libvirt parses the URI),
# and a query it ignores that sh would expand and run ('virsh -c URI list' connects; a
# backquote or a double quote there it cannot parse)
uri_path() {
	local s=$1 c i out=""
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9/._-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}
E=$(LC_ALL=C uri_path "$R/domains.xml")
URI="test://$E?x=\$(touch%20PWNED)';"

# Names libvirt 9.0's test driver defines (virsh -c test:///default define: each accepted;
# it refuses '/' ("name a/b cannot contain '/'") and control characters such as a newline or
# a carriage return ("invalid char in name")).
names=(
	'$(touch PWNED)'
	'`touch PWNED`'
	'a;touch PWNED'
	"it's"
	'say "hi"'
	"x'; touch PWNED; '"
	'EOF'
	'-x'
	'--config'
	$'tab\tand space'
	'\back'
	$'csi\xc2\x9b31mred'
	$'nel\xc2\x85and\xc2\x9d0;title\xc2\x9c'
)

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e "s/'/\&apos;/g" -e 's/"/\&quot;/g'; }

# domains WITH: every name as a shut-off s390x domain; the one numbered WITH (or none: -1)
# has vfio-ccw mdev U1 as devno fe.0.1234 in its definition
domains() {
	local i n
	echo "<node>"
	for i in "${!names[@]}"; do
		n=$(printf '%s' "${names[$i]}" | xml_escape)
		cat <<EOD
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>$n</name>
    <uuid>6695eb01-f6a4-8304-79aa-97f2502e19$(printf %02d "$i")</uuid>
    <memory unit='MiB'>512</memory>
    <vcpu>1</vcpu>
    <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>
    <devices>
      <memballoon model='virtio'><address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0002'/></memballoon>
EOD
		if [ "$i" = "$1" ]; then
			cat <<EOD
      <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-ccw'>
        <source><address uuid='$U1'/></source>
        <address type='ccw' cssid='0xfe' ssid='0x0' devno='0x1234'/>
      </hostdev>
EOD
		fi
		echo "    </devices>"
		echo "    <test:runstate>5</test:runstate>"
		echo "  </domain>"
	done
	echo "</node>"
}

# host HOSTXML WITH: a fresh tree at $R (the simulator's static render) with domains WITH
host() {
	rm -rf "$R"
	mkdir -p "$R/etc/mdevctl.d" "$R/etc/driverctl.d" "$R/run/lock"
	if ! "$VIRT_MDEV_SIM" render --host "$1" "$R/sys" 2>"$tmp/render.err"; then
		echo "Bail out! virt-mdev-sim render --host $1: $(cat "$tmp/render.err")"
		exit 1
	fi
	domains "$2" >"$R/domains.xml"
}

# the stub virsh: each call's argv (one word a line: no name has a newline) and stdin
mkdir -p "$tmp/bin" "$tmp/work"
cat >"$tmp/bin/virsh" <<'EOS'
#!/bin/sh
n=$(ls "$VIRSH_CALLS" | wc -l)
printf '%s\n' "$@" >"$VIRSH_CALLS/$n.argv"
cat >"$VIRSH_CALLS/$n.stdin"
EOS
chmod +x "$tmp/bin/virsh"

# files: every file under $R with its content (a line "== PATH", then the content), and
# every link with its target, so that two of them compare the whole tree
files() {
	(cd "$R" && find . -type f -print0 | sort -z | while IFS= read -r -d '' f; do
		printf '== %s\n' "${f#./}"
		cat "$f"
	done
	find . -type l -printf '%p -> %l\n' | sort)
}
# changed: what the paste changed, as "PATH<TAB>CONTENT" for each file it wrote (its whole
# content, one line each) and "PATH<TAB>(removed)" for each it removed
changed() {
	(cd "$R" && find . -type f -print0 | sort -z | while IFS= read -r -d '' f; do
		f=${f#./}
		if ! cmp -s "$f" "$tmp/before-tree/$f"; then
			[ -s "$f" ] || printf '%s\t\n' "$f"
			while IFS= read -r line || [ -n "$line" ]; do
				printf '%s\t%s\n' "$f" "$line"
			done <"$f"
		fi
	done)
	(cd "$tmp/before-tree" && find . -type f -print0 | sort -z | while IFS= read -r -d '' f; do
		f=${f#./}
		[ -e "$R/$f" ] || printf '%s\t(removed)\n' "$f"
	done)
}

# paste CASE ARGS...: the dry run of ARGS, pasted into sh in an empty directory
paste_plan() {
	local what=$1
	shift
	"$VIRT_MDEV" --root "$R" --backend sysfs -n -c "$URI" "$@" >"$tmp/plan.sh" 2>"$tmp/plan.err"
	is "$?.$(cat "$tmp/plan.err")" "0." "$what: the dry run exits 0, saying nothing on stderr"
	# a C0 control but newline and tab, DEL, a C1 control (UTF-8 C2 80-9F) or a byte of no UTF-8
	is "$(LC_ALL=C grep -c $'[\001-\010\013-\037\177]\\|\302[\200-\237]' "$tmp/plan.sh")" 0 \
		"$what: no line of the dry run holds a control character a terminal acts on (ESC, OSC, CSI)"
	is "$(iconv -f UTF-8 -t UTF-8 "$tmp/plan.sh" >/dev/null 2>&1; echo $?)" 0 "$what: the dry run is valid UTF-8"
	files >"$tmp/before"
	rm -rf "$tmp/before-tree" && cp -a "$R" "$tmp/before-tree"
	rm -rf "$tmp/calls" && mkdir "$tmp/calls"
	(cd "$tmp/work" && PATH="$tmp/bin:$PATH" VIRSH_CALLS="$tmp/calls" sh <"$tmp/plan.sh" >"$tmp/sh.out" 2>&1)
	is "$?.$(cat "$tmp/sh.out")" "0." "$what: pasted into sh, it runs through, saying nothing"
	files >"$tmp/after"
	is "$(find "$tmp" -name PWNED)" "" "$what: nothing else ran (no PWNED file anywhere)"
	is "$(ls "$tmp/calls")" "0.argv
0.stdin" "$what: virsh was called once"
}

hostdev_new="<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ccw\">
  <source>
    <address uuid=\"$U1\"/>
  </source>
  <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x1234\"/>
</hostdev>"
# the domain's hostdev as libvirt's dumpxml indents it
hostdev_old="<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ccw\">
      <source>
        <address uuid=\"$U1\"/>
      </source>
      <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x1234\"/>
    </hostdev>"
definition='{
  "mdev_type": "vfio_ccw-io",
  "start": "auto",
  "attrs": []
}'

for i in "${!names[@]}"; do
	name=${names[$i]}
	q=$(printf '%q' "$name")

	# ---- assign: bind, persist, define, create, attach ----
	host "$G/hosts/ready.xml" -1
	# the options first and '--' before the words: a name may begin with '-'
	paste_plan "assign $q" assign --uuid $U1 --devno fe.0.1234 --persistent -- "$name" ccw 0.0.2b09
	is "$(cat "$tmp/calls/0.argv")" "-c
$URI
attach-device
--domain
$name
--file
/dev/stdin
--config" "assign $q: virsh got the URI, attach-device, the domain and --config, each one word, as they are"
	is "$(cat "$tmp/calls/0.stdin")" "$hostdev_new" "assign $q: virsh read the hostdev XML the plan names on its stdin"
	is "$(changed)" "etc/driverctl.d/css-0.0.0313	vfio_ccw
$(printf '%s\n' "$definition" | sed "s|^|etc/mdevctl.d/0.0.0313/$U1	|")
sys/devices/css0/0.0.0313/mdev_supported_types/vfio_ccw-io/create	$U1" \
		"assign $q: the paste wrote the plan's files and sysfs attribute, each with the plan's value, and nothing else"
	is "$(cat "$R/etc/mdevctl.d/0.0.0313/$U1" "$R/etc/driverctl.d/css-0.0.0313"; echo x)" "$definition
vfio_ccw
x" "assign $q: the definition and the override hold exactly the plan's text (each one newline at the end)"

	# ---- unassign: detach, remove, undefine, unbind, unpersist ----
	host "$G/hosts/mdevs.xml" "$i"
	mkdir -p "$R/etc/mdevctl.d/0.0.0313"
	printf '%s\n' "$definition" >"$R/etc/mdevctl.d/0.0.0313/$U1"
	echo vfio_ccw >"$R/etc/driverctl.d/css-0.0.0313"
	paste_plan "unassign $q" unassign -- "$name" 0.0.2b09
	is "$(cat "$tmp/calls/0.argv")" "-c
$URI
detach-device
--domain
$name
--file
/dev/stdin
--config" "unassign $q: virsh got the URI, detach-device, the domain and --config, as they are"
	is "$(cat "$tmp/calls/0.stdin")" "$hostdev_old" "unassign $q: virsh read the domain's hostdev XML on its stdin"
	is "$(changed)" "sys/bus/css/drivers/io_subchannel/bind	0.0.0313
sys/bus/css/drivers/vfio_ccw/unbind	0.0.0313
sys/devices/css0/0.0.0313/$U1/remove	1
sys/devices/css0/0.0.0313/driver_override	
etc/driverctl.d/css-0.0.0313	(removed)
etc/mdevctl.d/0.0.0313/$U1	(removed)" \
		"unassign $q: the paste wrote the plan's sysfs attributes with its values (driver_override an empty line) and removed its files, nothing else"
	ok "$([ ! -e "$R/etc/mdevctl.d/0.0.0313" ]; echo $?)" "unassign $q: mdevctl's emptied parent directory is gone, as the plan says"
done

# ---- a document with a line "EOF": the delimiter is another word ----
mkdir -p "$tmp/tpl"
cp "$top_srcdir"/xml-templates/*.xml "$tmp/tpl/"
printf '%s\n' '<hostdev mode="subsystem" type="mdev" managed="no" model="vfio-ccw">' '  <!--' 'EOF' "EOF_1" '  -->' \
	'  <source>' "    <address uuid='00000000-0000-0000-0000-000000000000'/>" '  </source>' '</hostdev>' >"$tmp/tpl/hostdev-vfio-ccw.xml"
host "$G/hosts/ready.xml" -1
export VIRT_MDEV_TEMPLATE_DIR=$tmp/tpl
paste_plan "assign with a template holding a line EOF" assign EOF ccw 0.0.2b09 --uuid $U1 --devno fe.0.1234
unset VIRT_MDEV_TEMPLATE_DIR
has_line "$(cat "$tmp/plan.sh")" "virsh -c .* attach-device --domain EOF --file /dev/stdin --config <<'EOF_2'" \
	"the here-document's delimiter is EOF_2: neither EOF nor EOF_1, lines of the document"
is "$(cat "$tmp/calls/0.stdin")" "<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ccw\">
  <!--
EOF
EOF_1
  -->
  <source>
    <address uuid=\"$U1\"/>
  </source>
  <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x1234\"/>
</hostdev>" "virsh read the whole document, its EOF lines too"

# ---- against the simulator: the paste does what the run does ----
# (a plain root: the mount's path is not what is tested here, and /proc/mounts escapes it)
fuse_host() { # a fresh mount of the demo host at $P/sys, with domains.xml
	sim_umount
	rm -rf "$P"
	mkdir -p "$P/etc/mdevctl.d" "$P/etc/driverctl.d" "$P/run/lock"
	domains -1 >"$P/domains.xml"
	sim_mount "$P/sys" --host "$top_srcdir/xml-templates/hosts/demo.xml"
}
fuse_state() { { dump_tree "$P/sys"; (cd "$P/etc" && find . -printf '%p %y %m %l\n' | sort && find . -type f -exec grep -H -- '' {} +); } >"$tmp/$1"; }
if [ "$(id -u)" = 0 ] && [ -c /dev/fuse ]; then
	P=$tmp/fuse
	name='$(touch PWNED)'
	fuse_host
	"$VIRT_MDEV" --root "$P" --backend sysfs -n -c "test://$P/domains.xml" assign --uuid $U1 --devno fe.0.1234 --persistent -- "$name" ccw 0.0.2b09 >"$tmp/plan.sh"
	rm -rf "$tmp/calls" && mkdir "$tmp/calls"
	(cd "$tmp/work" && PATH="$tmp/bin:$PATH" VIRSH_CALLS="$tmp/calls" sh <"$tmp/plan.sh" >"$tmp/sh.out" 2>&1)
	is "$?.$(cat "$tmp/sh.out")" "0." "on the simulator: the pasted dry run of assign runs through (bind, persist, define, create; virsh a stub)"
	fuse_state pasted
	fuse_host
	run "$VIRT_MDEV" --root "$P" --backend sysfs -c "test://$P/domains.xml" assign --uuid $U1 --devno fe.0.1234 --persistent -- "$name" ccw 0.0.2b09
	is "$rc" 0 "on the simulator: the real assign (libvirt's test driver) exits 0"
	fuse_state ran
	ok "$(cmp -s "$tmp/pasted" "$tmp/ran"; echo $?)" "the host after the pasted dry run is the host after the run: every sysfs attribute, link, file, mode"
	[ "$(cmp -s "$tmp/pasted" "$tmp/ran"; echo $?)" = 0 ] || diff "$tmp/pasted" "$tmp/ran" | head -20 | sed 's/^/# /'
	is "$(find "$tmp" -name PWNED)" "" "and nothing else ran"
	sim_umount
else
	skip "needs root and /dev/fuse (the simulator's mount)" "the host after the pasted dry run is the host after the run"
fi

done_testing
