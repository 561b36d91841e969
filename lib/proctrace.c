/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The public API: argument checks, the handle's state machine
 * (opened -> started -> closed) and delivery of decoded events to the
 * caller's callback.  Everything that touches the kernel is in
 * bpf_backend.c.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal.h"

PROCTRACE_API uint32_t proctrace_version(void)
{
	return (PROCTRACE_VERSION_MAJOR_NUM << 16) |
	       (PROCTRACE_VERSION_MINOR_NUM << 8) | PROCTRACE_VERSION_PATCH_NUM;
}

PROCTRACE_API const char *proctrace_version_string(void)
{
	return PROCTRACE_VERSION_STRING;
}

PROCTRACE_API struct proctrace *proctrace_open(proctrace_event_fn cb, void *ctx,
					       const struct proctrace_opts *opts)
{
	const char *btf_path;
	struct proctrace *pt;

	if (!cb) {
		pt_warn("proctrace_open: the event callback is NULL; pass a function "
			"that receives the events");
		return pt_err_ptr(-EINVAL);
	}
	if (!PT_OPTS_VALID(opts, proctrace_opts))
		return pt_err_ptr(-EINVAL);

	pt = calloc(1, sizeof(*pt));
	if (!pt) {
		pt_warn("proctrace_open: out of memory");
		return pt_err_ptr(-ENOMEM);
	}
	pt->cb = cb;
	pt->cb_ctx = ctx;
	pt->min_duration_ns = PT_OPTS_GET(opts, min_duration_ns, 0);

	btf_path = PT_OPTS_GET(opts, btf_path, NULL);
	if (btf_path) {
		pt->btf_path = strdup(btf_path);
		if (!pt->btf_path) {
			free(pt);
			pt_warn("proctrace_open: out of memory");
			return pt_err_ptr(-ENOMEM);
		}
	}
	return pt;
}

PROCTRACE_API int proctrace_set_min_duration(struct proctrace *pt,
					     uint64_t min_duration_ns)
{
	if (!pt) {
		pt_warn("proctrace_set_min_duration: handle is NULL");
		return pt_err(-EINVAL);
	}
	if (pt->backend) {
		pt_warn("proctrace_set_min_duration: the session is already started; "
			"set the minimum duration before proctrace_start()");
		return pt_err(-EBUSY);
	}
	pt->min_duration_ns = min_duration_ns;
	return 0;
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct proctrace *pt = ctx;
	struct proctrace_event ev;
	int ret;

	if (pt_decode_record(data, size, pt->realtime_offset_ns, &ev) < 0) {
		/* Only a mismatched BPF object could send this: a bug of ours. */
		pt_warn("dropped a malformed record of %zu bytes from the kernel "
			"(a libproctrace bug; please report it)", size);
		return 0;
	}
	pt->delivered++;
	ret = pt->cb(&ev, pt->cb_ctx);
	if (ret) {
		pt->stopped = true;
		pt->stop_value = ret;
		/* Any negative value makes the backend stop draining. */
		return -ECANCELED;
	}
	return 0;
}

PROCTRACE_API int proctrace_start(struct proctrace *pt)
{
	struct pt_backend_params params;
	int err;

	if (!pt) {
		pt_warn("proctrace_start: handle is NULL");
		return pt_err(-EINVAL);
	}
	if (pt->backend) {
		pt_warn("proctrace_start: the session is already started");
		return pt_err(-EALREADY);
	}
	memset(&params, 0, sizeof(params));
	params.min_duration_ns = pt->min_duration_ns;
	params.btf_path = pt->btf_path;
	params.on_record = on_record;
	params.ctx = pt;
	err = pt_backend_start(&params, &pt->backend);
	if (err) {
		pt->backend = NULL;
		return pt_err(err);
	}
	return 0;
}

/* The check shared by the calls that need a started session. */
static int check_started(const struct proctrace *pt, const char *fn)
{
	if (!pt) {
		pt_warn("%s: handle is NULL", fn);
		return pt_err(-EINVAL);
	}
	if (!pt->backend) {
		pt_warn("%s: the session is not started; call proctrace_start() first",
			fn);
		return pt_err(-EINVAL);
	}
	return 0;
}

PROCTRACE_API int proctrace_poll(struct proctrace *pt, int timeout_ms)
{
	int err;

	err = check_started(pt, __func__);
	if (err)
		return err;

	pt->realtime_offset_ns = pt_realtime_offset_ns();
	pt->delivered = 0;
	pt->stopped = false;
	err = pt_backend_poll(pt->backend, timeout_ms);
	if (pt->stopped) {
		if (pt->stop_value < 0)
			errno = -pt->stop_value;
		return pt->stop_value;
	}
	if (err < 0) {
		/* A signal is the caller's business, not a failure to report. */
		if (err != -EINTR)
			pt_warn("proctrace_poll: waiting for events failed: %s",
				strerror(-err));
		return pt_err(err);
	}
	return pt->delivered;
}

PROCTRACE_API int proctrace_fd(const struct proctrace *pt)
{
	int err = check_started(pt, __func__);

	if (err)
		return err;
	return pt_backend_fd(pt->backend);
}

PROCTRACE_API void proctrace_close(struct proctrace *pt)
{
	int saved_errno = errno;

	if (!pt)
		return;
	pt_backend_destroy(pt->backend);
	free(pt->btf_path);
	free(pt);
	errno = saved_errno;
}
