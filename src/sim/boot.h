/*
 * virt-mdev-sim run --boot: what the platform's udev rules do at coldplug on
 * a real s390 host, done inside run's namespaces with the real programs
 * (virt-mdev-sim(8), BOOT): chzdev's 41-ap.rules, driverctl's override
 * service, mdevctl's start-parent-mdevs. libvirtd's autostart is the
 * daemon's own, when a script starts it afterwards.
 */
#ifndef VIRT_MDEV_SIM_BOOT_H
#define VIRT_MDEV_SIM_BOOT_H

#include <stdbool.h>

/*
 * Run the boot actions in their order, each said on stderr as
 * "virt-mdev-sim: boot: ACTION" (and what failed: a boot goes on past a
 * failed action, as udev does). Returns how many failed.
 */
unsigned sim_boot(void);

/*
 * One line of chzdev's 41-ap.rules (its newline, if any, cut): 1 when it is
 * an ATTR{KEY}="VALUE" assignment inside LABEL="cfg_ap" (*in: whether the
 * lines so far left us there; false at the first line), KEY and VALUE then
 * pointing into line (cut in place); 0 otherwise.
 */
int sim_boot_rule_line(char *line, bool *in, char **key, char **value);

#endif
