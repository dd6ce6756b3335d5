#!/bin/bash
# virt-mdev's checks before creating a vfio-ap mdev against s390-tools' own: the same host
# configurations through IBM's ap-check (the callouts mdevctl runs: '-e pre -a define' and
# '-a start', the device's JSON on stdin, then '-e post' under the same parent, as mdevctl
# does) and through 'virt-mdev -n create ap'. Each row says what both answer, whole, and
# whether they agree; where they do not, virt-mdev is deliberately stricter and virt-mdev(8)
# says so (the row names the words it says it with), or the row is a TODO naming what is
# missing. Each configuration runs in a fresh 'virt-mdev-sim run'.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
. "$top_srcdir/tests/sim/lib-s390tools.sh"
need_root_fuse
need_s390_tools ap-check chzdev

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
man=$(sed 's/\\-/-/g' "$top_srcdir/doc/virt-mdev.8" | grep -v '^\.\\"' | tr '\n' ' ')
U=aaaaaaaa-0d3f-4b1a-9a39-3a6c1d7f0001 # the mdev being checked
X=bbbbbbbb-0d3f-4b1a-9a39-3a6c1d7f0002 # another mdev, in the way
# a host with small maxima, for the ids above them
cat >"$tmp/small.xml" <<'XML'
<host><ap max-adapter-id="15" max-domain-id="15" adapters="5" usage-domains="4"
    control-domains="4" apmask="all" aqmask="all"><card id="05" domains="4"/></ap></host>
XML

# the script each row runs inside virt-mdev-sim run: $1 the setup, $2 the callouts
# ("start", "define:manual start", "define:auto start"), $3 the matrix as adapters/domains/
# control domains ("5/4,0xab/4"), then virt-mdev's arguments. It prints both verdicts.
{
	s390tools_preamble
	cat <<EOF
U=$U
X=$X
EOF
	cat <<'EOF'
reserve() { "$V" -q ap reserve "$@" >/dev/null; }
# active UUID ADAPTER DOMAIN...: an active vfio-ap mdev, made with sysfs writes
active() {
	local u=$1 a=$2 d
	shift 2
	echo "$u" >/sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create
	echo "$a" >"/sys/devices/vfio_ap/matrix/$u/assign_adapter"
	for d; do echo "$d" >"/sys/devices/vfio_ap/matrix/$u/assign_domain"; done
}
# defined UUID auto|manual ADAPTER DOMAIN: an mdevctl definition, inactive
defined() {
	mkdir -p /etc/mdevctl.d/matrix
	printf '{"mdev_type":"vfio_ap-passthrough","start":"%s","attrs":[{"assign_adapter":"%s"},{"assign_domain":"%s"}]}\n' \
		"$2" "$3" "$4" >"/etc/mdevctl.d/matrix/$1"
}
# persistent APMASK AQMASK: chzdev's persistent AP masks (41-ap.rules), written by chzdev
persistent() { "$B/chzdev" --type ap apmask="$1" aqmask="$2" -p >/dev/null 2>&1; }
# free ADAPTER: clear an adapter's bit in apmask with a plain write (ap reserve refuses ids above the maximum)
free() { echo "-$1" >/sys/bus/ap/apmask; }

# json START: the device as mdevctl passes it to its callouts (attributes as given)
json() {
	local a=${matrix%%/*} rest=${matrix#*/} d c attrs="" v
	d=${rest%%/*} c=${rest#*/}
	for v in ${a//,/ }; do attrs="$attrs{\"assign_adapter\":\"$v\"},"; done
	for v in ${d//,/ }; do attrs="$attrs{\"assign_domain\":\"$v\"},"; done
	for v in ${c//,/ }; do attrs="$attrs{\"assign_control_domain\":\"$v\"},"; done
	printf '{"mdev_type":"vfio_ap-passthrough","start":"%s","attrs":[%s]}\n' "$1" "${attrs%,}"
}
# callout ACTION START: one pre callout and, when it passes, its post (which gives the lock
# back), both children of one shell, as mdevctl runs them; its stderr, and 1 when refused
callout() {
	json "$2" | sh -c '"$0" -t vfio_ap-passthrough -e pre -a "$1" -s none -u "$2" -p matrix || exit 1
		"$0" -t vfio_ap-passthrough -e post -a "$1" -s success -u "$2" -p matrix </dev/null' \
		"$B/ap-check" "$1" "$U"
}

setup=$1 callouts=$2 matrix=$3
shift 3
eval "$setup"
verdict=accept
for c in $callouts; do
	action=${c%%:*} start=manual
	[ "$c" != "$action" ] && start=${c#*:}
	if ! msg=$(callout "$action" "$start" 2>&1); then
		verdict="refuse: $msg"
		break
	fi
done
echo "ap-check: $verdict"
[ -e /run/lock/s390apconfig.lock ] && echo "ap-check left the lock behind"
msg=$("$V" --backend sysfs -n create ap "$@" --uuid "$U" 2>&1 >/dev/null)
rc=$?
echo "== virt-mdev"
if [ "$rc" = 0 ]; then echo accept; else echo "$rc: $msg"; fi
EOF
} >"$tmp/row.sh"

# row NAME SETUP MATRIX FLAGS APCHECK VIRT_MDEV RELATION: a configuration (SETUP, shell run
# inside the simulator; MATRIX adapters/domains/control domains; FLAGS of create: "",
# --define or --autostart, which decide the callouts: start; define start; define (start
# auto) start), what ap-check answers ("accept" or its whole message), what virt-mdev answers
# ("accept" or "EXIT: MESSAGE-ERE") and RELATION: "agree", "stricter: WORDS" (virt-mdev(8)
# says WORDS) or "todo: WHY". HOST=FILE before the row picks another host description.
rows=0
row() {
	local name=$1 setup=$2 matrix=$3 flags=$4 want_ac=$5 want_vm=$6 relation=$7
	local a=${matrix%%/*} rest=${matrix#*/} d c callouts args=() got_ac got_vm ac vm
	d=${rest%%/*} c=${rest#*/}
	rows=$((rows + 1))
	case $flags in
	--autostart) callouts="define:auto start" ;;
	--define) callouts="define:manual start" ;;
	*) callouts="start" ;;
	esac
	[ -n "$a" ] && args+=(--adapters "$a")
	[ -n "$d" ] && args+=(--domains "$d")
	[ -n "$c" ] && args+=(--control-domains "$c")
	[ -n "$flags" ] && args+=("$flags")
	run timeout 120 "$VIRT_MDEV_SIM" run --host "${HOST:-$DEMO_HOST}" -- bash "$tmp/row.sh" "$setup" "$callouts" "$matrix" "${args[@]}"
	if [ "$rc" != 0 ]; then
		ok 1 "$name: the row runs"
		diag "stderr:" "$err"
		return
	fi
	got_ac=$(printf '%s\n' "$out" | sed -n 's/^ap-check: //p')
	got_vm=$(printf '%s\n' "$out" | sed '1,/^== virt-mdev$/d')
	is "$got_ac" "$want_ac" "$name: ap-check ($callouts) answers $( [ "$want_ac" = accept ] && echo accept || echo 'its refusal')"
	if [ "$want_vm" = accept ]; then
		is "$got_vm" accept "$name: virt-mdev -n create ap ${args[*]} accepts"
	else
		like "$got_vm" "$want_vm" "$name: virt-mdev -n create ap ${args[*]} refuses, with the one message"
	fi
	ac=${got_ac%%:*} vm=${got_vm%%:*}
	[ "$vm" != accept ] && vm=refuse
	case $relation in
	agree)
		is "$vm" "$ac" "$name: ap-check and virt-mdev agree ($ac)"
		;;
	stricter:*)
		is "$ac.$vm" "accept.refuse" "$name: virt-mdev refuses what ap-check accepts"
		case $man in *"${relation#stricter: }"*) r=0 ;; *) r=1 ;; esac
		ok "$r" "$name: virt-mdev(8) says virt-mdev is stricter here: '${relation#stricter: }'"
		;;
	todo:*)
		tap_n=$((tap_n + 1))
		echo "$([ "$vm" = "$ac" ] || echo "not ")ok $tap_n - $name: ap-check and virt-mdev agree # TODO ${relation#todo: }"
		;;
	esac
	[ -z "$(printf '%s\n' "$out" | grep 'left the lock')" ]
	ok $? "$name: ap-check's post callout gave the lock back"
}

refused() { printf '4: virt-mdev: %s' "$1"; }
owner="an APQN belongs to one mdev; remove it with 'virt-mdev remove $X( --undefine)?', or pick other adapters or domains"

row "APQNs free, nothing else" 'reserve 05.0004' "5/4/" "" \
	accept accept agree
row "APQN reserved for the host by the active masks" ':' "5/4/" "" \
	"refuse: APQN 5.4 is not allowed for vfio_ap-passthrough use by the active ap bus mask settings" \
	"$(refused "cannot give APQN 05\.0004 to mdev $U: reserved for the host's drivers by apmask/aqmask \(run 'virt-mdev ap reserve --adapters 5 --domains 4' first\)")" agree
row "--define of APQNs the active masks reserve (define passes, start refuses)" ':' "5/4/" --define \
	"refuse: APQN 5.4 is not allowed for vfio_ap-passthrough use by the active ap bus mask settings" \
	"$(refused "cannot give APQN 05\.0004 to mdev $U: reserved for the host's drivers by apmask/aqmask \(run 'virt-mdev ap reserve --adapters 5 --domains 4' first\)")" agree
row "adapter freed in apmask, domain still in aqmask: the APQN is not the host's" 'free 5' "5/4/" "" \
	accept accept agree
row "an APQN of an active mdev" "reserve 05.0004 05.00ab; active $X 5 4" "5/4,0xab/" "" \
	"refuse: APQN 5.4 already in use by $X" \
	"$(refused "cannot give APQN 05\.0004 to mdev $U: active mdev $X holds it \($owner\)")" agree
row "an APQN of an inactive autostart definition, --autostart" "reserve 05.0004; defined $X auto 5 4" "5/4/" --autostart \
	"refuse: APQN 5.4 is defined for autostart by $X" \
	"$(refused "cannot give APQN 05\.0004 to mdev $U: defined mdev $X holds it \($owner\)")" agree
row "an APQN of an inactive autostart definition, transient" "reserve 05.0004; defined $X auto 5 4" "5/4/" "" \
	accept "$(refused "cannot give APQN 05\.0004 to mdev $U: defined mdev $X holds it \($owner\)")" \
	"stricter: an APQN that any other mdev holds, active or not, defined to start at boot or by hand"
row "an APQN of an inactive manual definition, --autostart" "reserve 05.0004; defined $X manual 5 4" "5/4/" --autostart \
	accept "$(refused "cannot give APQN 05\.0004 to mdev $U: defined mdev $X holds it \($owner\)")" \
	"stricter: an APQN that any other mdev holds, active or not, defined to start at boot or by hand"
row "a control domain the host's aqmask still holds, and another mdev's" "reserve 05.0004; active $X 6 0x47" "5/4/0x47" "" \
	accept accept agree
row "control domains without a usage domain" 'reserve 05.0004' "5//4" "" \
	"refuse: At least one usage domain must be specified" \
	"2: virt-mdev: create ap needs --adapters and --domains \(a vfio-ap device is adapters x domains, e\.g\. --adapters 5 --domains 4,0xab\)
Try 'virt-mdev help create'\." agree
row "adapters without domains" 'reserve 05.0004' "5//" "" \
	accept "2: virt-mdev: create ap needs --adapters and --domains \(a vfio-ap device is adapters x domains, e\.g\. --adapters 5 --domains 4,0xab\)
Try 'virt-mdev help create'\." \
	"stricter: ap-check accepts a device without adapters or usage domains"
HOST=$tmp/small.xml row "an adapter above ap_max_adapter_id, freed in apmask" 'free 0x10' "0x10/4/" "" \
	accept "$(refused "cannot use adapter 16 \(0x10\) in mdev $U: this host's adapter ids are 0-15 \(ap_max_adapter_id\)")" \
	"stricter: ap-check does not compare ids with them"
row "--autostart of APQNs the persistent masks (chzdev's 41-ap.rules) keep for the host" \
	'reserve 05.0004; persistent 0-255 0-255' "5/4/" --autostart \
	"refuse: APQN 5.4 is not defined for vfio_ap-passthrough use by the persistent ap bus mask settings" \
	"$(refused "cannot start mdev $U at boot: APQN 05\.0004 stays with the host's drivers after a boot, by the persistent masks of /etc/udev/rules\.d/41-ap\.rules \(chzdev's\); free it persistently first \('virt-mdev ap reserve --persistent --adapters 5 --domains 4', or 'chzdev --type ap apmask=-0x5 aqmask=-0x4 --persistent'\), or leave out --autostart")" \
	agree

is "$rows" 13 "every row ran"
done_testing
