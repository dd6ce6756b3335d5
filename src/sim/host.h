/* Host descriptions: the XML that says what a simulated s390 host has (virt-mdev-sim(8), HOST DESCRIPTIONS). */
#ifndef VIRT_MDEV_SIM_HOST_H
#define VIRT_MDEV_SIM_HOST_H

#include "lib/error.h"
#include "model.h"

/*
 * Build the host described by file into a fresh model. kernel, when not NULL,
 * overrides the description's kernel attribute. Errors name the file, the
 * element and the rule.
 */
int host_load(struct model *m, const char *file, const char *kernel,
	      struct vm_error *err);

/* Generate a large host: n subchannels with DASDs, every second one bound
 * to vfio_ccw with an mdev when with_mdevs (for render and benchmarks). */
int host_generate(struct model *m, unsigned nschs, bool with_mdevs,
		  unsigned ap_mdevs, struct vm_error *err);

#endif
