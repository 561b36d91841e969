/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bootstrap-cli --journal: each event as one entry of the systemd journal,
 * sent with the native protocol (sd_journal_sendv()).
 *
 * An entry has a MESSAGE_ID per event type, a PRIORITY (an exit with a
 * non-zero code or by a signal ranks above a clean one), a MESSAGE that
 * reads like a table row, and every JSON key of the event (fields.c) as a
 * field PROCTRACE_<KEY>, its value the JSON value's text: a string
 * without its quotes and escaped as in JSON (so printable UTF-8, one
 * line), the arguments as one JSON array.
 *
 * Built only with libsystemd (meson option 'journal'); without it every
 * call fails with -ENOTSUP and journal_open() says it was not built in.
 */
#ifndef BOOTSTRAP_CLI_JOURNAL_H
#define BOOTSTRAP_CLI_JOURNAL_H

#include <stdint.h>

#include <proctrace/proctrace.h>

/*
 * Checks that journald takes entries (its socket is there and accepts),
 * and sends an entry saying tracing starts.  Returns 0, or -errno after
 * saying why on stderr.
 */
int journal_open(void);

/* One event as one entry.  0, or -errno: the entry was not sent. */
int journal_send_event(const struct proctrace_event *e);

/* A record of events lost (like the JSON "lost" record).  0 or -errno. */
int journal_send_lost(uint64_t timestamp_ns, uint64_t ring_full, uint64_t other,
		      uint64_t malformed);

#endif
