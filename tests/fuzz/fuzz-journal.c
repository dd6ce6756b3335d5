/* libFuzzer target: virt-mdev's journal (ROOT/run/virt-mdev/journal.json) as recover reads it, with its progress file: the input is the document, a NUL byte, then the progress file's lines; a journal that parses (its progress applied) loads into a plan of as many steps, or says why not. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t doc = nul ? (size_t)(nul - data) : size;
	char *text = strndup((const char *)data, doc);
	struct journal_doc d;
	struct vm_error err = { 0 };
	/*
	 * offline: a call step never opens a connection here; a file step's
	 * prior state names its paths under a root (filestep_from_json computes
	 * them; a put reads what its path holds now, never writing): "/",
	 * which any machine has
	 */
	static struct sysfs *root;
	struct call_env env = { .offline = true };
	struct plan p;
	int r;

	if (!root && sysfs_new(&root, "/", &err) < 0)
		__builtin_trap();
	env.sysfs = root;
	if (!text)
		return 0;
	r = journal_parse(text, doc, &d, &err);
	/* a refusal always says why, as bad input */
	if (r < 0 && (!err.msg[0] || err.exit != VM_EXIT_USAGE))
		__builtin_trap();
	if (r == 0 && nul) {
		r = journal_parse_progress(&d, (const char *)nul + 1,
					   size - doc - 1, &err);
		if (r < 0 && (!err.msg[0] || err.exit != VM_EXIT_USAGE))
			__builtin_trap();
		if (r < 0)
			journal_doc_clear(&d);
	}
	if (r == 0) {
		plan_init(&p, root);
		vm_error_clear(&err);
		r = journal_plan(&d, &env, &p, &err);
		if ((r < 0 && !err.msg[0]) ||
		    (r == 0 && p.n != json_object_array_length(d.steps)))
			__builtin_trap();
		/* what was loaded writes back */
		for (size_t i = 0; r == 0 && i < p.n; i++)
			json_object_put(
				journal_step_to_json(&p, &p.steps[i], false));
		plan_clear(&p);
		call_env_clear(&env);
		journal_doc_clear(&d);
	}
	free(text);
	return 0;
}
