/* SPDX-License-Identifier: BSD-2-Clause */
/* Control panel of tests/fake-backend.c for the unit tests. */
#ifndef PROCTRACE_FAKE_BACKEND_H
#define PROCTRACE_FAKE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"

#define FAKE_BACKEND_FD 1234
#define FAKE_MAX_RECORDS 16

struct fake_record {
	void *data;
	size_t size;
};

struct fake_backend_state {
	int start_result;	/* what pt_backend_start() returns */
	int poll_result;	/* if non-zero, what pt_backend_poll() returns */
	int start_calls;
	int destroy_calls;
	bool live;		/* started and not yet destroyed */
	int last_timeout_ms;
	unsigned int last_max_records;
	struct pt_backend_params last_params;
	struct fake_record records[FAKE_MAX_RECORDS];
	size_t n_records;
	size_t next_record;
	/* What pt_backend_losses() reports. */
	uint64_t lost_ring_full;
	uint64_t lost_other;
	int losses_result;
	/* What pt_backend_features() reports. */
	uint32_t active;
	uint32_t degraded;
};

extern struct fake_backend_state fake;

void fake_backend_reset(void);
/* Queue one raw record (copied) for the next pt_backend_poll(). */
void fake_backend_queue(const void *data, size_t size);

#endif /* PROCTRACE_FAKE_BACKEND_H */
