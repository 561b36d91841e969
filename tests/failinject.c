/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wrappers behind failinject.h.  Each __wrap_NAME decides, by one
 * shared counter, whether this call fails; if not it calls __real_NAME.
 * The list covers what the library, libbpf 1.1 and libelf call that can
 * fail for a reason outside the program: memory, descriptors, mappings,
 * bpf(2) and the other system calls, file opens and reads; and the libbpf
 * functions the library itself calls (a failure there stands for any
 * error libbpf may return).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "failinject.h"

struct fi_state fi;

/* True if libbpf's kernel_supports() is on the stack. */
static bool in_feature_probe(void)
{
	void *frames[64];
	bool found = false;
	Dl_info info;
	int n, i;

	/* backtrace() may allocate: not a call of the library's. */
	fi.armed = false;
	n = backtrace(frames, 64);
	for (i = 0; i < n && !found; i++)
		found = dladdr(frames[i], &info) && info.dli_sname &&
			!strcmp(info.dli_sname, "kernel_supports");
	fi.armed = true;
	return found;
}

/* Counts a fallible call; true if it is the one to fail. */
static bool fail_now(const char *what, int err, void *caller)
{
	if (!fi.armed)
		return false;
	if (++fi.count != fi.fail_at)
		return false;
	fi.injected = true;
	fi.injected_errno = err;
	fi.caller = caller;
	snprintf(fi.what, sizeof(fi.what), "%s", what);
	fi.in_feature_probe = in_feature_probe();
	return true;
}

#define FAIL_NOW(what, err) fail_now((what), (err), __builtin_return_address(0))

/*
 * In a wrapper: if this call is the one to fail, fails it as the real
 * call would, errno set to @err and @failed returned.  A macro, as
 * FAIL_NOW() must see the wrapper's own return address.
 */
#define FAIL_AS(what, err, failed)                   \
	do {                                         \
		if (FAIL_NOW(what, err)) {           \
			errno = (err);               \
			return (failed);             \
		}                                    \
	} while (0)

/* ---- memory ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
int __real_posix_memalign(void **p, size_t align, size_t size);

void *__wrap_malloc(size_t size);
void *__wrap_malloc(size_t size)
{
	FAIL_AS("malloc", ENOMEM, NULL);
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
	FAIL_AS("calloc", ENOMEM, NULL);
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size)
{
	/* realloc(p, 0) frees: not a call that can fail. */
	if (size)
		FAIL_AS("realloc", ENOMEM, NULL);
	return __real_realloc(p, size);
}

char *__wrap_strdup(const char *s);
char *__wrap_strdup(const char *s)
{
	FAIL_AS("strdup", ENOMEM, NULL);
	return __real_strdup(s);
}

int __wrap_posix_memalign(void **p, size_t align, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t size)
{
	if (FAIL_NOW("posix_memalign", ENOMEM))
		return ENOMEM;
	return __real_posix_memalign(p, align, size);
}

/* ---- mappings ---- */

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	FAIL_AS("mmap", ENOMEM, MAP_FAILED);
	return __real_mmap(addr, len, prot, flags, fd, off);
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	FAIL_AS("mmap", ENOMEM, MAP_FAILED);
	return __real_mmap64(addr, len, prot, flags, fd, off);
}

/* ---- system calls through syscall(2): bpf, pidfd_open, capget ---- */

long __real_syscall(long nr, ...);

static void record_object(int fd, enum fi_object kind)
{
	union bpf_attr attr;
	struct bpf_prog_info prog;
	struct bpf_map_info map;
	struct bpf_link_info link;
	void *info = kind == FI_PROG ? (void *)&prog :
		     kind == FI_MAP ? (void *)&map : (void *)&link;
	uint32_t len = kind == FI_PROG ? sizeof(prog) :
		       kind == FI_MAP ? sizeof(map) : sizeof(link);
	int saved = errno;

	memset(&attr, 0, sizeof(attr));
	memset(info, 0, len);
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = len;
	attr.info.info = (uint64_t)(uintptr_t)info;
	if (__real_syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) == 0 &&
	    fi.n_objects < FI_MAX_OBJECTS) {
		fi.objects[fi.n_objects].kind = kind;
		fi.objects[fi.n_objects].id = kind == FI_PROG ? prog.id :
					      kind == FI_MAP ? map.id : link.id;
		fi.n_objects++;
	}
	errno = saved;
}

static const char *bpf_cmd_name(long cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE: return "bpf(BPF_MAP_CREATE)";
	case BPF_MAP_LOOKUP_ELEM: return "bpf(BPF_MAP_LOOKUP_ELEM)";
	case BPF_MAP_UPDATE_ELEM: return "bpf(BPF_MAP_UPDATE_ELEM)";
	case BPF_MAP_FREEZE: return "bpf(BPF_MAP_FREEZE)";
	case BPF_PROG_LOAD: return "bpf(BPF_PROG_LOAD)";
	case BPF_OBJ_GET_INFO_BY_FD: return "bpf(BPF_OBJ_GET_INFO_BY_FD)";
	case BPF_RAW_TRACEPOINT_OPEN: return "bpf(BPF_RAW_TRACEPOINT_OPEN)";
	case BPF_BTF_LOAD: return "bpf(BPF_BTF_LOAD)";
	case BPF_LINK_CREATE: return "bpf(BPF_LINK_CREATE)";
	case BPF_PROG_BIND_MAP: return "bpf(BPF_PROG_BIND_MAP)";
	default: return "bpf(other)";
	}
}

/* How many arguments each system call the library and libbpf make has. */
static int syscall_args(long nr)
{
	switch (nr) {
	case SYS_capget:
	case SYS_capset:
	case SYS_pidfd_open:
		return 2;
	case SYS_bpf:
		return 3;
	case SYS_perf_event_open:
		return 5;
	default:
		return 5;	/* all that can come in registers */
	}
}

long __wrap_syscall(long nr, ...);
long __wrap_syscall(long nr, ...)
{
	long a[6], ret;
	const char *what = "syscall";
	int err = ENOSYS, i;
	va_list ap;

	/*
	 * Read only the arguments the call has: a seventh argument (the
	 * sixth after nr) would come from the caller's stack, past what it
	 * passed, which AddressSanitizer rightly reports.
	 */
	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = i < syscall_args(nr) ? va_arg(ap, long) : 0;
	va_end(ap);

	if (nr == SYS_bpf) {
		what = bpf_cmd_name(a[0]);
		err = ENOMEM;
	} else if (nr == SYS_pidfd_open) {
		what = "pidfd_open";
		err = EMFILE;
	} else if (nr == SYS_capget) {
		what = "capget";
		err = EINVAL;
	}
	FAIL_AS(what, err, -1);
	ret = __real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (fi.armed && nr == SYS_bpf && ret >= 0) {
		if (a[0] == BPF_PROG_LOAD)
			record_object((int)ret, FI_PROG);
		else if (a[0] == BPF_MAP_CREATE)
			record_object((int)ret, FI_MAP);
		else if (a[0] == BPF_RAW_TRACEPOINT_OPEN || a[0] == BPF_LINK_CREATE)
			record_object((int)ret, FI_LINK);
	}
	return ret;
}

/* ---- descriptors and files ---- */

int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fopen64(const char *path, const char *mode);
DIR *__real_opendir(const char *path);
size_t __real_fread(void *p, size_t size, size_t n, FILE *f);
int __real_access(const char *path, int mode);
int __real_epoll_create1(int flags);
int __real_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int __real_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout);
int __real_timerfd_create(int clockid, int flags);
int __real_timerfd_settime(int fd, int flags, const struct itimerspec *new_value,
			   struct itimerspec *old_value);

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ?
	       (mode_t)va_arg(ap, int) : 0;
}

int __wrap_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	FAIL_AS("open", EMFILE, -1);
	return __real_open(path, flags, mode);
}

int __wrap_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	FAIL_AS("open", EMFILE, -1);
	return __real_open64(path, flags, mode);
}

FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode)
{
	FAIL_AS("fopen", EMFILE, NULL);
	return __real_fopen(path, mode);
}

FILE *__wrap_fopen64(const char *path, const char *mode);
FILE *__wrap_fopen64(const char *path, const char *mode)
{
	FAIL_AS("fopen", EMFILE, NULL);
	return __real_fopen64(path, mode);
}

DIR *__wrap_opendir(const char *path);
DIR *__wrap_opendir(const char *path)
{
	FAIL_AS("opendir", EMFILE, NULL);
	return __real_opendir(path);
}

size_t __wrap_fread(void *p, size_t size, size_t n, FILE *f);
size_t __wrap_fread(void *p, size_t size, size_t n, FILE *f)
{
	FAIL_AS("fread", EIO, 0);
	return __real_fread(p, size, n, f);
}

int __wrap_access(const char *path, int mode);
int __wrap_access(const char *path, int mode)
{
	FAIL_AS("access", EACCES, -1);
	return __real_access(path, mode);
}

int __wrap_epoll_create1(int flags);
int __wrap_epoll_create1(int flags)
{
	FAIL_AS("epoll_create1", EMFILE, -1);
	return __real_epoll_create1(flags);
}

int __wrap_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int __wrap_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	FAIL_AS("epoll_ctl", ENOMEM, -1);
	return __real_epoll_ctl(epfd, op, fd, ev);
}

/* A wait fails in practice only when a signal interrupts it. */
int __wrap_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout);
int __wrap_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout)
{
	FAIL_AS("epoll_wait", EINTR, -1);
	return __real_epoll_wait(epfd, evs, max, timeout);
}

int __wrap_timerfd_create(int clockid, int flags);
int __wrap_timerfd_create(int clockid, int flags)
{
	FAIL_AS("timerfd_create", EMFILE, -1);
	return __real_timerfd_create(clockid, flags);
}

int __wrap_timerfd_settime(int fd, int flags, const struct itimerspec *new_value,
			   struct itimerspec *old_value);
int __wrap_timerfd_settime(int fd, int flags, const struct itimerspec *new_value,
			   struct itimerspec *old_value)
{
	FAIL_AS("timerfd_settime", ENOMEM, -1);
	return __real_timerfd_settime(fd, flags, new_value, old_value);
}

/* ---- the libbpf functions the library calls ---- */

int __real_bpf_object__open_skeleton(struct bpf_object_skeleton *s,
				     const struct bpf_object_open_opts *opts);
int __real_bpf_object__load_skeleton(struct bpf_object_skeleton *s);
int __real_bpf_object__attach_skeleton(struct bpf_object_skeleton *s);
int __real_bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries);
int __real_bpf_program__set_autoload(struct bpf_program *prog, bool autoload);
struct ring_buffer *__real_ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb,
					    void *ctx, const struct ring_buffer_opts *opts);
int __real_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
int __real_bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz,
				void *value, size_t value_sz, __u64 flags);
int __real_libbpf_num_possible_cpus(void);

/* libbpf 1.x reports errors as a negative return and errno both. */
#define LIBBPF_FAIL(what, err) FAIL_AS(what, err, -(err))

int __wrap_bpf_object__open_skeleton(struct bpf_object_skeleton *s,
				     const struct bpf_object_open_opts *opts);
int __wrap_bpf_object__open_skeleton(struct bpf_object_skeleton *s,
				     const struct bpf_object_open_opts *opts)
{
	LIBBPF_FAIL("bpf_object__open_skeleton", ENOMEM);
	return __real_bpf_object__open_skeleton(s, opts);
}

/* EINVAL: what the verifier says when it rejects a program. */
int __wrap_bpf_object__load_skeleton(struct bpf_object_skeleton *s);
int __wrap_bpf_object__load_skeleton(struct bpf_object_skeleton *s)
{
	LIBBPF_FAIL("bpf_object__load_skeleton", EINVAL);
	return __real_bpf_object__load_skeleton(s);
}

/* ENOENT: the tracepoint is not there. */
int __wrap_bpf_object__attach_skeleton(struct bpf_object_skeleton *s);
int __wrap_bpf_object__attach_skeleton(struct bpf_object_skeleton *s)
{
	LIBBPF_FAIL("bpf_object__attach_skeleton", ENOENT);
	return __real_bpf_object__attach_skeleton(s);
}

int __wrap_bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries);
int __wrap_bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries)
{
	LIBBPF_FAIL("bpf_map__set_max_entries", EBUSY);
	return __real_bpf_map__set_max_entries(map, max_entries);
}

int __wrap_bpf_program__set_autoload(struct bpf_program *prog, bool autoload);
int __wrap_bpf_program__set_autoload(struct bpf_program *prog, bool autoload)
{
	LIBBPF_FAIL("bpf_program__set_autoload", EBUSY);
	return __real_bpf_program__set_autoload(prog, autoload);
}

struct ring_buffer *__wrap_ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb,
					    void *ctx, const struct ring_buffer_opts *opts);
struct ring_buffer *__wrap_ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb,
					    void *ctx, const struct ring_buffer_opts *opts)
{
	FAIL_AS("ring_buffer__new", ENOMEM, NULL);
	return __real_ring_buffer__new(map_fd, sample_cb, ctx, opts);
}

int __wrap_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
int __wrap_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	LIBBPF_FAIL("bpf_map_update_elem", ENOMEM);
	return __real_bpf_map_update_elem(fd, key, value, flags);
}

int __wrap_bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz,
				void *value, size_t value_sz, __u64 flags);
int __wrap_bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz,
				void *value, size_t value_sz, __u64 flags)
{
	LIBBPF_FAIL("bpf_map__lookup_elem", EFAULT);
	return __real_bpf_map__lookup_elem(map, key, key_sz, value, value_sz, flags);
}

int __real_bpf_obj_get_info_by_fd(int fd, void *info, __u32 *len);
int __wrap_bpf_obj_get_info_by_fd(int fd, void *info, __u32 *len);
int __wrap_bpf_obj_get_info_by_fd(int fd, void *info, __u32 *len)
{
	struct bpf_prog_info *prog = info;
	int err = __real_bpf_obj_get_info_by_fd(fd, info, len);

	/* The library asks for a program's whole struct bpf_prog_info. */
	if (!err && fi.add_recursion_misses && *len == sizeof(*prog)) {
		prog->recursion_misses += fi.add_recursion_misses;
		fi.prog_infos++;
	}
	return err;
}

int __wrap_libbpf_num_possible_cpus(void);
int __wrap_libbpf_num_possible_cpus(void)
{
	LIBBPF_FAIL("libbpf_num_possible_cpus", EMFILE);
	return __real_libbpf_num_possible_cpus();
}
