#!/bin/bash
# Persistent AP masks as chzdev keeps them: 'ap reserve/release --persistent' write
# /etc/udev/rules.d/41-ap.rules byte for byte as the real chzdev writes it for the same masks
# (zdev/src/ap.c ap_write_type_udev), the real lszdev and chzdev read and edit what virt-mdev
# wrote, virt-mdev reads what chzdev wrote, the bits not named are kept, and a failed run puts
# the file back exactly (or leaves it absent). Everything runs inside 'virt-mdev-sim run', whose
# /etc/udev/rules.d is private and empty.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
. "$top_srcdir/tests/sim/lib-s390tools.sh"
need_root_fuse
need_s390_tools chzdev lszdev

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
F=/etc/udev/rules.d/41-ap.rules
: >"$tmp/faults"

# run's /etc/udev/rules.d is its own (another directory than the machine's, and empty); else
# stop here, before chzdev or virt-mdev could write the machine's
outside=$(stat -c '%d:%i' /etc/udev/rules.d)
run "$VIRT_MDEV_SIM" run -- sh -c "stat -c '%d:%i' /etc/udev/rules.d; ls -A /etc/udev/rules.d | wc -l"
ok "$([ "$rc" = 0 ] && [ "${out%%$'\n'*}" != "$outside" ] && [ "${out#*$'\n'}" = 0 ]; echo $?)" \
	"virt-mdev-sim run gives the namespace a private, empty /etc/udev/rules.d"
[ "$rc" = 0 ] && [ "${out%%$'\n'*}" != "$outside" ] || { echo "Bail out! /etc/udev/rules.d is not private inside virt-mdev-sim run"; exit 1; }

# chzdev's own file for adapter 5 freed at boot (what 05.0004 05.00ab need: the fewest queues)
# and every domain the host's, on a fresh host (a new namespace: chzdev starts from the active
# masks when there is no file, libap ap_read_udev_masks; without aqmask= it would write no
# aqmask line, virt-mdev writes both)
run "$VIRT_MDEV_SIM" run -- sh -c "\"$S390_TOOLS_BIN/chzdev\" --type ap apmask=-5 aqmask=0-255 --persistent >/dev/null 2>&1 && cat $F"
is "$rc" 0 "the real chzdev writes its rule in a fresh namespace"
printf '%s\n' "$out" >"$tmp/chzdev.rules"

cat >"$tmp/persist.sh" <<SCRIPT
V="$VIRT_MDEV"; S="$S390_TOOLS_BIN"; T="$tmp"; F=$F
SCRIPT
cat >>"$tmp/persist.sh" <<'SCRIPT'
step() { echo "== $*"; }
masks() { sed -n 's/^ATTR{..\/..\/bus\/ap\/\(a.mask\)}="\(.*\)"$/\1=\2/p' "$F"; }
lsz() { "$S/lszdev" --type ap --persistent 2>&1 | sed -n 's/^ *\(a.mask\)  *\(.*\)$/\1 \2/p'; }
step reserve
"$V" -q ap reserve --persistent 05.0004 05.00ab; echo "rc=$?"
cp "$F" "$T/vm.rules"
stat -c '%a %U' "$F"
"$V" -j list ap | jq -r '"\(.persistent_apmask) \(.persistent_aqmask)"'
step lszdev
lsz
step again
"$V" ap reserve --persistent 05.0004 05.00ab; echo "rc=$?"
step autostart
"$V" -q create ap --adapters 5 --domains 4 --uuid aaaaaaaa-2222-4333-8444-000000000009 --define --autostart; echo "rc=$?"
"$V" validate >/dev/null 2>&1; echo "validate rc=$?"
"$V" -q remove aaaaaaaa-2222-4333-8444-000000000009 --undefine; echo "rc=$?"
step chzdev-edits
"$S/chzdev" --type ap apmask=-6 --persistent >/dev/null 2>&1; echo "rc=$?"
masks
"$V" -j list ap | jq -r '.persistent_apmask, ([.queues[] | "\(.apqn)=\(.owner_at_boot)"] | join(" "))'
step release
"$V" -q ap release --persistent 05.0004 05.00ab; echo "rc=$?"
masks
lsz
step only-apmask
rm "$F"
"$S/chzdev" --type ap apmask=-6 --persistent >/dev/null 2>&1; echo "rc=$?"
masks
cp "$F" "$T/only.rules"
"$V" -q ap reserve --persistent 05.0004; echo "rc=$?"
cp "$F" "$T/vm-only.rules"
cp "$T/only.rules" "$F"
"$S/chzdev" --type ap aqmask=-4 --persistent >/dev/null 2>&1; echo "rc=$?"
cmp "$F" "$T/vm-only.rules" && echo same
"$V" -q ap release 05.0004; echo "rc=$?"
step fault
cp "$F" "$T/before.rules"
stat -c '%a %U %G %s' "$F" >"$T/before.stat"
echo "bus/ap/apmask 1 EIO" >"$T/faults"
"$V" ap reserve --persistent 05.00ab 2>&1; echo "rc=$?"
cmp "$F" "$T/before.rules" && echo same
stat -c '%a %U %G %s' "$F" | cmp - "$T/before.stat" && echo same stat
ls -A /etc/udev/rules.d
step fault-absent
rm "$F"
echo "bus/ap/apmask 1 EIO" >"$T/faults"
"$V" ap reserve --persistent 05.00ab 2>&1; echo "rc=$?"
ls -A /etc/udev/rules.d | wc -l
cat /sys/bus/ap/apmask /sys/bus/ap/aqmask
SCRIPT
run "$VIRT_MDEV_SIM" run --faults "$tmp/faults" -- bash "$tmp/persist.sh"
is "$rc" 0 "the script runs inside virt-mdev-sim run"
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
A5=0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
A56=0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
A6=0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
ALL=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff

is "$(section reserve)" "rc=0
644 root
$A5 $ALL" "ap reserve --persistent writes chzdev's rule (mode 0644 as chzdev's fopen makes it) and list ap shows the persistent masks"
ok "$(cmp "$tmp/vm.rules" "$tmp/chzdev.rules" >&2; echo $?)" "virt-mdev's 41-ap.rules is byte for byte the file chzdev writes for the same masks"
is "$(section lszdev)" 'apmask "0-4,6-255"
aqmask "0-255"' "the real lszdev --persistent reads virt-mdev's masks"
is "$(section again)" "nothing to do: APQNs 05.0004 05.00ab are already free of the host's drivers, now and at boot (41-ap.rules)
rc=0" "a second reserve --persistent has nothing to do"
is "$(section autostart)" "rc=0
validate rc=0
rc=0" "an autostart definition on the reserved APQNs is accepted: the boot masks agree (validate clean)"
is "$(section chzdev-edits)" "rc=0
apmask=$A56
aqmask=$ALL
$A56
05.0004=vfio_ap 05.00ab=vfio_ap 06.0004=vfio_ap 06.0047=vfio_ap 06.00ab=vfio_ap" \
	"chzdev edits virt-mdev's file (adapter 6 too), and virt-mdev reads chzdev's masks (list ap JSON, owner at boot)"
is "$(section release)" "rc=0
apmask=$A6
aqmask=$ALL
apmask \"0-5,7-255\"
aqmask \"0-255\"" "release --persistent gives back adapter 5 and the domains in the file and keeps chzdev's adapter 6 free at boot"
is "$(section only-apmask)" "rc=0
apmask=$A6
rc=0
rc=0
same
rc=0" "chzdev's file with only an apmask: virt-mdev's reserve writes what chzdev writes for the same change (the aqmask from the active one; at boot domain 4 frees 05.0004 and nothing else, since adapter 6 is free at boot)"
is "$(section fault)" "done: free adapters 5 in apmask at boot in chzdev's udev rule 41-ap.rules (udev writes its apmask and aqmask at coldplug)
virt-mdev: cannot free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab (not asked for: 05.0004) (echo -5 > /sys/bus/ap/apmask: Input/output error); undone: free adapters 5 in apmask at boot in chzdev's udev rule 41-ap.rules (udev writes its apmask and aqmask at coldplug)
rc=1
same
same stat
41-ap.rules" "a failed write after the file step: chzdev's file is put back byte for byte (content, mode, owner; no temporary file left)"
is "$(section fault-absent)" "done: free adapters 5 in apmask at boot in chzdev's udev rule 41-ap.rules (udev writes its apmask and aqmask at coldplug)
virt-mdev: cannot free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab (not asked for: 05.0004) (echo -5 > /sys/bus/ap/apmask: Input/output error); undone: free adapters 5 in apmask at boot in chzdev's udev rule 41-ap.rules (udev writes its apmask and aqmask at coldplug)
rc=1
0
$ALL
$ALL" "a failed write where there was no file: the file is absent again, the masks as before"
ok "$([ ! -e $F ] || ! cmp -s $F "$tmp/vm.rules"; echo $?)" "nothing written inside leaks to the machine's /etc/udev/rules.d"

done_testing
