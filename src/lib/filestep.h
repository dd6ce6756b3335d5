/*
 * File steps of a plan (driverctl's overrides, mdevctl's definitions,
 * chzdev's rules): what the path was is recorded (absent, a regular file
 * with its content, mode and owner, a symbolic link with its target, the
 * directories the step made) and the undo puts exactly that back, if the
 * path is still what the step left. No write follows a symbolic link below
 * the area's directory: each directory is opened relative to the one
 * above it without following one, the file is written as a new file
 * beside it and renamed into place.
 */
#ifndef VIRT_MDEV_FILESTEP_H
#define VIRT_MDEV_FILESTEP_H

#include "plan.h"

/* At plan time: record what the path is now, for the dry run (s->file). 0 or -ENOMEM. */
int filestep_plan(const struct sysfs *sysfs, struct step *s);
/* Run the step: 0, or -errno with *why (malloc'ed) saying what and why. */
int filestep_run(const struct sysfs *sysfs, struct step *s, char **why);
/*
 * Undo a step that ran: 0, or -errno with *why; a path that is no longer
 * what the step left (another program changed it) is left as it is
 * (-ESTALE, -EEXIST), and *why says so.
 */
int filestep_undo(const struct sysfs *sysfs, struct step *s, char **why);
/* The shell commands that do the same as the step and its undo (caller frees; NULL: none or ENOMEM). */
char *filestep_command(const struct sysfs *sysfs, const struct step *s);
char *filestep_undo_command(const struct sysfs *sysfs, const struct step *s);
void filestep_free(struct file_record *f);

/*
 * For the journal (src/lib/journal.h). filestep_prior: read what the path
 * is now into the step, before the journal records the step and it runs; 0
 * or -errno. filestep_present: 0 while the step's change is there (a put:
 * the file holds what it wrote, the same inode when known; a delete: the
 * path is absent), -ESTALE with *why when not, -ENODATA when it cannot
 * tell. filestep_leftovers_remove: what a put killed before its rename left
 * (its temporary file beside the path, the directories it made while
 * empty). filestep_to_json/_from_json: the step's recorded state as the
 * journal keeps it ({"type": "absent"|"file"|"link", "content", "target",
 * "mode", "uid", "gid", "would_make", "made", "dev", "ino", "removed_dir"...});
 * _from_json refuses (-EINVAL) a state that names directories outside the
 * step's own path.
 */
int filestep_prior(const struct sysfs *sysfs, struct step *s);
int filestep_present(const struct sysfs *sysfs, const struct step *s,
		     char **why);
void filestep_leftovers_remove(const struct sysfs *sysfs, const struct step *s);
struct json_object *filestep_to_json(const struct step *s);
int filestep_from_json(const struct sysfs *sysfs, struct step *s,
		       struct json_object *o);

#endif
