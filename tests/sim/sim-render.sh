#!/bin/bash
# render: a generated host with 8,000 subchannels and 4,000 mdevs is written as a static tree,
# and the real mdevctl, reading it as /sys, lists all 4,000. The tree goes to a tmpfs in a
# private mount namespace (the disk's speed is not what is tested; nothing is left behind).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (a tmpfs and mdevctl in a private mount namespace)"
command -v unshare >/dev/null || skip_all "needs unshare (util-linux)"
command -v mdevctl >/dev/null || skip_all "mdevctl is not installed (apt-get install mdevctl)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/inside.sh" <<'SCRIPT'
set -e
tmp=$1 sim=$2 host=$3
mount -t tmpfs -o size=2g virt-mdev-render "$tmp"
start=$(date +%s.%N)
timeout 300 "$sim" render --generate 8000 --ap-mdevs 0 "$tmp/big"
end=$(date +%s.%N)
echo "seconds: $(awk "BEGIN { printf \"%.1f\", $end - $start }")"
echo "subchannels: $(ls "$tmp/big/bus/css/devices" | wc -l)"
echo "mdevs: $(ls "$tmp/big/bus/mdev/devices" | wc -l)"
echo "parents: $(ls "$tmp/big/class/mdev_bus" | wc -l)"
echo "link: $(readlink "$tmp/big/bus/mdev/devices/00000001-0000-4000-8000-000000000001")"
echo "available: $(cat "$tmp/big/devices/css0/0.0.0001/mdev_supported_types/vfio_ccw-io/available_instances")"
echo "dev_busid: $(cat "$tmp/big/devices/css0/0.0.0002/dev_busid")"
msg=$("$sim" render --host "$host" "$tmp/big" 2>&1) || echo "rc: $?"
printf '%s\n' "$msg" | sed 's/^/refusal: /'
# a private, empty /etc/mdevctl.d with mdevctl's scripts.d, so only the rendered devices count
mkdir "$tmp/mdevctl.d"
cp -a /etc/mdevctl.d/scripts.d "$tmp/mdevctl.d/" 2>/dev/null ||
	mkdir -p "$tmp/mdevctl.d/scripts.d/callouts" "$tmp/mdevctl.d/scripts.d/notifiers"
mount --bind "$tmp/big" /sys
mount --bind "$tmp/mdevctl.d" /etc/mdevctl.d
echo "mdevctl list: $(mdevctl list | grep -cE '^[0-9a-f-]{36} 0\.0\.[0-9a-f]{4} vfio_ccw-io manual$')"
SCRIPT
run unshare -m --propagation private bash "$tmp/inside.sh" "$tmp" "$VIRT_MDEV_SIM" "$DEMO_HOST"
is "$rc" 0 "render and mdevctl run"
[ "$rc" = 0 ] || printf '# %s\n' "$err"
get() { printf '%s\n' "$out" | sed -n "s/^$1: //p"; }
echo "# render of 8,000 subchannels and 4,000 mdevs took $(get seconds) s"
is "$(get subchannels)" 8000 "8,000 subchannels"
is "$(get mdevs)" 4000 "4,000 mdevs"
is "$(get parents)" 4001 "4,000 vfio_ccw parents and the matrix in mdev_bus"
is "$(get link)" "../../../devices/css0/0.0.0001/00000001-0000-4000-8000-000000000001" "an mdev link points at its parent's child"
is "$(get available)" 0 "a used subchannel has no instance left"
is "$(get dev_busid)" "0.0.1002" "a rendered attribute holds the value read from the model"
is "$(get refusal)" "virt-mdev-sim: cannot render into '$tmp/big': it is not empty (name a new or empty directory)" "render refuses a directory that is not empty"
is "$(get rc)" 2 "with exit code 2"
is "$(get 'mdevctl list')" 4000 "mdevctl list, on the rendered tree as /sys, lists all 4,000 mdevs"
ok "$(grep -q virt-mdev-render /proc/mounts; [ $? = 1 ]; echo $?)" "the tmpfs is gone with the namespace"

done_testing
