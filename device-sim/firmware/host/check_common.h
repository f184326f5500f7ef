/* What the host checks (rqcheck.c, poolcheck.c) share: the seeded generator (splitmix64) and
 * their command line, `<name> <layers> <seed>`. Host-only (never built into the firmware). */
#ifndef HAR_HOST_CHECK_COMMON_H
#define HAR_HOST_CHECK_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state;
static uint32_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* Reads `<layers> <seed>` (seeding rnd); returns the layer count, or -1 after printing the usage. */
static long check_args(int argc, char **argv, const char *name) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <layers> <seed>\n", name);
    return -1;
  }
  rng_state = strtoull(argv[2], NULL, 10);
  return atol(argv[1]);
}

#endif
