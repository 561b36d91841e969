/* SPDX-License-Identifier: BSD-2-Clause */
/* Events into the systemd journal: see journal.h. */
#define _GNU_SOURCE
#include "journal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBSYSTEMD
#include <ctype.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "fields.h"
#include "format.h"
#include "strescape.h"

/* Where journald listens for native entries (systemd-journald.service(8)). */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* syslog(3)'s levels, which journald's PRIORITY takes. */
#define PRIORITY_WARNING 4
#define PRIORITY_NOTICE 5
#define PRIORITY_INFO 6
#define PRIORITY_DEBUG 7

/* Fixed for ever: what journalctl MESSAGE_ID=... and catalogs match. */
#define ID_START "beabfaba8db64fbdb5c9c4a28950b934"
#define ID_LOST "0c7a8f81740c480d877026a511923dd7"

static const char *message_id(uint32_t type)
{
	switch (type) {
	case PROCTRACE_EVENT_EXEC: return "40d2fe30c09b497096e800f990fe69eb";
	case PROCTRACE_EVENT_EXIT: return "7124474d4d3c4aabbb6ae130666e0f45";
	case PROCTRACE_EVENT_EXEC_FAILED: return "6908ba1657044976b375e406bc0e2711";
	case PROCTRACE_EVENT_FORK: return "dbb31572b2884d32a75a36b766e99003";
	case PROCTRACE_EVENT_PROCESS: return "34fab46d56f441c9b59be7fb88b4eb71";
	default: return NULL;
	}
}

static int priority(const struct proctrace_event *e)
{
	switch (e->type) {
	case PROCTRACE_EVENT_EXIT:
		if (e->signal)
			return PRIORITY_WARNING;
		return e->exit_code ? PRIORITY_NOTICE : PRIORITY_INFO;
	case PROCTRACE_EVENT_EXEC_FAILED:
		return PRIORITY_NOTICE;
	case PROCTRACE_EVENT_FORK:
		return PRIORITY_DEBUG;
	default:
		return PRIORITY_INFO;
	}
}

int journal_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET };
	int fd, err = 0;

	/*
	 * sd_journal_sendv() drops entries silently while the socket is
	 * missing: see for ourselves that someone listens.
	 */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (!err)
		err = sd_journal_send("MESSAGE=bootstrap-cli: tracing starts",
				      "MESSAGE_ID=" ID_START, "PRIORITY=6",
				      "SYSLOG_IDENTIFIER=bootstrap-cli", NULL);
	if (err)
		fprintf(stderr, "bootstrap-cli: cannot send events to the journal "
			"(" JOURNAL_SOCKET "): %s; is systemd-journald running?\n",
			strerror(-err));
	return err;
}

/* A field's place in the entry's buffer, and whether to unquote it. */
struct piece {
	size_t start, value, end;
	int quoted;
};

/* Upper case: journal field names are A-Z, 0-9 and '_'. */
static void put_field_name(FILE *out, const char *key)
{
	fputs("PROCTRACE_", out);
	for (; *key; key++)
		fputc(toupper((unsigned char)*key), out);
	fputc('=', out);
}

int journal_send_event(const struct proctrace_event *e)
{
	/* Room for every field of the table and the 4 of our own. */
	const size_t room = cli_fields_count + 4;
	struct piece *pieces = calloc(room, sizeof(*pieces));
	struct iovec *iov = calloc(room, sizeof(*iov));
	size_t i, n = 0, len = 0;
	const char *id = message_id(e->type);
	char *buf = NULL;
	FILE *mem = NULL;
	int err;

	if (pieces && iov)
		mem = open_memstream(&buf, &len);
	if (!mem) {
		free(pieces);
		free(iov);
		return -ENOMEM;
	}
	/* The readable line: "EXIT true[1234]: [0] (1ms)". */
	pieces[n].start = (size_t)ftell(mem);
	fprintf(mem, "MESSAGE=%s ", cli_type_name(e->type, 1));
	strescape_text(mem, e->comm);
	fprintf(mem, "[%" PRId32 "]: ", e->pid);
	format_details(mem, e);
	pieces[n++].end = (size_t)ftell(mem);
	pieces[n].start = (size_t)ftell(mem);
	fprintf(mem, "PRIORITY=%d", priority(e));
	pieces[n++].end = (size_t)ftell(mem);
	pieces[n].start = (size_t)ftell(mem);
	fputs("SYSLOG_IDENTIFIER=bootstrap-cli", mem);
	pieces[n++].end = (size_t)ftell(mem);
	if (id) {
		pieces[n].start = (size_t)ftell(mem);
		fprintf(mem, "MESSAGE_ID=%s", id);
		pieces[n++].end = (size_t)ftell(mem);
	}
	for (i = 0; i < n; i++)
		pieces[i].quoted = 0;
	/* Every JSON key, in the JSON's order (fields.c). */
	for (i = 0; i < cli_fields_count; i++) {
		const struct cli_field *f = &cli_fields[i];

		if (!cli_field_present(f, e))
			continue;
		pieces[n].start = (size_t)ftell(mem);
		put_field_name(mem, f->key);
		pieces[n].value = (size_t)ftell(mem);
		format_json_value(mem, e, f);
		pieces[n].end = (size_t)ftell(mem);
		pieces[n].quoted = f->kind == CLI_TYPE || f->kind == CLI_TEXT ||
				   f->kind == CLI_STRING || f->kind == CLI_ERRNO_NAME;
		n++;
	}
	if (fclose(mem)) {
		free(buf);
		free(pieces);
		free(iov);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct piece *p = &pieces[i];

		iov[i].iov_base = buf + p->start;
		iov[i].iov_len = p->end - p->start;
		/* "KEY=\"value\"" -> "KEY=value": the quotes are JSON's, not the value's. */
		if (p->quoted) {
			memmove(buf + p->value, buf + p->value + 1, p->end - p->value - 2);
			iov[i].iov_len -= 2;
		}
	}
	err = sd_journal_sendv(iov, (int)n);
	free(buf);
	free(pieces);
	free(iov);
	return err;
}

int journal_send_lost(uint64_t timestamp_ns, uint64_t ring_full, uint64_t other,
		      uint64_t malformed)
{
	return sd_journal_send("MESSAGE=bootstrap-cli: lost %" PRIu64 " events "
			       "(ring buffer full: %" PRIu64 ", other: %" PRIu64
			       ", malformed: %" PRIu64 ")",
			       ring_full + other + malformed, ring_full, other, malformed,
			       "MESSAGE_ID=" ID_LOST, "PRIORITY=4",
			       "SYSLOG_IDENTIFIER=bootstrap-cli",
			       "PROCTRACE_TYPE=lost",
			       "PROCTRACE_TIMESTAMP_NS=%" PRIu64, timestamp_ns,
			       "PROCTRACE_COUNT=%" PRIu64, ring_full + other + malformed,
			       "PROCTRACE_RING_FULL=%" PRIu64, ring_full,
			       "PROCTRACE_OTHER=%" PRIu64, other,
			       "PROCTRACE_MALFORMED=%" PRIu64, malformed, NULL);
}

#else /* !HAVE_LIBSYSTEMD */

int journal_open(void)
{
	fprintf(stderr, "bootstrap-cli: --journal was not built in (build with "
		"libsystemd: apt-get install libsystemd-dev, meson -Djournal=enabled)\n");
	return -ENOTSUP;
}

int journal_send_event(const struct proctrace_event *e)
{
	(void)e;
	return -ENOTSUP;
}

int journal_send_lost(uint64_t timestamp_ns, uint64_t ring_full, uint64_t other,
		      uint64_t malformed)
{
	return -ENOTSUP;
}

#endif
