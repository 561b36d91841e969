/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Runs the fuzz target on every file given, or in the directories given,
 * without libFuzzer: the seed corpus as an ordinary test.
 *
 * Usage: fuzz-replay PATH...   Exit status 0 if every input passed; the
 * target aborts on the first broken output.  Fails if no input was found,
 * so that a moved corpus cannot pass as an empty one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format-fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (size == cap) {
			cap = cap ? cap * 2 : 4096;
			data = realloc(data, cap);
			if (!data) {
				fputs("fuzz-replay: out of memory\n", stderr);
				exit(1);
			}
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(stderr, "fuzz-replay: %s: read error\n", path);
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	/* A copy of exactly @size bytes, so ASan sees reads past the input. */
	uint8_t *exact = malloc(size ? size : 1);
	if (!exact)
		exit(1);
	memcpy(exact, data, size);
	free(data);
	fprintf(stderr, "fuzz-replay: %s\n", path);
	LLVMFuzzerTestOneInput(exact, size);
	free(exact);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Returns the number of inputs replayed, or -1. */
static long replay_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	long count = 0;
	char *child;
	int n, i;

	if (stat(path, &st)) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) ? -1 : 1;
	n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && count >= 0) {
			if (asprintf(&child, "%s/%s", path, names[i]->d_name) < 0)
				exit(1);
			if (stat(child, &st) == 0 && S_ISREG(st.st_mode))
				count = replay_file(child) ? -1 : count + 1;
			free(child);
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	long total = 0, n;
	int i;

	if (argc == 2 && !strcmp(argv[1], "--layout")) {
		fuzz_print_layout(stdout);
		return 0;
	}
	if (argc < 2) {
		fputs("usage: fuzz-replay FILE-OR-DIRECTORY... | --layout\n", stderr);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		n = replay_path(argv[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	if (total == 0) {
		fputs("fuzz-replay: no input found\n", stderr);
		return 1;
	}
	printf("fuzz-replay: %ld inputs, all outputs as promised\n", total);
	return 0;
}
