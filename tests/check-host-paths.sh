#!/bin/bash
# STYLE.md rule 2: only src/lib/sysfs.* (and the simulator) may spell "/sys/".
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# offenders DIR: files under DIR that spell "/sys/", except the allowed ones
offenders() {
	(cd "$1" && grep -rlF '"/sys/' src 2>/dev/null | grep -v -e '^src/lib/sysfs\.' -e '^src/sim/' | sort)
}

found=$(offenders "$top_srcdir")
is "$found" "" "no source file outside src/lib/sysfs.* and src/sim/ spells \"/sys/\""

# the check itself must catch a violation
tmp=$(mktemp -d)
mkdir -p "$tmp/src/lib" "$tmp/src/sim"
printf 'static const char *p = "/sys/bus/css";\n' >"$tmp/src/cmd-bad.c"
printf 'static const char *p = "/sys/bus/css";\n' >"$tmp/src/lib/sysfs.c"
printf 'static const char *p = "/sys/bus/ap";\n' >"$tmp/src/sim/model.c"
is "$(offenders "$tmp")" "src/cmd-bad.c" "a planted \"/sys/\" outside the door is found, the allowed files are not"
rm -rf "$tmp"

done_testing
