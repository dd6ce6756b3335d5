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
for f in $files; do
	if "$cf" --dry-run -Werror --style=file "$f" >/dev/null 2>&1; then
		ok 0 "$f is formatted"
	else
		ok 1 "$f is formatted (run 'make format')"
		"$cf" --style=file "$f" | diff -u "$f" - | head -20 | sed 's/^/# /'
	fi
done

done_testing
