/*
 * libFuzzer target: virt-mdev-sim run --boot's reading of chzdev's
 * 41-ap.rules, line by line; an assignment it finds, written back as
 * ATTR{KEY}="VALUE" inside LABEL="cfg_ap", reads back the same.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size), *next, *line;
	bool in = false;

	if (!text)
		return 0;
	next = text;
	while ((line = strsep(&next, "\n"))) {
		char *key, *value, again[1200], *k2, *v2;
		bool in2 = true;
		size_t len = strlen(line);

		if (!sim_boot_rule_line(line, &in, &key, &value))
			continue;
		if (!in || strlen(key) + strlen(value) + 9 > len + 1 ||
		    strchr(key, '}'))
			__builtin_trap();
		if (snprintf(again, sizeof(again), "ATTR{%s}=\"%s\"", key,
			     value) >= (int)sizeof(again))
			continue;
		if (!sim_boot_rule_line(again, &in2, &k2, &v2) ||
		    strcmp(k2, key) != 0 || strcmp(v2, value) != 0)
			__builtin_trap();
	}
	free(text);
	return 0;
}
