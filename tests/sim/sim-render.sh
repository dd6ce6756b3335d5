#!/bin/bash
# render: a generated host with 8,000 subchannels and 4,000 mdevs is written as a static tree,
# and the real mdevctl, reading it as /sys, lists all 4,000.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s.%N)
run timeout 300 "$VIRT_MDEV_SIM" render --generate 8000 --ap-mdevs 0 "$tmp/big"
end=$(date +%s.%N)
is "$rc" 0 "render --generate 8000 succeeds"
echo "# render of 8,000 subchannels took $(awk "BEGIN { printf \"%.1f\", $end - $start }") s"
is "$(ls "$tmp/big/bus/css/devices" | wc -l)" 8000 "8,000 subchannels"
is "$(ls "$tmp/big/bus/mdev/devices" | wc -l)" 4000 "4,000 mdevs"
is "$(ls "$tmp/big/class/mdev_bus" | wc -l)" 4001 "4,000 vfio_ccw parents and the matrix in mdev_bus"
is "$(readlink "$tmp/big/bus/mdev/devices/00000001-0000-4000-8000-000000000001")" "../../../devices/css0/0.0.0001/00000001-0000-4000-8000-000000000001" "an mdev link points at its parent's child"
is "$(cat "$tmp/big/devices/css0/0.0.0001/mdev_supported_types/vfio_ccw-io/available_instances")" 0 "a used subchannel has no instance left"
is "$(cat "$tmp/big/devices/css0/0.0.0002/dev_busid")" "0.0.1002" "a rendered attribute holds the value read from the model"

run "$VIRT_MDEV_SIM" render --host "$DEMO_HOST" "$tmp/big"
is "$rc" 2 "render refuses a directory that is not empty"
like "$err" "cannot render into '$tmp/big': it is not empty" "and says so"

if [ "$(id -u)" = 0 ] && command -v mdevctl >/dev/null && command -v unshare >/dev/null; then
	# a private, empty /etc/mdevctl.d with mdevctl's scripts.d, so only the rendered devices count
	mkdir "$tmp/mdevctl.d"
	cp -a /etc/mdevctl.d/scripts.d "$tmp/mdevctl.d/" 2>/dev/null || mkdir -p "$tmp/mdevctl.d/scripts.d/callouts" "$tmp/mdevctl.d/scripts.d/notifiers"
	run unshare -m --propagation private sh -c "mount --bind '$tmp/big' /sys && mount --bind '$tmp/mdevctl.d' /etc/mdevctl.d && mdevctl list"
	is "$rc" 0 "mdevctl list runs on the rendered tree"
	is "$(printf '%s\n' "$out" | grep -cE '^[0-9a-f-]{36} 0\.0\.[0-9a-f]{4} vfio_ccw-io manual$')" 4000 "mdevctl list lists all 4,000 mdevs"
else
	skip_all "mdevctl on the rendered tree needs root, unshare and mdevctl"
fi

done_testing
