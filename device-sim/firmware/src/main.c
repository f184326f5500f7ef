/* The inference firmware's main loop: the mailbox protocol of device-sim/memory-map.ts.
 * Boot: validate the model once, plan the arena, STATUS = READY (or an ERROR code), wfi.
 * Per command: take COMMAND = RUN (clear it), check the window size, run the adaptive inference
 * with the requested kernel set between two reads of mcycle/minstret, write the results,
 * STATUS = DONE, wfi. */
#include "fw.h"
#include "harm.h"
#include "kernels.h"
#include "network.h"

#define MB(off) (*(volatile uint32_t *)(uintptr_t)(REGION_MAILBOX_BASE + (off)))

extern uint8_t __arena_start[];
extern uint8_t __arena_end[];

static harm_model model;
static net_plan plan;
static net_result result;

/* Zicntr / machine counters (RISC-V privileged spec 3.1.11): mcycle 0xB00, minstret 0xB02. */
static inline uint32_t read_mcycle(void) {
  uint32_t v;
  __asm__ volatile("csrr %0, mcycle" : "=r"(v));
  return v;
}
static inline uint32_t read_minstret(void) {
  uint32_t v;
  __asm__ volatile("csrr %0, minstret" : "=r"(v));
  return v;
}
static inline void wait_for_host(void) { __asm__ volatile("wfi" ::: "memory"); }

static uint32_t boot(void) {
  uint32_t detail = harm_load((const uint8_t *)(uintptr_t)REGION_MODEL_BASE, REGION_MODEL_BYTES, &model);
  if (detail != 0u) {
    MB(MAILBOX_ERROR_DETAIL) = detail;
    uart_puts("har-fw: invalid model, detail ");
    uart_put_hex(detail);
    uart_puts("\n");
    return MAILBOX_STATUS_ERROR_MODEL;
  }
  net_plan_arena(&model, &plan);
  uint32_t arena_bytes = (uint32_t)(__arena_end - __arena_start);
  if (plan.total_bytes > arena_bytes) {
    MB(MAILBOX_ERROR_DETAIL) = plan.total_bytes;
    uart_puts("har-fw: arena too small, need ");
    uart_put_dec(plan.total_bytes);
    uart_puts(" bytes\n");
    return MAILBOX_STATUS_ERROR_ARENA;
  }
  const int prepared = net_prepare_layers(&model, &plan, __arena_start, arena_bytes);
  MB(MAILBOX_ERROR_DETAIL) = 0;
  uart_puts("har-fw: ready, ");
  uart_put_dec(model.layer_count);
  uart_puts(" layers, arena ");
  uart_put_dec(plan.total_bytes);
  uart_puts("/");
  uart_put_dec(arena_bytes);
  uart_puts(prepared ? " bytes + prepared layers " : " bytes, no room for prepared layers ");
  uart_put_dec(plan.prepared_bytes);
  /* Which requantization form each layer runs with (enum harm_rq_kind): '.' none (pooling, or
   * not prepared), 't' 2-bit thresholds, 'm' 32-bit multiply, 'h' mulh, 'g' general. */
  uart_puts("\nhar-fw: requantization forms ");
  static const char form_chars[] = ".tmhg";
  for (uint32_t i = 0; i < model.layer_count; i++) {
    const char c[2] = {form_chars[model.layers[i].rq_kind], 0};
    uart_puts(c);
  }
  uart_puts("\n");
  return MAILBOX_STATUS_READY;
}

static void serve(void) {
  uint32_t expected = (uint32_t)model.in_channels * model.window_samples;
  if (MB(MAILBOX_WINDOW_BYTES) != expected) {
    MB(MAILBOX_ERROR_DETAIL) = expected;
    MB(MAILBOX_STATUS) = MAILBOX_STATUS_ERROR_WINDOW;
    return;
  }
  const kernel_set *kernels = MB(MAILBOX_KERNEL_SET) == 1u ? &kernels_ref : &kernels_simd;
  uint32_t threshold = MB(MAILBOX_THRESHOLD);
  const int8_t *window = (const int8_t *)(uintptr_t)(REGION_MAILBOX_BASE + MAILBOX_WINDOW);
  uint32_t c0 = read_mcycle(), i0 = read_minstret();
  net_run(&model, &plan, __arena_start, window, threshold, kernels, &result);
  uint32_t c1 = read_mcycle(), i1 = read_minstret();
  MB(MAILBOX_CLASS_INDEX) = result.class_index;
  MB(MAILBOX_MARGIN) = result.margin;
  MB(MAILBOX_EXIT_TAKEN) = result.exit_taken;
  MB(MAILBOX_MACS) = result.macs;
  MB(MAILBOX_CYCLES) = c1 - c0;
  MB(MAILBOX_INSTRET) = i1 - i0;
  MB(MAILBOX_SCORE_COUNT) = model.class_count;
  for (uint32_t i = 0; i < model.class_count; i++) MB(MAILBOX_SCORES + 4u * i) = (uint32_t)result.scores[i];
  MB(MAILBOX_ERROR_DETAIL) = 0;
  MB(MAILBOX_STATUS) = MAILBOX_STATUS_DONE;
}

int main(void) {
  MB(MAILBOX_STATUS) = MAILBOX_STATUS_BOOTING;
  const uint32_t boot_status = boot();
  MB(MAILBOX_STATUS) = boot_status;
  for (;;) {
    wait_for_host();
    if (MB(MAILBOX_COMMAND) != MAILBOX_COMMAND_RUN) continue;
    MB(MAILBOX_COMMAND) = MAILBOX_COMMAND_IDLE;
    if (boot_status != MAILBOX_STATUS_READY) {
      MB(MAILBOX_STATUS) = boot_status; /* the model stays invalid: repeat the boot error */
      continue;
    }
    serve();
  }
}
