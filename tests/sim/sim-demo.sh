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

run timeout 300 bash "$top_srcdir/tools/demo" "$top_builddir" "$top_srcdir"
is "$rc" 0 "make demo exits 0"
[ "$rc" = 0 ] || printf '# %s\n' "$err" | tail -20
# section OUTPUT NAME: what the demo prints under '== NAME', up to the next section
section() { printf '%s\n' "$1" | sed -n "/^== $2\$/,/^== /p" | sed '1d;/^== /d'; }
is "$(printf '%s\n' "$out" | sed -n 1p)" "libvirt: a private libvirtd (QEMU driver; its node-device driver runs mdevctl on the simulated host)" \
	"it runs against a private libvirtd"
is "$(section "$out" "DASD 0.0.2b09 as guest device fe.0.1234: the plan, then the steps as they happen")" "# unbind subchannel 0.0.0313 from io_subchannel
# set the driver override of subchannel 0.0.0313 to vfio_ccw
# bind subchannel 0.0.0313 to vfio_ccw
# create transient mdev $D (vfio_ccw-io) on subchannel 0.0.0313 through libvirt
# attach vfio-ccw mdev $D to domain virt-mdev-demo as devno fe.0.1234 (persistent definition)
\$ virt-mdev assign virt-mdev-demo ccw 0.0.2b09 --devno fe.0.1234 --uuid $D
done: unbind subchannel 0.0.0313 from io_subchannel
done: set the driver override of subchannel 0.0.0313 to vfio_ccw
done: bind subchannel 0.0.0313 to vfio_ccw
done: create transient mdev $D (vfio_ccw-io) on subchannel 0.0.0313 through libvirt
done: attach vfio-ccw mdev $D to domain virt-mdev-demo as devno fe.0.1234 (persistent definition)" \
	"DASD 0.0.2b09: the plan, then each step printed as it happens, the mdev through libvirt"
is "$(section "$out" "APQNs 05.0004 and 05.00ab as the guest's vfio-ap device")" "\$ virt-mdev assign virt-mdev-demo ap --adapters 5 --domains 4,0xab --uuid $C
done: free adapters 5 in apmask; queues leaving the host: 05.0004 05.00ab
done: create transient mdev $C (vfio_ap-passthrough) on the vfio_ap matrix through libvirt
done: attach vfio-ap mdev $C to domain virt-mdev-demo (persistent definition)" \
	"APQNs 05.0004 and 05.00ab: reserve (adapter 5 alone: no other queue leaves the host), create through libvirt, attach"
is "$(section "$out" "the same again: nothing to do")" "\$ virt-mdev assign virt-mdev-demo ccw 0.0.2b09 --devno fe.0.1234 --uuid $D
nothing to do: 0.0.2b09 is assigned to domain virt-mdev-demo already, as asked" "the second run changes nothing"
is "$(section "$out" "the guest's <hostdev> elements")" "<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ccw\">
      <source>
        <address uuid=\"$D\"/>
      </source>
      <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x1234\"/>
    </hostdev>
<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ap\">
      <source>
        <address uuid=\"$C\"/>
      </source>
    </hostdev>" "the guest's XML holds the vfio-ccw hostdev at fe.0.1234 and the vfio-ap hostdev, nothing else"
mdevs=$(section "$out" "virt-mdev list" | sed -n '/^mdev:$/,/^$/p')
has_line "$mdevs" "$D 0\.0\.0313  vfio_ccw-io +active +no +- +virt-mdev-demo" "virt-mdev list: the DASD's mdev, used by the guest"
has_line "$mdevs" "$C matrix +vfio_ap-passthrough +active +no +05\.0004,05\.00ab +virt-mdev-demo" "and the crypto mdev with its APQNs"
# the simulator, its namespaces and the private libvirtd live only while 'virt-mdev-sim run' runs
ok "$(! grep -q ' /sys fuse' /proc/self/mounts; echo $?)" "no simulated /sys is mounted here afterwards"

VIRT_MDEV_DEMO_TEST_DRIVER=1 run timeout 300 bash "$top_srcdir/tools/demo" "$top_builddir" "$top_srcdir"
is "$rc" 0 "the test-driver demo exits 0"
is "$(printf '%s\n' "$out" | sed -n 1p)" "note: libvirtd cannot start here (asked for the test driver); using libvirt's test driver with the s390x guest, and the sysfs backend" \
	"it says that it uses the test driver"
fallback="note: this libvirt driver cannot attach devices \\($LINE\\); the device was added to the persistent definition instead \\(dumpxml, edit, define\\)"
like "$(section "$out" "DASD 0.0.2b09 as guest device fe.0.1234: the plan, then the steps as they happen" | sed '1,/^\$ /d')" "done: unbind subchannel 0\\.0\\.0313 from io_subchannel
done: set the driver override of subchannel 0\\.0\\.0313 to vfio_ccw
done: bind subchannel 0\\.0\\.0313 to vfio_ccw
done: create mdev $D \\(vfio_ccw-io\\) on subchannel 0\\.0\\.0313
done: attach vfio-ccw mdev $D to domain virt-mdev-demo as devno fe\\.0\\.1234 \\(persistent definition\\)
$fallback" "the DASD's mdev through sysfs, and attach took the define fallback"
like "$(section "$out" "APQNs 05.0004 and 05.00ab as the guest's vfio-ap device" | sed 1d)" "done: free adapters 5 in apmask; queues leaving the host: 05\\.0004 05\\.00ab
done: create mdev $C \\(vfio_ap-passthrough\\) on the vfio_ap matrix
done: configure mdev $C in one write \\(ap_config\\): adapters 5, domains 4,0xab, control domains none
done: attach vfio-ap mdev $C to domain virt-mdev-demo \\(persistent definition\\)
$fallback" "the crypto mdev through sysfs, and attach took the define fallback"
is "$(section "$out" "the guest's <hostdev> elements")" "(the test driver keeps nothing between connections: here is what each assign added)
<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ccw\">
  <source>
    <address uuid=\"$D\"/>
  </source>
  <address type=\"ccw\" cssid=\"0xfe\" ssid=\"0x0\" devno=\"0x1234\"/>
</hostdev>
<hostdev mode=\"subsystem\" type=\"mdev\" managed=\"no\" model=\"vfio-ap\">
  <source>
    <address uuid=\"$C\"/>
  </source>
</hostdev>" "it shows the hostdevs it added"

# a step that fails fails the demo: here every assign, through a virt-mdev that refuses it
fake=$(mktemp -d)
mkdir "$fake/src"
ln -s "$top_builddir/src/virt-mdev-sim" "$fake/src/virt-mdev-sim"
cat >"$fake/src/virt-mdev" <<EOT
#!/bin/sh
case " \$* " in *" assign "*) echo "virt-mdev: refused for the test" >&2; exit 4 ;; esac
exec "$top_builddir/src/virt-mdev" "\$@"
EOT
chmod +x "$fake/src/virt-mdev"
VIRT_MDEV_DEMO_TEST_DRIVER=1 run timeout 300 bash "$top_srcdir/tools/demo" "$fake" "$top_srcdir"
rm -rf "$fake"
ok "$([ "$rc" != 0 ] && [ "$rc" != 124 ]; echo $?)" "the demo fails when a step fails (exit $rc)"
has_line "$err" "demo: this step failed \(exit [1-9][0-9]*\): .+" "and says which step"
ok "$(! printf '%s\n' "$out" | grep -q '^== the guest'; echo $?)" "and goes no further"

done_testing
