#!/bin/bash
# make demo (tools/demo), as the README's first command runs it: the reference scenario with
# the real libvirtd, and again with libvirt's test driver (its fallback when libvirtd cannot
# start).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
command -v mdevctl >/dev/null || skip_all "mdevctl is not installed"
D=d0d0d0d0-2b09-4313-8000-000000001234
C=c0c0c0c0-0005-4004-80ab-000000000005

run timeout 120 bash "$top_srcdir/tools/demo" "$top_builddir" "$top_srcdir"
is "$rc" 0 "make demo exits 0"
[ "$rc" = 0 ] || printf '# %s\n' "$err" | tail -20
like "$out" "^libvirt: a private libvirtd" "it runs against a private libvirtd"
like "$out" "^done: unbind subchannel 0.0.0313 from io_subchannel
done: set the driver override of subchannel 0.0.0313 to vfio_ccw
done: bind subchannel 0.0.0313 to vfio_ccw
done: create transient mdev $D \(vfio_ccw-io\) on subchannel 0.0.0313 through libvirt
done: attach vfio-ccw mdev $D to domain virt-mdev-demo as devno fe.0.1234 \(persistent definition\)$" "DASD 0.0.2b09: each step printed as it happens, the mdev through libvirt"
like "$out" "^done: free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab
done: free domains 4,0xab in aqmask; queues leaving the host: 06.0004 06.00ab
done: create transient mdev $C \(vfio_ap-passthrough\) on the vfio_ap matrix through libvirt
done: attach vfio-ap mdev $C to domain virt-mdev-demo \(persistent definition\)$" "APQNs 05.0004 and 05.00ab: reserve, create, attach"
like "$out" "^nothing to do: 0.0.2b09 is assigned to domain virt-mdev-demo already, as asked$" "the second run changes nothing"
like "$out" "address uuid=\"$D\"/>
      </source>
      <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x1234\"/>" "the guest's XML holds the vfio-ccw hostdev at fe.0.1234"
like "$out" "model=\"vfio-ap\">
      <source>
        <address uuid=\"$C\"/>" "and the vfio-ap hostdev"
like "$out" "^$D 0.0.0313  vfio_ccw-io +active +no +- +virt-mdev-demo$" "virt-mdev list: the DASD's mdev, used by the guest"
like "$out" "^$C matrix +vfio_ap-passthrough +active +no +05.0004,05.00ab +virt-mdev-demo$" "and the crypto mdev with its APQNs"
# the simulator, its namespaces and the private libvirtd live only while 'virt-mdev-sim run' runs
ok "$(! grep -q ' /sys fuse' /proc/self/mounts; echo $?)" "no simulated /sys is mounted here afterwards"

VIRT_MDEV_DEMO_TEST_DRIVER=1 run timeout 120 bash "$top_srcdir/tools/demo" "$top_builddir" "$top_srcdir"
is "$rc" 0 "the test-driver demo exits 0"
like "$out" "^note: libvirtd cannot start here \(asked for the test driver\); using libvirt's test driver with the s390x guest, and the sysfs backend$" "it says that it uses the test driver"
like "$out" "^note: this libvirt driver cannot attach devices .*; the device was added to the persistent definition instead \(dumpxml, edit, define\)$" "and that attach took the define fallback"
like "$out" "address uuid=\"$D\"/>
  </source>
  <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x1234\"/>" "it shows the hostdev it added"

done_testing
