#!/bin/bash
# The CLI frame as a user meets it: help, version, bad usage (one line, a hint, exit 2), JSON errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

run "$VIRT_MDEV" --help
is "$rc" 0 "--help exits 0"
help_out=$out
is "$(printf '%s\n' "$out" | sed -n 1p)" "Usage: virt-mdev [OPTIONS] COMMAND [ARGS]" "--help prints the synopsis on stdout, first"
has_line "$out" '  help \[COMMAND\] +show the list of commands, or the usage of one command' "--help lists the help command"
is "$(printf '%s\n' "$out" | sed -n '/^Exit codes:/,+1p')" "Exit codes: 0 ok, 1 failed (rolled back), 2 usage or bad input, 3 not found,
4 refused by a check, 5 failed and rollback incomplete." "--help lists the exit codes"
is "$err" "" "--help prints nothing on stderr"
if printf '%s\n' "$out" | grep -q '__complete'; then ok 1 "hidden commands are not listed"; else ok 0 "hidden commands are not listed"; fi

run "$VIRT_MDEV" -h
is "$rc" 0 "-h exits 0"
is "$out" "$help_out" "-h prints the help (the same as --help)"

run "$VIRT_MDEV" -V
is "$rc" 0 "-V exits 0"
like "$out" 'virt-mdev [0-9]+\.[0-9]+\.[0-9]+' "-V prints the name and version, and nothing else"
run "$VIRT_MDEV" --version
like "$out" 'virt-mdev [0-9]+\.[0-9]+\.[0-9]+' "--version prints the version, and nothing else"

run "$VIRT_MDEV"
is "$rc" 2 "no command is a usage error (exit 2)"
is "$out" "" "no command prints nothing on stdout"
is "$err" "virt-mdev: no command given
Try 'virt-mdev --help'." "no command: one line and the hint"

run "$VIRT_MDEV" frobnicate
is "$rc" 2 "an unknown command is exit 2"
is "$err" "virt-mdev: unknown command 'frobnicate'
Try 'virt-mdev --help'." "an unknown command is named"

run "$VIRT_MDEV" --bogus help
is "$rc" 2 "an unknown long option is exit 2"
is "$err" "virt-mdev: unknown option '--bogus'
Try 'virt-mdev --help'." "an unknown long option is named"

run "$VIRT_MDEV" -x help
is "$rc" 2 "an unknown short option is exit 2"
is "$err" "virt-mdev: unknown option '-x'
Try 'virt-mdev --help'." "an unknown short option is named"

run "$VIRT_MDEV" help --root
is "$rc" 2 "a global option after the command is not taken as global"
run "$VIRT_MDEV" --root
is "$rc" 2 "an option without its value is exit 2"
is "$err" "virt-mdev: option '--root' needs a value
Try 'virt-mdev --help'." "a missing value names the option"

run "$VIRT_MDEV" -c
is "$err" "virt-mdev: option '-c' needs a value
Try 'virt-mdev --help'." "a missing value of a short option names it"

run "$VIRT_MDEV" --backend mdevctl help
is "$rc" 2 "an unknown backend is exit 2"
is "$err" "virt-mdev: invalid backend 'mdevctl': must be auto, libvirt or sysfs
Try 'virt-mdev --help'." "an unknown backend is named with the accepted values"
for b in auto libvirt sysfs; do
	run "$VIRT_MDEV" --backend "$b" help
	is "$rc" 0 "backend $b is accepted"
done

run "$VIRT_MDEV" -q -v help
is "$rc" 2 "-q with -v is exit 2"
is "$err" "virt-mdev: options -q/--quiet and -v/--verbose exclude each other
Try 'virt-mdev --help'." "-q with -v says they exclude each other"
run "$VIRT_MDEV" -q help
is "$rc" 0 "-q alone is fine"
run "$VIRT_MDEV" -vv help
is "$rc" 0 "-v may be repeated"

run "$VIRT_MDEV" --root /nonexistent/virt-mdev-root help
is "$rc" 2 "a missing --root is exit 2"
is "$err" "virt-mdev: cannot use root '/nonexistent/virt-mdev-root' (--root): No such file or directory (it must be an existing directory holding sys/)" \
	"a missing --root is named with the rule"
tmp=$(mktemp -d)
run "$VIRT_MDEV" --root "$tmp" help
is "$rc" 0 "an existing --root is accepted"
rmdir "$tmp"
run env VIRT_MDEV_ROOT=/nonexistent "$VIRT_MDEV" help
is "$rc" 0 "VIRT_MDEV_ROOT is read only by commands that use the host"

run "$VIRT_MDEV" help help
is "$rc" 0 "help help exits 0"
is "$out" "Usage: virt-mdev [OPTIONS] help [COMMAND]

show the list of commands, or the usage of one command.

Without COMMAND, the same as 'virt-mdev --help'.
'virt-mdev COMMAND --help' shows the same as 'virt-mdev help COMMAND'.

Global options are listed by 'virt-mdev --help'; see virt-mdev(8)." "help help prints help's usage"
help_help=$out
run "$VIRT_MDEV" help --help
is "$out" "$help_help" "help --help prints help's usage"
run "$VIRT_MDEV" help
is "$rc" 0 "help without a command exits 0"
is "$out" "$help_out" "help without a command prints the general help (the same as --help)"
run "$VIRT_MDEV" help nosuch
is "$rc" 2 "help of an unknown command is exit 2"
is "$err" "virt-mdev: help: unknown command 'nosuch' (the commands are listed by 'virt-mdev --help')
Try 'virt-mdev help help'." "help of an unknown command names it and points to help's usage"
run "$VIRT_MDEV" help help help
is "$rc" 2 "help with two names is exit 2"
is "$err" "virt-mdev: help: too many arguments: help takes at most one command name
Try 'virt-mdev help help'." "too many arguments are named"
run "$VIRT_MDEV" help --bogus
is "$err" "virt-mdev: help: unknown option '--bogus' for help
Try 'virt-mdev help help'." "an unknown command option is named"

# JSON: errors as one document on stdout, the line still on stderr
run "$VIRT_MDEV" --json --backend nope help
is "$rc" 2 "--json usage error is exit 2"
is "$(printf '%s' "$out" | jq -r '.error.message')" "invalid backend 'nope': must be auto, libvirt or sysfs" "--json prints the error message in JSON"
is "$(printf '%s' "$out" | jq -r '.error.exit_code')" 2 "--json error carries the exit code"
is "$(printf '%s' "$out" | jq -r '.error.kind')" usage "--json error carries the kind"
is "$(printf '%s' "$out" | jq -r '.error.errno')" EINVAL "--json error carries the errno name"
is "$err" "virt-mdev: invalid backend 'nope': must be auto, libvirt or sysfs
Try 'virt-mdev --help'." "--json still prints the line (and the hint) on stderr"
run "$VIRT_MDEV" -j --root /nonexistent help
is "$(printf '%s' "$out" | jq -r '.error.errno')" ENOENT "--json names ENOENT for a missing root"

# __complete, for the completion script
run "$VIRT_MDEV" __complete commands
is "$rc" 0 "__complete commands exits 0"
is "$out" "list
show
ccw
ap
create
start
stop
remove
validate
xml
attach
detach
assign
unassign
recover
plan
apply
export
help" "__complete commands lists the visible commands"
run "$VIRT_MDEV" __complete backends
is "$out" "auto
libvirt
sysfs" "__complete backends lists the backends"
run "$VIRT_MDEV" __complete nonsense
is "$rc" 2 "__complete of something unknown is exit 2"
is "$err" "virt-mdev: __complete: cannot complete 'nonsense': expected one of: commands, backends, kinds, models, formats, valued, ccw, apqns, mdevs, parents, ids, domains
Try 'virt-mdev help __complete'." "__complete names what it cannot complete"

# bad usage is said before libvirt is asked: an unreachable URI does not hide it
run "$VIRT_MDEV" -c qemu+tcp://127.0.0.2:1/system assign guest pci
is "$rc.$err" "2.virt-mdev: assign: unknown kind 'pci' (expected ccw or ap)
Try 'virt-mdev help assign'." "assign with an unknown kind: the usage error, not libvirt's"
run "$VIRT_MDEV" -c qemu+tcp://127.0.0.2:1/system assign nosuchdomain ccw 0.0.2b09 --adapters 5
is "$rc.$err" "2.virt-mdev: --adapters, --domains and --control-domains are for assign DOMAIN ap
Try 'virt-mdev help assign'." "assign with another kind's options: the usage error, before the domain is looked up"
run "$VIRT_MDEV" -c qemu+tcp://127.0.0.2:1/system attach guest nope
is "$rc.$err" "2.virt-mdev: invalid uuid 'nope': expected 8-4-4-4-12 hex digits (write it as e.g. 90c6c135-ad44-41d0-b1b7-bae47de48627, or leave it out to have one generated)
Try 'virt-mdev help attach'." "attach with a bad uuid: the usage error, not libvirt's"
run "$VIRT_MDEV" __complete options ccw unbind
is "$out" "--persistent
--help" "__complete options gives an action's options from its table"
run "$VIRT_MDEV" __complete kinds
is "$out" "ccw
ap" "__complete kinds lists the device kinds"

done_testing
