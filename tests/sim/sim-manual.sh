#!/bin/bash
# The classic manual procedure (QEMU's and the kernel's vfio-ccw/vfio-ap documentation),
# typed as a shell script inside 'virt-mdev-sim run', gives the documented results.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/procedure.sh" <<'SCRIPT'
# QEMU docs/system/s390x/vfio-ccw.rst
sch=$(basename "$(dirname "$(realpath /sys/bus/ccw/devices/0.0.2b09)")")
echo "subchannel=$sch"
echo "$sch" > /sys/bus/css/devices/$sch/driver/unbind
echo "$sch" > /sys/bus/css/drivers/vfio_ccw/bind
echo "driver=$(basename "$(readlink /sys/bus/css/devices/$sch/driver)")"
uuid=7e270a25-e163-4922-af60-757fc8ed48c6
echo $uuid > /sys/bus/css/devices/$sch/mdev_supported_types/vfio_ccw-io/create
[ -d /sys/bus/mdev/devices/$uuid ] && echo "ccw mdev=yes"
echo "parent=$(basename "$(dirname "$(realpath /sys/bus/mdev/devices/$uuid)")")"
# Documentation/arch/s390/vfio-ap.rst
echo -5 > /sys/bus/ap/apmask
echo -4,-0xab > /sys/bus/ap/aqmask
echo "05.0004=$(basename "$(readlink /sys/bus/ap/devices/05.0004/driver)")"
echo "05.00ab=$(basename "$(readlink /sys/bus/ap/devices/05.00ab/driver)")"
ap=4b0818b4-ab66-4fd3-8ad6-eb6e1a2b3a0b
echo $ap > /sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create
cd /sys/devices/vfio_ap/matrix/$ap
echo 5 > assign_adapter
echo 4 > assign_domain
echo 0xab > assign_domain
echo "matrix:"; cat matrix
# the simulated /sys is private: the real one is untouched, and cgroups are the real ones
[ -d /sys/fs/cgroup ] && [ "$(stat -f -c %T /sys/fs/cgroup)" != fuseblk ] && echo "cgroup=real"
[ -d /sys/devices/system/cpu ] && echo "cpus=real"
# mdevctl 1.2's callouts are in /etc/mdevctl.d/scripts.d, which run keeps; 1.4 has none there
if [ -d /etc/mdevctl.d/scripts.d ]; then echo "scripts.d=kept"; else echo "scripts.d=none"; fi
touch /etc/mdevctl.d/leak-test /etc/driverctl.d/leak-test /run/lock/leak-test && echo "private dirs=writable"
SCRIPT
# what run keeps of /etc/mdevctl.d is what this machine has there
scripts=none
[ -d /etc/mdevctl.d/scripts.d ] && scripts=kept
run "$VIRT_MDEV_SIM" run -- bash -e "$tmp/procedure.sh"
is "$rc" 0 "the procedure runs without an error"
[ -n "$err" ] && printf '# stderr: %s\n' "$err"
is "$out" "subchannel=0.0.0313
driver=vfio_ccw
ccw mdev=yes
parent=0.0.0313
05.0004=vfio_ap
05.00ab=vfio_ap
matrix:
05.0004
05.00ab
cgroup=real
cpus=real
scripts.d=$scripts
private dirs=writable" "the documented results, step by step"
ok "$([ ! -e /etc/mdevctl.d/leak-test ] && [ ! -e /etc/driverctl.d/leak-test ] && [ ! -e /run/lock/leak-test ]; echo $?)" "nothing written to /etc/mdevctl.d, /etc/driverctl.d or /run/lock inside leaks out"
ok "$([ ! -e /sys/bus/css ] || [ ! -e /sys/bus/css/devices/0.0.0313 ]; echo $?)" "the machine's own /sys is untouched"
is "$(stat -f -c %T /sys)" sysfs "this namespace's /sys is still the kernel's sysfs (run's mounts stay in its namespace)"

# driverctl, the admin's way to a persistent binding: its set-override runs modprobe unless
# /sys/module/DRIVER is there (driverctl's set_override), as it is on a host with vfio_ccw loaded
if command -v driverctl >/dev/null; then
	run "$VIRT_MDEV_SIM" run -- sh -c 'driverctl -b css set-override 0.0.0315 vfio_ccw &&
		basename "$(readlink /sys/bus/css/devices/0.0.0315/driver)" &&
		cat /sys/bus/css/devices/0.0.0315/driver_override /etc/driverctl.d/css-0.0.0315 &&
		readlink /sys/bus/css/drivers/vfio_ccw/module'
	is "$rc.$out" "0.vfio_ccw
vfio_ccw
vfio_ccw
../../../../module/vfio_ccw" "driverctl -b css set-override binds the subchannel to vfio_ccw and saves its override (vfio_ccw is a loaded module)"
else
	skip "driverctl is not installed (apt-get install driverctl)" "driverctl -b css set-override"
fi

# libfuse 3.17 and later (Debian 13), as root, run 'mount -i -f' from fuse_mount, and that
# statfs()es /sys/fs/selinux: run serves the tree before it is /sys, or it would hang for ever
run timeout 60 "$VIRT_MDEV_SIM" run -- sh -c 'grep -c "^virt-mdev-sim /sys fuse.virt-mdev-sim " /proc/self/mounts; cat /sys/bus/css/devices/0.0.0313/type'
is "$rc.$out" "0.1
0" "run comes up with the simulated tree at /sys (once) and ends, whatever libfuse does at fuse_mount"
# in run, /proc is a directory of the FUSE tree itself: the simulator must never look there while
# it serves (glibc reads /proc/sys/vm/overcommit_memory before its first shrink of a thread's
# arena, which large listings bring about); a bounded wait, so that a hang is a failure
run timeout 120 "$VIRT_MDEV_SIM" run --generate 4000 -- sh -c 'for i in 1 2 3; do
	ls /sys/bus/css/devices | wc -l; ls /sys/bus/mdev/devices | wc -l; done'
is "$rc.$(echo $out)" "0.4000 2016 4000 2016 4000 2016" "run answers large listings again and again (its FUSE thread's frees never wait on its own /proc)"
run "$VIRT_MDEV_SIM" run -- sh -c 'exit 7'
is "$rc" 7 "run exits with the command's exit code"
run "$VIRT_MDEV_SIM" run -- /nonexistent/command
is "$rc" 127 "a command that cannot run is exit 127"
is "$err" "virt-mdev-sim: cannot run '/nonexistent/command': No such file or directory" "and says why"
run "$VIRT_MDEV_SIM" run --host /nonexistent/host.xml -- true
is "$rc" 2 "a missing host description is a usage error"
like "$err" "virt-mdev-sim: cannot read host description '/nonexistent/host\.xml': $LINE" "and names the file (then libxml2's reason)"
run "$VIRT_MDEV_SIM" mount --udev "$tmp"
is "$rc" 2 "--udev outside run is refused"
is "$err" "virt-mdev-sim: --udev is only for run (events must stay in its private network namespace)
Try 'virt-mdev-sim --help'." "and says why"

done_testing
