#!/bin/bash
# Every command of the table is in the man page, in --help and offered by the bash completion.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# the table, read from the sources: the &cmd_X entries of cmd_table and each X's .name
table=$(sed -n '/^const struct cmd \*const cmd_table\[\] = {/,/^};/p' "$top_srcdir/src/virt-mdev.c" |
	grep -o '&cmd_[a-z_]*' | sed 's/^&//')
names=""
for sym in $table; do
	file=$(grep -l "^const struct cmd $sym = {" "$top_srcdir"/src/cmd-*.c)
	name=$(sed -n "/^const struct cmd $sym = {/,/^};/p" "$file" | sed -n 's/^[[:space:]]*\.name = "\(.*\)",$/\1/p')
	hidden=$(sed -n "/^const struct cmd $sym = {/,/^};/p" "$file" | grep -c 'CMD_HIDDEN')
	[ "$hidden" = 0 ] && names="$names $name"
done
names=${names# }
ok "$([ -n "$names" ]; echo $?)" "the command table was read from the sources ($names)"

run "$VIRT_MDEV" __complete commands
is "$(echo $out)" "$names" "the binary's command list is the table's"

help=$("$VIRT_MDEV" --help)
man=$(cat "$top_srcdir/doc/virt-mdev.8")
man_plain=$(sed 's/\\-/-/g' "$top_srcdir/doc/virt-mdev.8")

# completion: run the real completion function in bash, as a user's TAB would
completion_words() {
	bash -c '
		. /usr/share/bash-completion/bash_completion 2>/dev/null
		. "$1/bash-completion/virt-mdev"
		PATH="$2/src:$PATH"
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_virt_mdev virt-mdev "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' completion "$top_srcdir" "$top_builddir" "$@"
}

for name in $names; do
	has_line "$help" "  $name( .*)?" "command '$name' is in --help"
	has_line "$man" "\\.SS \"?$name(( |\").*)?" "command '$name' has a section in virt-mdev(8)"
done

# the completion needs bash-completion (_init_completion): without it these few checks skip
no_completion="bash-completion is not installed (apt-get install bash-completion)"
if [ -r /usr/share/bash-completion/bash_completion ]; then
	offered=$(completion_words virt-mdev "")
	for name in $names; do
		has_line "$offered" "$name" "command '$name' is offered by the completion"
	done
	if printf '%s\n' "$offered" | grep -q '^__'; then ok 1 "hidden commands are not offered"; else ok 0 "hidden commands are not offered"; fi
	is "$(completion_words virt-mdev --backend "")" "auto
libvirt
sysfs" "the completion offers the backends after --backend"
	is "$(completion_words virt-mdev -n --backend sysfs he)" "help" "the completion finds the command after global options"
	is "$(completion_words virt-mdev help "")" "$(printf '%s\n' $names)" "help completes command names"
	is "$(completion_words virt-mdev --dr)" "--dry-run" "the completion offers global options"
else
	for name in $names; do
		skip "$no_completion" "command '$name' is offered by the completion"
	done
	skip "$no_completion" "hidden commands are not offered" "the completion offers the backends after --backend" \
		"the completion finds the command after global options" "help completes command names" \
		"the completion offers global options"
fi

for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT CODES" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	has_line "$man" "\\.SH \"?$section\"?" "virt-mdev(8) has $section"
done
exit_codes=$(sed -n '/^\.SH EXIT CODES/,/^\.SH /p' "$top_srcdir/doc/virt-mdev.8")
for code in 0 1 2 3 4 5; do
	has_line "$exit_codes" "\\.B $code" "virt-mdev(8) documents exit code $code"
done
man_options=$(printf '%s\n' "$man_plain" | sed -n '/^\.SH OPTIONS/,/^\.SH /p')
for opt in connect root backend dry-run json quiet verbose help version; do
	has_line "$help" " +(-[a-zA-Z], )?--$opt( .*)?" "--help documents --$opt (a line of its own)"
	has_line "$man_options" "\\.BR? (-[a-zA-Z] \", \" )?--$opt( .*)?" "virt-mdev(8) documents --$opt (an entry under OPTIONS)"
done

# every option of every command's table (and of each action's): in its man page section, in
# 'virt-mdev help CMD', and offered by the completion after the command (and action)
man_section() { # the .SS sections whose heading starts with the words given
	printf '%s\n' "$man_plain" | awk -v head="$*" '
		/^\.S[SH] / { on = 0 }
		/^\.SS / { h = substr($0, 5); gsub(/"/, "", h); if (index(h, head " ") == 1 || h == head) on = 1 }
		on'
}
for name in $names; do
	actions=$("$VIRT_MDEV" __complete actions "$name")
	usage=$("$VIRT_MDEV" help "$name")
	for action in ${actions:-""}; do
		where="$name${action:+ $action}"
		section=$(man_section $where)
		opts=$("$VIRT_MDEV" __complete options "$name" $action | grep -vx -- --help)
		offered=$(completion_words virt-mdev "$name" ${action:+"$action"} --)
		for opt in $opts; do
			case $'\n'"$section"$'\n' in *"$opt"[!a-z-]*) r=0 ;; *) r=1 ;; esac
			ok "$r" "$where: $opt is in its virt-mdev(8) section"
			case $'\n'"$usage"$'\n' in *"  $opt "*) r=0 ;; *) r=1 ;; esac
			ok "$r" "$where: $opt is in 'virt-mdev help $name'"
			case $'\n'"$offered"$'\n' in *$'\n'"$opt"$'\n'*) r=0 ;; *) r=1 ;; esac
			ok "$r" "$where: $opt is offered by the completion"
		done
	done
done

# virt-mdev-state(5): its sections, every key the parser knows (the key tables of
# src/lib/state.c) as an entry of SCHEMA, and troff that groff formats without a warning
# (tests/unit/test-state parses its EXAMPLE)
state5="$top_srcdir/doc/virt-mdev-state.5"
state5_text=$(cat "$state5")
for section in NAME SYNOPSIS DESCRIPTION SCHEMA VALUES "PERSISTENT AND LIVE" "ITEMS NOT LISTED" EXAMPLE ERRORS FILES "SEE ALSO"; do
	has_line "$state5_text" "\\.SH \"?$section\"?" "virt-mdev-state(5) has $section"
done
state_c="$top_srcdir/src/lib/state.c"
state_keys=$( (sed -n '/^static const char \*const dkey_names\[/,/^};/p' "$state_c"
	sed -n '/^static const char \*const \(top\|guest\|reserve\)_keys\[\] = {/,/};/p' "$state_c") |
	grep -o '"[a-z-]*"' | tr -d '"' | sort -u)
ok "$([ "$(echo $state_keys | wc -w)" -ge 17 ]; echo $?)" "the state file's keys were read from src/lib/state.c ($(echo $state_keys))"
schema=$(sed -n '/^\.SH SCHEMA/,/^\.SH /p' "$state5" | sed 's/\\-/-/g')
for key in $state_keys; do
	has_line "$schema" "\\.B $key" "virt-mdev-state(5) documents the key $key under SCHEMA"
done
is "$(groff -man -ww -z "$state5" 2>&1)" "" "groff formats virt-mdev-state(5) without a warning"
has_line "$(sed -n '/^\.SH SEE ALSO/,$p' "$state5")" "\\.BR virt-mdev \\(8\\),?" "virt-mdev-state(5) refers to virt-mdev(8)"

done_testing
