#!/bin/bash
# A fleet of four simulated s390x hosts driven by Debian's ansible-core through the
# virtmdev.s390 collection (contrib/ansible): each host is a 'virt-mdev-sim run' of the
# reference host (its own mount and network namespaces: the simulator at /sys, private
# mdevctl.d, driverctl.d, udev rules.d, /run, /var/lib (the record dir /var/lib/virt-mdev),
# /var/cache, /var/log) with its own private libvirtd (QEMU driver) and two s390x guests.
# Ansible reaches each host as it reaches a real one through its interpreter: the inventory
# entry's ansible_python_interpreter is a wrapper that enters that host's namespaces
# (nsenter -m -n) and runs python3 there. One playbook, forks 4: the first run changes every
# host, the second none; --check of a changed state reports the steps and changes nothing;
# --diff shows them; a host whose state asks for an APQN an mdev made there by hand holds
# fails alone, with virt-mdev's message and exit code, and stays as it was; the facts module
# returns what 'virt-mdev export' and 'virt-mdev -j list' print on each host. Nothing is left
# behind: no process, mount or namespace of the fleet.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
command -v ansible-playbook >/dev/null || skip_all "ansible-core is not installed (apt-get install ansible-core; tools/install-deps installs it)"
[ -x /usr/sbin/libvirtd ] || skip_all "libvirtd is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu)"
[ -x /usr/bin/qemu-system-s390x ] || skip_all "qemu-system-s390x is not installed (apt-get install qemu-system-misc)"
getent passwd libvirt-qemu >/dev/null || skip_all "libvirtd needs the libvirt-qemu user (tools/install-deps makes it)"
command -v nsenter >/dev/null || skip_all "nsenter is not installed (util-linux)"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_all "the facts module needs PyYAML on the target (apt-get install python3-yaml)"

HOSTS="host1 host2 host3 host4"
U1=11111111-2222-4333-8444-000000000001
U2=11111111-2222-4333-8444-000000000002
A1=aaaaaaaa-2222-4333-8444-000000000001
A2=aaaaaaaa-2222-4333-8444-000000000002
X=eeeeeeee-2222-4333-8444-000000000009

tmp=$(mktemp -d /tmp/virt-mdev-fleet.XXXXXX)
host_pids=""
cleanup() {
	local h p
	for h in $HOSTS; do
		[ -f "$tmp/$h/pid" ] && kill -TERM "$(cat "$tmp/$h/pid")" 2>/dev/null
	done
	for p in $host_pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the hosts ----
# Each host is this script inside its own 'virt-mdev-sim run': private /run, /var/lib,
# /var/cache and /var/log (tmpfs: the libvirt and virt-mdev directories there are made in
# them, nothing on the machine), its libvirtd with a lock of its own (private-libvirtd.sh),
# the guests defined; then it says its PID and waits for SIGTERM, and stops its daemon.
cat >"$tmp/host.sh" <<'HOST'
dir=$1
for d in /run /var/lib /var/cache /var/log; do
	mount -t tmpfs "virt-mdev-fleet$(echo "$d" | tr / -)" "$d" || exit 1
done
mkdir -p /run/lock /run/virt-mdev /var/lib/libvirt /var/lib/virt-mdev /var/cache/libvirt /var/log/libvirt
export VIRT_MDEV_LIBVIRTD_LOCK=$dir/libvirtd.lock
. "$top_srcdir/tests/sim/private-libvirtd.sh"
stop() {
	local r=0
	libvirtd_stop
	for d in /var/log /var/cache /var/lib /run; do umount "$d" || r=1; done
	return $r
}
trap stop EXIT
libvirtd_start || exit 1
for g in guest1 guest2; do
	sed "s/virt-mdev-demo/$g/" "$top_srcdir/xml-templates/domain-s390x-demo.xml" >"$dir/$g.xml"
	virsh -c "$uri" define "$dir/$g.xml" >/dev/null || exit 1
done
echo "$lv_pid" >"$dir/libvirtd.pid"
echo "$uri" >"$dir/uri"
trap 'kill "$sleeper" 2>/dev/null' TERM
sleep infinity &
sleeper=$!
echo "$$" >"$dir/pid.new" && mv "$dir/pid.new" "$dir/pid"
wait "$sleeper"
trap - EXIT
stop
HOST
for h in $HOSTS; do
	mkdir -p "$tmp/$h"
	top_srcdir=$top_srcdir "$VIRT_MDEV_SIM" run -- bash "$tmp/host.sh" "$tmp/$h" >"$tmp/$h/log" 2>&1 &
	host_pids="$host_pids $!"
done
for _ in $(seq 300); do
	n=0
	for h in $HOSTS; do [ -f "$tmp/$h/pid" ] && n=$((n + 1)); done
	[ "$n" = 4 ] && break
	sleep 0.1
done
for h in $HOSTS; do
	[ -f "$tmp/$h/pid" ] || { echo "Bail out! host $h did not come up: $(cat "$tmp/$h/log")"; exit 1; }
done

# on HOST CMD...: CMD inside HOST's namespaces (as the interpreter wrapper enters them)
on() {
	local h=$1
	shift
	# -r -w: the host process's root and directory (entering a mount namespace sets them to its
	# own root, which in a chroot such as the Debian 13 pass is not the root the host runs in)
	nsenter -t "$(cat "$tmp/$h/pid")" -m -n -r -w -- "$@"
}
vm() { # HOST ARGS...: virt-mdev on HOST, with its libvirtd and the sysfs backend
	local h=$1
	shift
	on "$h" "$VIRT_MDEV" -c "$(cat "$tmp/$h/uri")" --backend sysfs "$@"
}
# snapshot HOST: what a user of HOST would look at: the export, the passthrough part of
# sysfs (links and attributes), the configuration files with their content, virt-mdev's
# record, and each guest's persistent definition
snapshot() {
	local h=$1 uri
	uri=$(cat "$tmp/$h/uri")
	vm "$h" export
	on "$h" bash -c '. "$1/tests/sim/lib-sim.sh"; for d in bus/css bus/ap bus/mdev devices/vfio_ap; do dump_tree "/sys/$d"; done
		find /etc/mdevctl.d /etc/driverctl.d /etc/udev/rules.d /var/lib/virt-mdev -type f -print -exec cat {} + | sort' _ "$top_srcdir"
	on "$h" virsh -c "$uri" dumpxml --inactive guest1
	on "$h" virsh -c "$uri" dumpxml --inactive guest2
}
snapshots() { # NAME: every host's snapshot in $tmp/HOST/NAME
	local h
	for h in $HOSTS; do snapshot "$h" >"$tmp/$h/$1" 2>&1; done
}
same_all() { # A B: every host's snapshots A and B are the same
	local h
	for h in $HOSTS; do cmp -s "$tmp/$h/$1" "$tmp/$h/$2" || return 1; done
}

ok "$(for h in $HOSTS; do [ "$(on "$h" readlink /proc/self/ns/net)" != "$(readlink /proc/self/ns/net)" ] || exit 1; done; echo $?)" \
	"each host has a network namespace of its own"
run vm host1 -j list mdev
is "$rc.$(printf '%s' "$out" | jq -c .mdevs)" "0.[]" "each host starts with no mdev (host1's listing)"

# ---- the controller: the collection, the inventory, the playbooks ----
mkdir -p "$tmp/collections" "$tmp/states" "$tmp/host_vars" "$tmp/ansible-local" "$tmp/ansible-remote"
cp -r "$top_srcdir/contrib/ansible/ansible_collections" "$tmp/collections/"
{
	echo "[fleet]"
	for h in $HOSTS; do
		printf '#!/bin/sh\n# enter %s: its mount and network namespaces, then python3 there\nexec nsenter -t "$(cat %s/pid)" -m -n -r -w -- /usr/bin/python3 "$@"\n' \
			"$h" "$tmp/$h" >"$tmp/$h/python"
		chmod +x "$tmp/$h/python"
		echo "$h ansible_connection=local ansible_python_interpreter=$tmp/$h/python vm_uri=$(cat "$tmp/$h/uri")"
	done
	echo "[fleet:vars]"
	echo "vm_binary=$VIRT_MDEV"
	echo "state_dir=$tmp/states"
} >"$tmp/inventory"
cat >"$tmp/apply.yml" <<'EOF'
- name: s390x passthrough state
  hosts: fleet
  gather_facts: false
  tasks:
    - name: apply the host's state
      virtmdev.s390.virt_mdev_state:
        src: "{{ omit if vm_state is defined else state_dir + '/' + inventory_hostname + '.' + vm_ext | default('yml') }}"
        state: "{{ vm_state | default(omit) }}"
        binary: "{{ vm_binary }}"
        uri: "{{ vm_uri }}"
        backend: sysfs
        lock_timeout: 10
EOF
cat >"$tmp/facts.yml" <<'EOF'
- name: s390x passthrough facts
  hosts: fleet
  gather_facts: false
  tasks:
    - name: read the host's state
      virtmdev.s390.virt_mdev_facts:
        binary: "{{ vm_binary }}"
        uri: "{{ vm_uri }}"
EOF
# no ansible.cfg of the machine or the current directory: only the settings here
printf '[defaults]\n' >"$tmp/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH=$tmp/collections ANSIBLE_LOCAL_TEMP=$tmp/ansible-local \
	ANSIBLE_REMOTE_TEMP=$tmp/ansible-remote ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 \
	ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_FORKS=4 ANSIBLE_CONFIG=$tmp/ansible.cfg \
	ANSIBLE_CALLBACKS_ENABLED=ansible.builtin.tree ANSIBLE_LOAD_CALLBACK_PLUGINS=1 HOME=$tmp
# play PLAYBOOK [ARGS...]: one ansible-playbook run of the fleet; $out, $err, $rc; each host's
# last task result in $tmp/tree/HOST (ansible.builtin.tree, enabled for playbooks by
# ANSIBLE_CALLBACKS_ENABLED: ansible/plugins/callback/tree.py writes each result as JSON to
# DIRECTORY/HOSTNAME, ANSIBLE_CALLBACK_TREE_DIR). The interpreter wrapper runs the module:
# a non-pipelined module's command is "ENV INTERPRETER MODULE_PATH"
# (ansible/plugins/shell/__init__.py, build_module_command), the interpreter being
# ansible_python_interpreter.
play() {
	rm -rf "$tmp/tree"
	ANSIBLE_CALLBACK_TREE_DIR=$tmp/tree run ansible-playbook -i "$tmp/inventory" --forks 4 "$@"
}
# recap: each host's 'changed' and 'failed' counts from the play recap
recap() { printf '%s\n' "$out" | sed -n 's/^\(host[0-9]\) *: ok=[0-9]* *changed=\([0-9]*\) .*failed=\([0-9]*\) .*/\1 changed=\2 failed=\3/p'; }
result() { jq -r "$2" "$tmp/tree/$1"; } # HOST JQ: of HOST's task result

# The state files: the same meaning for every host, spelled four ways: host1 YAML, host2 the
# state inline in its inventory (host_vars), host3 JSON, host4 YAML naming the subchannel.
state_yaml() { # DEVICE [EXTRA]: guest1 with a DASD and an APQN, EXTRA for guest2's devices
	cat <<EOF
version: 1
guests:
  - name: guest1
    devices:
      - kind: ccw
        device: $1
        uuid: $U1
        devno: fe.0.1234
      - kind: ap
        adapters: 5
        domains: 4
        uuid: $A1
  - name: guest2
    devices: ${2:-[]}
EOF
}
write_states() { # EXTRA: guest2's devices
	state_yaml 0.0.2b09 "$1" >"$tmp/states/host1.yml"
	state_yaml 0.0.2b09 "$1" | python3 -c 'import sys, yaml; print("vm_state:"); print("  " + yaml.safe_dump(yaml.safe_load(sys.stdin), default_flow_style=False).replace("\n", "\n  "))' >"$tmp/host_vars/host2.yml"
	state_yaml 0.0.2b09 "$1" | python3 -c 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout, indent=1)' >"$tmp/states/host3.json"
	state_yaml 0.0.0313 "$1" >"$tmp/states/host4.yml"
}
write_states "[]"
sed -i "s|^host3 .*|& vm_ext=json|" "$tmp/inventory"

# ---- first run: every host changes ----
snapshots empty
play "$tmp/apply.yml"
is "$rc.$(recap)" "0.host1 changed=1 failed=0
host2 changed=1 failed=0
host3 changed=1 failed=0
host4 changed=1 failed=0" "the first run changes every host (forks 4), none fails"
[ "$rc" = 0 ] || diag "ansible-playbook:" "$out$err"
for h in $HOSTS; do
	is "$(result $h '[.rc, .changed, .dry_run, (.steps | map(.status) | unique | join(","))] | @tsv')" "0	true	false	done" "$h: virt-mdev's JSON: rc 0, changed, every step done"
	run vm $h -j list mdev
	is "$(printf '%s' "$out" | jq -r '[.mdevs[] | .uuid + " " + (.domains | join(","))] | sort | join("\n")')" "$U1 guest1
$A1 guest1" "$h: its mdevs are made and guest1 has both"
done
snapshots applied

# ---- second run: nothing changes anywhere ----
play "$tmp/apply.yml"
is "$rc.$(recap)" "0.host1 changed=0 failed=0
host2 changed=0 failed=0
host3 changed=0 failed=0
host4 changed=0 failed=0" "the second run changes no host"
for h in $HOSTS; do
	is "$(result $h '[.changed, (.steps | length)] | @tsv')" "false	0" "$h: virt-mdev said changed false, no step"
done
snapshots again
ok "$(same_all applied again; echo $?)" "and every host is byte for byte as the first run left it"

# ---- --check on a changed state: reports, changes nothing ----
write_states "
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2"
play "$tmp/apply.yml" --check
is "$rc.$(recap)" "0.host1 changed=1 failed=0
host2 changed=1 failed=0
host3 changed=1 failed=0
host4 changed=1 failed=0" "--check of a changed state: every host would change"
for h in $HOSTS; do
	is "$(result $h '[.dry_run, (.steps | map(.status) | unique | join(","))] | @tsv')" "true	planned" "$h: a plan (virt-mdev plan), every step planned"
	is "$(result $h '.steps | map(.description) | join("\n")')" "unbind subchannel 0.0.0315 from io_subchannel
set the driver override of subchannel 0.0.0315 to vfio_ccw
bind subchannel 0.0.0315 to vfio_ccw
make the binding of subchannel 0.0.0315 persistent (driverctl override)
define mdev $U2 on subchannel 0.0.0315 (mdevctl definition, start auto)
create mdev $U2 (vfio_ccw-io) on subchannel 0.0.0315
define domain guest2 again with its hostdevs changed: add vfio-ccw mdev $U2 as devno fe.0.2b0b
record what apply made (--prune removes only that)" "$h: the steps are exactly the new DASD's"
done
snapshots checked
ok "$(same_all applied checked; echo $?)" "--check changed nothing on any host (export, sysfs, files, record, guests)"

# ---- --diff: with --check the plan, in a run also the export before and after ----
play "$tmp/apply.yml" --check --diff
is "$(printf '%s\n' "$out" | grep -c '^+# bind subchannel 0.0.0315 to vfio_ccw$')" 4 "--check --diff shows each host's plan: the steps as + lines"
has_line "$out" "\+echo 0\.0\.0315 > /sys/bus/css/drivers/vfio_ccw/bind" "with the command of each step"
has_line "$out" "\+\+\+ after: the steps apply would run \(virt-mdev plan $tmp/states/host1\.yml\)" "under a header that says what they are"
snapshots checked
ok "$(same_all applied checked; echo $?)" "--check --diff changed nothing either"
play "$tmp/apply.yml" --diff
is "$rc.$(recap)" "0.host1 changed=1 failed=0
host2 changed=1 failed=0
host3 changed=1 failed=0
host4 changed=1 failed=0" "the changed state applied with --diff: every host changes"
is "$(printf '%s\n' "$out" | grep -c "^+        uuid: $U2\$")" 4 "--diff shows each host's export gaining the DASD's mdev"
has_line "$out" "--- before: virt-mdev export \(before\)" "the export before"
has_line "$out" "\+\+\+ after: virt-mdev export \(after\)" "and after"
for h in $HOSTS; do
	run vm $h -j list mdev
	is "$(printf '%s' "$out" | jq -r '[.mdevs[] | .uuid + " " + (.domains | join(","))] | sort | join("\n")')" "$U1 guest1
$U2 guest2
$A1 guest1" "$h: guest2 has the new DASD's mdev"
done

# ---- a bad inline state: virt-mdev's message, naming the inline state, not a temporary file ----
cat >"$tmp/bad.yml" <<EOF
vm_state:
  version: 1
  guests:
    - name: guest1
      devices:
        - kind: ccw
          device: 0.0.2b09
          colour: red
EOF
python3 -c 'import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))["vm_state"], indent=2))' "$tmp/bad.yml" >"$tmp/host2/bad.json"
run vm host2 plan "$tmp/host2/bad.json"
# virt-mdev's message is its first line (exit 2 adds the usage hint)
want_rc=$rc want_msg=$(printf '%s\n' "$err" | sed -n '1s/^virt-mdev: //p')
want_msg=${want_msg//"$tmp/host2/bad.json"/state (inline, as JSON)}
snapshot host2 >"$tmp/host2/bad-before" 2>&1
play "$tmp/apply.yml" -l host2 -e "@$tmp/bad.yml"
is "$rc.$(recap)" "2.host2 changed=0 failed=1" "a bad inline state fails its host"
is "$(result host2 .rc).$want_rc" 2.2 "rc 2: a bad state file, as virt-mdev's own exit code"
is "$(result host2 .msg)" "$want_msg" "the message is virt-mdev's, the inline state named as such"
like "$(result host2 .msg)" "state \(inline, as JSON\):10:11: ${LINE}colour${LINE}" "with the line and column of the key in the JSON it was written as"
snapshot host2 >"$tmp/host2/bad-after" 2>&1
ok "$(cmp -s "$tmp/host2/bad-before" "$tmp/host2/bad-after"; echo $?)" "host2 is exactly as before"

# ---- a host with a conflicting state fails alone ----
# on host4 an admin made an mdev by hand that holds 06.0047; the new state asks guest2 for it
vm host4 -q ap reserve 06.0047
vm host4 -q create ap --adapters 6 --domains 0x47 --uuid $X
write_states "
      - kind: ccw
        device: 0.0.2b0b
        uuid: $U2
      - kind: ap
        adapters: 6
        domains: 0x47
        uuid: $A2"
snapshots conflict-before
run vm host4 plan "$tmp/states/host4.yml"
want_rc=$rc want_msg=${err#virt-mdev: }
is "$want_rc" 4 "virt-mdev itself refuses host4's state (exit 4)"
play "$tmp/apply.yml"
is "$rc.$(recap)" "2.host1 changed=1 failed=0
host2 changed=1 failed=0
host3 changed=1 failed=0
host4 changed=0 failed=1" "host4 fails alone (ansible-playbook exit 2), the others change"
is "$(result host4 .rc)" "$want_rc" "host4's task: rc is virt-mdev's exit code"
is "$(result host4 .msg)" "$want_msg" "its message is virt-mdev's one message"
like "$(result host4 .msg)" "${LINE}06\.0047${LINE}$X${LINE}" "which names the APQN and the mdev that holds it"
has_line "$out" "fatal: \[host4\]: FAILED! => .*\"msg\": \"${want_msg//[\[\]().*?+^$|\\\{\}]/.}\".*" "the play output shows it"
snapshot host4 >"$tmp/host4/conflict-after" 2>&1
ok "$(cmp -s "$tmp/host4/conflict-before" "$tmp/host4/conflict-after"; echo $?)" "host4 is exactly as before the run"
for h in host1 host2 host3; do
	run vm $h -j list mdev
	is "$(printf '%s' "$out" | jq -r "[.mdevs[] | select(.uuid == \"$A2\") | .domains | join(\",\")] | join(\"\")")" "guest2" "$h: guest2 has the vfio-ap device"
done

# ---- facts: virt-mdev export and list, per host ----
play "$tmp/facts.yml"
is "$rc.$(recap)" "0.host1 changed=0 failed=0
host2 changed=0 failed=0
host3 changed=0 failed=0
host4 changed=0 failed=0" "the facts module runs on every host and changes nothing"
for h in $HOSTS; do
	is "$(result $h '.ansible_facts.virt_mdev_state' | jq -S .)" "$(vm $h export | python3 -c 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)' | jq -S .)" \
		"$h: the state fact is what virt-mdev export prints there"
	is "$(result $h '.ansible_facts.virt_mdev_inventory' | jq -S .)" "$(vm $h -j list | jq -S .)" "$h: the inventory fact is virt-mdev -j list there"
done
is "$(result host4 '[.ansible_facts.virt_mdev_state.mdevs[].uuid] | join(",")')" "$X" "host4's facts name the mdev made by hand, which no guest has"

# ---- nothing left behind ----
nets=""
for h in $HOSTS; do nets="$nets $(on $h readlink /proc/self/ns/net)"; done
lvpids=$(cat "$tmp"/host*/libvirtd.pid)
for h in $HOSTS; do kill -TERM "$(cat "$tmp/$h/pid")"; done
st=0
for p in $host_pids; do wait "$p" || st=$?; done
host_pids=""
rm -f "$tmp"/host*/pid
is "$st" 0 "every host stops cleanly (its libvirtd stopped, its tmpfs mounts and the simulator unmounted)"
left=""
for p in $lvpids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
is "$left" "" "no libvirtd of the fleet runs"
left=""
for n in $nets; do
	for p in /proc/[0-9]*; do [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$n" ] && left="$left ${p#/proc/}"; done
done
is "$left" "" "no process is left in a host's namespaces (so the namespaces are gone)"
is "$(grep -c -e "$tmp" -e virt-mdev-fleet /proc/self/mountinfo)" 0 "no mount of the fleet is left"
is "$(find "$tmp" -name '*.sock' -o -name 'libvirt-sock' | wc -l)" 0 "no libvirt socket is left"
done_testing
