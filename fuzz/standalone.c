/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A main() for the fuzz targets without libFuzzer: every file named on
 * the command line, or found directly inside a directory named there, is
 * given once to LLVMFuzzerTestOneInput().  `make check` builds each
 * target this way with the C compiler and the sanitizers and runs it over
 * its seeds, so that a fuzzer which no longer links, or which fails on
 * its own seeds, is caught where clang is not installed.
 *
 *   smoke_NAME FILE|DIR...
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long n_inputs;

/* One input, read whole.  Returns 0 or -errno. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;
	int err = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (size == cap) {
			uint8_t *more = realloc(data, cap ? 2 * cap : 4096);

			if (!more) {
				err = -ENOMEM;
				break;
			}
			data = more;
			cap = cap ? 2 * cap : 4096;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
		if (n == 0) {
			if (ferror(f))
				err = -EIO;
			break;
		}
	}
	fclose(f);
	if (err == 0) {
		LLVMFuzzerTestOneInput(data, size);
		n_inputs++;
	}
	free(data);
	return err;
}

static int only_files(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* The regular files directly inside @dir, in name order. */
static int run_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int n, i, err = 0;

	n = scandir(dir, &names, only_files, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (err == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			err = run_file(path);
			if (err < 0)
				fprintf(stderr, "%s: %s\n", path,
					strerror(-err));
		}
		free(names[i]);
	}
	free(names);
	return err;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i, err;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0)
			err = -errno;
		else if (S_ISDIR(st.st_mode))
			err = run_dir(argv[i]);
		else
			err = run_file(argv[i]);
		if (err < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(-err));
			return 1;
		}
	}
	/* a run over nothing would pass whatever the target does */
	if (n_inputs == 0) {
		fprintf(stderr, "%s: no input found\n", argv[0]);
		return 1;
	}
	printf("%s: %lu inputs\n", argv[0], n_inputs);
	return 0;
}
