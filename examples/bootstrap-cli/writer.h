/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bootstrap-cli's writes, which a stop can cut short.
 *
 * A write to a pipe whose reader is slow or stopped blocks, for ever if
 * the reader never reads.  A write here is retried until it is complete,
 * unless the caller's give_up() says otherwise: it is asked each time a
 * write returns short or interrupted by a signal (after SIGINT or SIGTERM
 * a timer interrupts it regularly: command_tick_on_stop()).
 *
 * The events' stream counts the event lines that reached the descriptor
 * whole, so that the caller can tell how many it formatted were not
 * written, and say so.
 *
 * Into a file it can rotate: once the file holds @rotate_size bytes, at
 * the end of the line that reached them (never within a line), FILE.N-1
 * is renamed FILE.N, ..., FILE FILE.1, and a new FILE is created; at most
 * @rotate_keep old files are kept.  writer_reopen() reopens FILE after
 * something else moved it (logrotate).
 */
#ifndef BOOTSTRAP_CLI_WRITER_H
#define BOOTSTRAP_CLI_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* True to stop retrying a write now. */
typedef bool (*writer_give_up_fn)(void *ctx);

struct writer {
	int fd;
	bool close_fd;
	writer_give_up_fn give_up;
	void *ctx;
	/* Gave up: every later byte is dropped, not written. */
	bool gave_up;
	/* Lines that are not events start with this (JSON lost records, the table's header). */
	const char *other_prefix;
	/* Lines written whole, and how many of them start with @other_prefix. */
	uint64_t lines, other_lines;
	/* The start of the line being written, as far as needed for the prefix. */
	size_t head_len;
	char head[16];
	/* The file (NULL: standard output); 0: never rotated. */
	const char *path;
	uint64_t rotate_size;
	unsigned int rotate_keep;
	/* Bytes in the file now; the last byte written ended no line. */
	uint64_t size;
	bool mid_line;
	/* The last rotation failed with this errno (said once on stderr). */
	int rotate_errno;
};

/*
 * Writes @size bytes of @buf to @fd, waiting as long as it takes unless
 * @give_up(@ctx) returns true.  Returns the bytes written (fewer once it
 * gave up), or -1 with errno set on a write error other than EINTR and
 * EAGAIN.
 */
ssize_t writer_write_all(int fd, const void *buf, size_t size,
			 writer_give_up_fn give_up, void *ctx);

/*
 * A fully buffered stdio stream on @path (created or truncated), or on
 * standard output if @path is NULL, that writes through
 * writer_write_all() with @w's give_up and counts lines into @w.  Once it
 * gave up it drops what it is given without an error: the lines formatted
 * minus those written whole are what was not written.  A write error is a
 * stream error (ferror()).  NULL with errno set if @path cannot be opened.
 */
FILE *writer_open(struct writer *w, const char *path);

/*
 * Opens @w's file again, appending (created if it was moved away), and
 * writes there from now on.  Call it with the stream flushed, so at a line
 * boundary.  Returns 0, or -errno with the old file kept.
 */
int writer_reopen(struct writer *w);

/* The event lines written whole so far. */
uint64_t writer_events_written(const struct writer *w);

#endif
