#!/bin/bash
# chzdev's persistent AP masks (/etc/udev/rules.d/41-ap.rules), written by the real chzdev, as
# virt-mdev reads them: a device that starts at boot is checked against the masks of the next
# boot the way ap-check checks it (the same verdicts), and list/show say what changes at boot.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
. "$top_srcdir/tests/sim/lib-s390tools.sh"
need_root_fuse
need_s390_tools chzdev ap-check
S390=$S390_TOOLS_BIN

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
U=aaaaaaaa-2222-4333-8444-000000000001
# everything below runs inside 'virt-mdev-sim run' (private /sys, /etc/mdevctl.d, /run/lock) with a
# private /etc/udev/rules.d; each section's output is captured whole
cat >"$tmp/boot.sh" <<SCRIPT
V="$VIRT_MDEV"; S="$S390"; U=$U
SCRIPT
cat >>"$tmp/boot.sh" <<'SCRIPT'
mkdir -p /etc/udev/rules.d && mount -t tmpfs boot-test /etc/udev/rules.d
step() { echo "== $*"; }
# ap-check as mdevctl calls it for a define: the device's JSON on stdin; in a child shell, so
# that the lock it keeps for its parent after a successful pre callout is left stale, as after mdevctl
apcheck() { sh -c '"$1/ap-check" -t vfio_ap-passthrough -e pre -a define -s none -u "$2" -p matrix 2>&1; echo "rc=$?"' x "$S" "$U" <<JSON
{"mdev_type":"vfio_ap-passthrough","start":"$1","attrs":[{"assign_adapter":"0x5"},{"assign_domain":"0x4"},{"assign_domain":"0xab"}]}
JSON
}
create() { "$V" -n create ap --adapters 5 --domains 4,0xab --uuid $U "$@" >/dev/null 2>"/tmp/err.$$"; echo "rc=$?"; cat "/tmp/err.$$"; rm -f "/tmp/err.$$"; }
# adapter 5 and domains 4 and 0xab free now: 05.0004 05.00ab take adapter 5 alone, then 06.0004
# 06.00ab the two domains (05.0004 and 05.00ab are free already: no other queue leaves)
"$V" -q ap reserve 05.0004 05.00ab && "$V" -q ap reserve 06.0004 06.00ab; echo "reserve rc=$?"
step no-file
create --define --autostart
"$V" -j list ap | jq -c '[has("persistent_apmask"), (.queues[0] | has("owner_at_boot"))]'
step chzdev
"$S/chzdev" --type ap apmask=0-5,7-255 aqmask=0-3,5-255 --persistent >/dev/null 2>&1; echo "rc=$?"
sed -n 's/^ATTR{..\/..\/bus\/ap\/\(a.mask\)}="\(.*\)"$/\1=\2/p' /etc/udev/rules.d/41-ap.rules
step auto
apcheck auto
create --define --autostart
step manual
apcheck manual
create --define
step list
"$V" list ap 2>&1 >/dev/null
"$V" show 05.00ab
"$V" show 05.0004 | tail -n 1
"$V" -j list ap | jq -r '"\(.persistent_apmask) \(.persistent_aqmask)", ([.queues[] | "\(.apqn)=\(.owner)/\(.owner_at_boot)"] | join(" "))'
step validate
mkdir -p /etc/mdevctl.d/matrix
printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": [\n    {\n      "assign_adapter": "0x5"\n    },\n    {\n      "assign_domain": "0xab"\n    }\n  ]\n}\n' >/etc/mdevctl.d/matrix/$U
"$V" validate 2>&1; echo "rc=$?"
rm /etc/mdevctl.d/matrix/$U
step freed
"$S/chzdev" --type ap aqmask=-0xab --persistent >/dev/null 2>&1; echo "rc=$?"
apcheck auto
create --define --autostart
"$V" list ap 2>&1 >/dev/null
step broken
sed -i 's/^ATTR{..\/..\/bus\/ap\/aqmask}=.*/ATTR{..\/..\/bus\/ap\/aqmask}="0xfb"/' /etc/udev/rules.d/41-ap.rules
create --define --autostart
create --define
"$V" list ap 2>&1 >/dev/null; echo "list rc=$?"
SCRIPT
run "$VIRT_MDEV_SIM" run -- bash "$tmp/boot.sh"
is "$rc" 0 "the script runs inside virt-mdev-sim run"
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }

is "$(section no-file)" 'rc=0
[false,false]' "without chzdev's rule file, an autostart device is checked against the active masks only, and the listing has no persistent masks"
is "$(section chzdev)" 'rc=0
apmask=0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
aqmask=0xf7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' "chzdev writes the persistent masks (absolute: adapter 6 and domain 4 free at boot)"
is "$(section auto)" "APQN 5.171 is not defined for vfio_ap-passthrough use by the persistent ap bus mask settings
rc=255
rc=4
virt-mdev: cannot start mdev $U at boot: APQN 05.00ab stays with the host's drivers after a boot, by the persistent masks of /etc/udev/rules.d/41-ap.rules (chzdev's); free it persistently first ('virt-mdev ap reserve --persistent --adapters 5 --domains 0xab', or 'chzdev --type ap apmask=-0x5 aqmask=-0xab --persistent'), or leave out --autostart" \
	"an autostart device on an APQN the next boot keeps for the host: ap-check refuses it, and so does virt-mdev, naming the fix"
is "$(section manual)" 'rc=0
rc=0' "a device without autostart: both accept it (the persistent masks matter only at boot)"
is "$(section list)" "virt-mdev: note: the persistent AP masks (/etc/udev/rules.d/41-ap.rules, chzdev's) differ from the active ones: after a boot 05.00ab 06.0047 change owner ('virt-mdev show APQN' says to whom)
apqn: 05.00ab
owner: vfio_ap (freed by apmask or aqmask)
driver: vfio_ap
mdev: -
owner at boot: host (reserved by the persistent masks of /etc/udev/rules.d/41-ap.rules)
owner at boot: vfio_ap (freed by the persistent masks of /etc/udev/rules.d/41-ap.rules)
0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 0xf7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
05.0004=vfio_ap/vfio_ap 05.00ab=vfio_ap/host 06.0004=vfio_ap/vfio_ap 06.0047=host/vfio_ap 06.00ab=vfio_ap/vfio_ap" \
	"list ap says which queues change owner at boot, show says the owner at boot and why, and the JSON has the persistent masks and each queue's owner at boot"
is "$(section validate)" "$U: cannot start mdev $U at boot: APQN 05.00ab stays with the host's drivers after a boot, by the persistent masks of /etc/udev/rules.d/41-ap.rules (chzdev's); free it persistently first ('virt-mdev ap reserve --persistent --adapters 5 --domains 0xab', or 'chzdev --type ap apmask=-0x5 aqmask=-0xab --persistent'), or leave out --autostart
note: APQN 06.0004: free of the host's drivers (apmask/aqmask), but no mdev or definition holds it: an interrupted assign or unassign leaves it so, and so does 'ap reserve' on purpose (if no one keeps it for a guest, give it back to the host: 'virt-mdev ap release --adapters 6 --domains 4')
virt-mdev: 1 problem in 1 mdev checked
rc=4" "validate reports an autostart definition that the next boot would not let start (and, as a note, the queue the reserve of domain 4 freed that the definition does not use)"
is "$(section freed)" "rc=0
rc=0
rc=0
virt-mdev: note: the persistent AP masks (/etc/udev/rules.d/41-ap.rules, chzdev's) differ from the active ones: after a boot 06.0047 changes owner ('virt-mdev show APQN' says to whom)" "once chzdev frees the domain persistently, ap-check and virt-mdev both accept the autostart device, and list ap names only the queue that still changes owner"
is "$(section broken)" "rc=4
virt-mdev: cannot check mdev $U for boot: cannot read the persistent AP masks in /etc/udev/rules.d/41-ap.rules, line 9: '0xfb' is not a mask (0x and 64 hex digits, as chzdev writes it; fix it with 'chzdev --type ap aqmask=... --persistent')
rc=0
virt-mdev: note: cannot read the persistent AP masks in /etc/udev/rules.d/41-ap.rules, line 9: '0xfb' is not a mask (0x and 64 hex digits, as chzdev writes it; fix it with 'chzdev --type ap aqmask=... --persistent')
list rc=0" "a rule file with a bad mask: an autostart device is refused naming the file, the line and the fix; the rest works and list says so"
ok "$([ ! -e /etc/udev/rules.d/41-ap.rules ] || ! grep -q 'aqmask}="0xfb"' /etc/udev/rules.d/41-ap.rules; echo $?)" "nothing written inside leaks to the machine's /etc/udev/rules.d"

done_testing
