/* Host build of the firmware's model loader, executor and both kernel sets (with host/simd.h in
 * place of the custom instructions), for checking the C kernels natively without the emulator.
 * Usage: harness <artifact.harm> <window.bin> <threshold> <kernelSet: 0 simd | 1 ref>
 * Prints one JSON line: {"detail":..} on an invalid model, else the result. */
#include <stdio.h>
#include <stdlib.h>

#include "harm.h"
#include "network.h"

static uint8_t *read_file(const char *path, long *bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = aligned_alloc(16, (size_t)((*bytes + 16) & ~15L));
  if (buf && fread(buf, 1, (size_t)*bytes, f) != (size_t)*bytes) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: harness <artifact> <window.bin> <threshold> <kernelSet>\n");
    return 2;
  }
  long model_bytes = 0, window_bytes = 0;
  uint8_t *artifact = read_file(argv[1], &model_bytes);
  uint8_t *window = read_file(argv[2], &window_bytes);
  if (!artifact || !window) return 2;
  static harm_model model;
  uint32_t detail = harm_load(artifact, (uint32_t)model_bytes, &model);
  if (detail) {
    printf("{\"detail\":%u}\n", detail);
    return 0;
  }
  if (window_bytes != (long)model.in_channels * model.window_samples) {
    printf("{\"windowError\":%u}\n", (unsigned)model.in_channels * model.window_samples);
    return 0;
  }
  net_plan plan;
  net_plan_arena(&model, &plan);
  /* With HAR_WIDEN_PER_CALL set, no layer is prepared at boot: the optimized kernels widen narrow
   * weights on every call and requantize in the general forms (the firmware's fallback when the
   * arena has no room for the prepared layers). */
  const uint32_t arena_bytes = (plan.total_bytes + plan.prepared_bytes + 15u) & ~15u;
  uint8_t *arena = aligned_alloc(16, arena_bytes);
  if (!getenv("HAR_WIDEN_PER_CALL")) net_prepare_layers(&model, &plan, arena, arena_bytes);
  net_result r;
  net_run(&model, &plan, arena, (const int8_t *)window, (uint32_t)strtoul(argv[3], NULL, 10),
          atoi(argv[4]) == 1 ? &kernels_ref : &kernels_simd, &r);
  printf("{\"classIndex\":%u,\"margin\":%u,\"exitTaken\":%u,\"macs\":%u,\"arenaBytes\":%u,\"scores\":[", r.class_index,
         r.margin, r.exit_taken, r.macs, plan.total_bytes);
  for (uint32_t i = 0; i < model.class_count; i++) printf("%s%d", i ? "," : "", r.scores[i]);
  printf("]}\n");
  return 0;
}
