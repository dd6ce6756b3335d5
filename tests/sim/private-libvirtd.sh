# A private libvirtd (real-components.md sections 2 and 3), for scripts that run
# inside 'virt-mdev-sim run': its own config, state, cache, log and socket
# directories bound over libvirt's, in the private mount namespace of run.
# Sourced; defines libvirtd_start, libvirtd_stop and $uri.

lv_priv=""
lv_pid=""
lv_made=""

# One private libvirtd at a time on this machine: the mount points this makes for a missing
# /var/lib/libvirt (and the others) are removed again at the stop, and removing a directory
# detaches the mounts on it in every namespace, so a second daemon must not be bound there
# then (make check -j2). The lock is held from the start to the stop. A caller whose /run,
# /var/lib, /var/cache and /var/log are private tmpfs mounts of its own namespace (the fleet
# test's hosts: several daemons at once) makes nothing on the machine, and names a lock of its
# own in VIRT_MDEV_LIBVIRTD_LOCK.
lv_lock=""

libvirtd_start() {
	local d
	exec {lv_lock}>>"${VIRT_MDEV_LIBVIRTD_LOCK:-/tmp/virt-mdev-private-libvirtd.lock}"
	flock "$lv_lock"
	lv_priv=$(mktemp -d /tmp/virt-mdev-libvirtd.XXXXXX)
	mkdir -p "$lv_priv"/etc "$lv_priv"/run "$lv_priv"/lib "$lv_priv"/cache "$lv_priv"/log "$lv_priv"/sock
	cat >"$lv_priv/etc/libvirtd.conf" <<EOT
unix_sock_dir="$lv_priv/sock"
auth_unix_ro="none"
auth_unix_rw="none"
log_outputs="1:file:$lv_priv/libvirtd.log"
EOT
	cat >"$lv_priv/etc/qemu.conf" <<EOT
user="root"
group="root"
security_driver="none"
EOT
	# inside 'virt-mdev-sim run --persist DIR': the persistent part (the configuration with the
	# domains' definitions and autostart links, /var/lib/libvirt) is DIR's, kept across runs
	local etc=$lv_priv/etc lib=$lv_priv/lib src
	if [ -n "${VIRT_MDEV_SIM_PERSIST:-}" ]; then
		etc=$VIRT_MDEV_SIM_PERSIST/libvirt/etc lib=$VIRT_MDEV_SIM_PERSIST/libvirt/lib
		cp "$lv_priv/etc/libvirtd.conf" "$lv_priv/etc/qemu.conf" "$etc/" || return 1
	fi
	for d in etc:/etc/libvirt run:/run/libvirt lib:/var/lib/libvirt cache:/var/cache/libvirt log:/var/log/libvirt; do
		# a missing mount point is made for the test and removed after it
		if [ ! -d "${d#*:}" ]; then
			mkdir -p "${d#*:}" && lv_made="$lv_made ${d#*:}"
		fi
		case ${d%%:*} in etc) src=$etc ;; lib) src=$lib ;; *) src=$lv_priv/${d%%:*} ;; esac
		mount --bind "$src" "${d#*:}" || return 1
	done
	uri="qemu:///system?socket=$lv_priv/sock/libvirt-sock"
	libvirtd_launch
}

# The daemon on what libvirtd_start bound, until it answers: also again after it was stopped
# or killed (the same configuration, domains and socket).
libvirtd_launch() {
	# its own pid file: two private daemons (make check -j2) must not meet at /run/libvirtd.pid
	SYSTEMD_DEVICE_VERIFY_SYSFS=0 /usr/sbin/libvirtd -f /etc/libvirt/libvirtd.conf -p "$lv_priv/libvirtd.pid" {lv_lock}>&- &
	lv_pid=$!
	for _ in $(seq 100); do
		if [ -S "$lv_priv/sock/libvirt-sock" ] && virsh -c "$uri" uri >/dev/null 2>&1; then
			libvirtd_nodedev_answers
			return
		fi
		kill -0 "$lv_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "libvirtd did not start:" >&2
	tail -5 "$lv_priv/libvirtd.log" >&2
	return 1
}

# The node-device driver answers (the sessions and the demo need it): Debian 13 packages it
# apart (libvirt-daemon-driver-nodedev, only Recommended by libvirt-daemon), and without it
# every nodedev call fails, so say that now instead of waiting for devices that never come.
libvirtd_nodedev_answers() {
	local e
	e=$(virsh -c "$uri" nodedev-list --cap css 2>&1 >/dev/null) && return 0
	echo "libvirtd's node-device driver does not answer: $(printf '%s\n' "$e" | sed -n 's/^error: //p' | tail -1) (is libvirt-daemon-driver-nodedev installed? tools/install-deps installs it)" >&2
	return 1
}

libvirtd_stop() {
	local d
	if [ -n "$lv_pid" ]; then
		kill -TERM "$lv_pid" 2>/dev/null
		wait "$lv_pid" 2>/dev/null
		lv_pid=""
	fi
	for d in /etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
		umount "$d" 2>/dev/null
	done
	for d in $lv_made; do
		rmdir "$d" 2>/dev/null
	done
	[ -n "$lv_priv" ] && rm -rf "$lv_priv"
	lv_priv=""
	lv_made=""
	if [ -n "$lv_lock" ]; then
		flock -u "$lv_lock"
		exec {lv_lock}>&-
		lv_lock=""
	fi
}

# For the session scripts: sections of the output, and the mdevs as sysfs, libvirt and mdevctl
# each show them (mdev_state), awaited until they are what is wanted (settle WANT: at most
# settle_tries times 0.1 s). settle calls the script's own state(), which may add lines.
settle_tries=150
step() { echo "== $*"; }
words() { tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
line() { local v; v=$(words); if [ -n "$v" ]; then echo "$1: $v"; else echo "$1:"; fi; }
mdev_state() {
	ls /sys/bus/mdev/devices | line sysfs
	virsh -c "$uri" nodedev-list --cap mdev | line active
	virsh -c "$uri" nodedev-list --cap mdev --inactive | line inactive
	mdevctl list --defined | grep -v '^ ' | line mdevctl
}
settle() {
	local want=$1 got
	for _ in $(seq "$settle_tries"); do
		got=$(state)
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	printf '%s\n' "$got"
}
