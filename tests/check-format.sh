#!/bin/bash
# The C sources are formatted as .clang-format says ("make format" fixes them).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

cf=${CLANG_FORMAT:-clang-format}
if [ "$cf" = no ] || ! command -v "$cf" >/dev/null 2>&1; then
	skip_all "clang-format is not installed (apt-get install clang-format)"
fi
cd "$top_srcdir" || exit 1
files=$(find src tests -name '*.[ch]' | sort)
ok "$([ -n "$files" ]; echo $?)" "there are C sources to check"
# clang-format's layout is not the same from one major version to the next: the tree's is what
# both 14 (Debian 12) and 19 (Debian 13) produce (the few lines they would lay out otherwise are
# written so that they agree, or marked clang-format off). Another version is not judged: the
# check says so and lists what it would change.
checked="14 19"
have=$("$cf" --version | sed -n 's/.*clang-format version \([0-9][0-9]*\).*/\1/p')
case " $checked " in
*" $have "*) ;;
*)
	other=""
	for f in $files; do
		"$cf" --dry-run -Werror --style=file "$f" >/dev/null 2>&1 || other="$other $f"
	done
	ok 0 "the layout is checked with clang-format $checked; this is clang-format '$have'"
	[ -n "$other" ] && echo "# clang-format $have would lay out these otherwise:$other"
	done_testing
	exit
	;;
esac
for f in $files; do
	if "$cf" --dry-run -Werror --style=file "$f" >/dev/null 2>&1; then
		ok 0 "$f is formatted"
	else
		ok 1 "$f is formatted (run 'make format')"
		"$cf" --style=file "$f" | diff -u "$f" - | head -20 | sed 's/^/# /'
	fi
done

done_testing
