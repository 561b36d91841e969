/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A stand-in for the lib/bpf_*.c files, so that the unit tests exercise the
 * library's logic without privileges or a kernel.  The test queues raw
 * records; pt_backend_poll() hands them to the library the way libbpf's
 * ring buffer would, including stopping at a negative callback return.
 */
#include <stdlib.h>
#include <string.h>

#include "fake-backend.h"

struct pt_backend {
	pt_record_fn on_record;
	void *ctx;
};

struct fake_backend_state fake;

static struct pt_backend fake_instance;

void fake_backend_reset(void)
{
	size_t i;

	for (i = 0; i < fake.n_records; i++)
		free(fake.records[i].data);
	memset(&fake, 0, sizeof(fake));
}

void fake_backend_queue(const void *data, size_t size)
{
	struct fake_record *r = &fake.records[fake.n_records++];

	r->data = malloc(size ? size : 1);
	memcpy(r->data, data, size);
	r->size = size;
}

int pt_backend_start(const struct pt_backend_params *params,
		     struct pt_backend **out)
{
	fake.start_calls++;
	fake.last_params = *params;
	if (fake.start_result) {
		*out = NULL;
		return fake.start_result;
	}
	fake_instance.on_record = params->on_record;
	fake_instance.ctx = params->ctx;
	fake.live = true;
	*out = &fake_instance;
	return 0;
}

int pt_backend_poll(struct pt_backend *b, int timeout_ms, unsigned int max_records)
{
	int seen = 0, err;

	fake.last_timeout_ms = timeout_ms;
	fake.last_max_records = max_records;
	if (fake.poll_result)
		return fake.poll_result;
	while (fake.next_record < fake.n_records) {
		struct fake_record *r = &fake.records[fake.next_record++];

		seen++;
		err = b->on_record(b->ctx, r->data, r->size);
		if (err < 0)
			return err;
		if (max_records && (unsigned int)seen == max_records)
			break;	/* the rest stays queued for the next poll */
	}
	return seen;
}

int pt_backend_fd(const struct pt_backend *b)
{
	return FAKE_BACKEND_FD;
}

void pt_backend_destroy(struct pt_backend *b)
{
	if (b) {
		fake.destroy_calls++;
		fake.live = false;
	}
}

int pt_backend_losses(const struct pt_backend *b, struct pt_backend_losses *out)
{
	(void)b;
	out->ring_full = fake.lost_ring_full;
	out->other = fake.lost_other;
	return fake.losses_result;
}

uint32_t pt_backend_features(const struct pt_backend *b, uint32_t *degraded)
{
	(void)b;
	*degraded = fake.degraded;
	return fake.active;
}
