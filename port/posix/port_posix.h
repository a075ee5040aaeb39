/* The POSIX (Linux: OpenWrt, Buildroot, desktop) port. */
#ifndef ACMELET_PORT_POSIX_H
#define ACMELET_PORT_POSIX_H

#include "port.h"

struct port_posix {
	struct port base;     /* must be first */
	int64_t trusted_after; /* wall clock is trusted at or after this time */
	char run_dir[256];     /* port_runtime_dir's answer */
};

/* Initialise the POSIX port. The wall clock is trusted once it is later
 * than the build date (a router without RTC boots in 1970 until NTP). */
void port_posix_init(struct port_posix *pp);

#endif
