/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes the picture and the trace of a synthetic shape (synthetic.h), so
 * that the file tests check them as a browser and a JSON parser would,
 * without BPF.
 * Usage: timeline-sample shape|build|hostile|many OUT.svg OUT.json
 */
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "model.h"
#include "svg.h"
#include "synthetic.h"
#include "trace.h"

static int write_file(const char *path, const struct tl_model *m,
		      const struct tl_layout *l, const struct tl_run *run, bool svg)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return 1;
	}
	if (svg)
		tl_svg_write(f, m, l, run);
	else
		tl_trace_write(f, m, l, run);
	if (fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const cmd[] = { "sh", "-c", "sample \x1b[1m<&>\xff" };
	struct tl_run run = { .command = cmd, .command_argc = 3 };
	struct tl_model m;
	struct tl_layout l;
	int status;

	if (argc != 4) {
		fprintf(stderr, "usage: timeline-sample shape|build|hostile|many OUT.svg OUT.json\n");
		return 2;
	}
	tl_model_init(&m, SYN_TRACER);
	if (!strcmp(argv[1], "shape")) {
		syn_shape(&m);
	} else if (!strcmp(argv[1], "build")) {
		syn_build(&m);
	} else if (!strcmp(argv[1], "hostile")) {
		syn_hostile(&m);
		run.lost_ring_full = 3;
	} else if (!strcmp(argv[1], "many")) {
		syn_many(&m, 10000, 8);
	} else {
		fprintf(stderr, "unknown shape '%s'\n", argv[1]);
		return 2;
	}
	if (tl_model_finish(&m, 0) || tl_layout_compute(&m, TL_SVG_WIDTH, &l)) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	status = write_file(argv[2], &m, &l, &run, true) | write_file(argv[3], &m, &l, &run, false);
	tl_layout_free(&l);
	tl_model_free(&m);
	return status;
}
