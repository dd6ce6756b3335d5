#!/bin/bash
# mdevctl's definitions read by virt-mdev as the real mdevctl 1.2 reads them, inside
# 'virt-mdev-sim run': the same attributes, in the same order, values as written; the matrix
# virt-mdev shows for a definition is the one the kernel (the simulator's copy of its parsers)
# makes when mdevctl starts it; what virt-mdev calls malformed, mdevctl refuses or skips too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
command -v mdevctl >/dev/null || skip_all "mdevctl is not installed (apt-get install mdevctl)"
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"

G=$top_srcdir/tests/golden/definitions
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/session.sh" <<SCRIPT
V="$VIRT_MDEV"
G="$G"
export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$tmp/no-libvirtd-sock"
SCRIPT
cat >>"$tmp/session.sh" <<'SCRIPT'
step() { echo "== $*"; }
D=/etc/mdevctl.d
M=783e6dbb-0000-4000-8000-00000000a001
C=cc000052-0000-4000-8000-00000000c001
K=783e6dbb-0000-4000-8000-00000000a003
mkdir -p $D/matrix $D/0.0.0313
cp "$G/ap-six-attrs.in.json" $D/matrix/$M
cp "$G/ccw-modify.in.json" $D/0.0.0313/$C
# values the kernel takes, read otherwise than they look: octal, an unassign, a trailing newline
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_adapter":"6"},{"unassign_adapter":"0x6"},{"assign_domain":"04"},{"assign_domain":"010"},{"assign_domain":"+0xab\\n"},{"assign_control_domain":"0xab"},{"unassign_control_domain":"0253"}]}' >$D/matrix/$K
step attrs
for u in $M $C $K; do
	mdevctl list --defined --dumpjson -u $u | jq -c .attrs
	$V xml $u --format mdevctl | jq -c .attrs
done
step matrix
$V -q ap reserve --adapters 5 --domains 4,8,0xab
$V -j show $K | jq -r '.apqns[]'
mdevctl start -u $K && cat /sys/devices/vfio_ap/matrix/$K/matrix
cat /sys/devices/vfio_ap/matrix/$K/control_domains
echo "control domains: $($V -j show $K | jq -r .control_domains)"
mdevctl stop -u $K
step malformed
rm -f $D/matrix/* $D/0.0.0313/*
B=bbbbbbbb-0000-4000-8000-00000000000
bad1='{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":"x"}'
bad2='{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[1]}'
bad3='{"mdev_type":"vfio_ap-passthrough","start":null}'
bad4='{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"a":"1","b":"2"}]}'
bad5='{"mdev_type":"vfio_ap-passthrough","start":"manual"} x'
bad6='{"start":"manual"}'
for n in 1 2 3 4 5 6; do
	eval "printf '%s' \"\$bad$n\"" >$D/matrix/${B}$n
	$V -j list mdev 2>/dev/null | jq -r '.skipped[] | "virt-mdev skips \(.uuid)"'
	mdevctl list --defined >/dev/null 2>&1
	echo "mdevctl list --defined: exit $?"
	rm -f $D/matrix/${B}$n
done
mkfifo $D/matrix/${B}7
ln -s /dev/zero $D/matrix/${B}8
$V -j list mdev 2>/dev/null | jq -r '.skipped[] | "virt-mdev skips \(.uuid)"'
# mdevctl 1.2 ends an empty list with a blank line, 1.4 does not: its output is left out
timeout 10 mdevctl list --defined | grep -v '^$'
echo "mdevctl list --defined: exit ${PIPESTATUS[0]}"
step end
SCRIPT
run "$VIRT_MDEV_SIM" run -- bash "$tmp/session.sh"
is "$rc" 0 "the session runs"
[ "$rc" = 0 ] || printf '# %s\n' "$err"
section() { printf '%s\n' "$out" | sed -n "/^== $1\$/,/^== /p" | sed '1d;/^== /d'; }
attrs=$(section attrs)
is "$(printf '%s\n' "$attrs" | sed -n 1p)" "$(printf '%s\n' "$attrs" | sed -n 2p)" \
	"mdevctl's test definition (6 attributes): virt-mdev has mdevctl's attributes, in order, as written"
is "$(printf '%s\n' "$attrs" | sed -n 3p)" "$(printf '%s\n' "$attrs" | sed -n 4p)" \
	"libvirt's vfio-ccw definition with attributes no kind models: the same"
is "$(printf '%s\n' "$attrs" | sed -n 5p)" "$(printf '%s\n' "$attrs" | sed -n 6p)" \
	"octal, unassign and a trailing newline: the same values as mdevctl"
is "$(printf '%s\n' "$attrs" | sed -n 2p)" '[{"assign_adapter":"5"},{"assign_adapter":"6"},{"assign_domain":"0xab"},{"assign_control_domain":"0xab"},{"assign_domain":"4"},{"assign_control_domain":"4"}]' \
	"and those are the file's"
is "$(section matrix)" "05.0004
05.0008
05.00ab
05.0004
05.0008
05.00ab
control domains: null" \
	"the matrix virt-mdev shows is the one the kernel makes of mdevctl's writes: '04' is 4, '010' is 8, 6 and 0xab (0253) taken back"
is "$(section malformed)" "virt-mdev skips bbbbbbbb-0000-4000-8000-000000000001
mdevctl list --defined: exit 1
virt-mdev skips bbbbbbbb-0000-4000-8000-000000000002
mdevctl list --defined: exit 1
virt-mdev skips bbbbbbbb-0000-4000-8000-000000000003
mdevctl list --defined: exit 1
virt-mdev skips bbbbbbbb-0000-4000-8000-000000000004
mdevctl list --defined: exit 1
virt-mdev skips bbbbbbbb-0000-4000-8000-000000000005
mdevctl list --defined: exit 1
virt-mdev skips bbbbbbbb-0000-4000-8000-000000000006
mdevctl list --defined: exit 1
virt-mdev skips bbbbbbbb-0000-4000-8000-000000000007
virt-mdev skips bbbbbbbb-0000-4000-8000-000000000008
mdevctl list --defined: exit 0" \
	"what virt-mdev skips as malformed, mdevctl refuses (its whole listing fails); a FIFO and a link it skips too"

done_testing
