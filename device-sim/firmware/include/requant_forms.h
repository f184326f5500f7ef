/* The per-output evaluation of the requantization forms that src/prepare.c chooses per layer
 * (harm.h, enum harm_rq_kind), shared by the optimized kernels and the host check
 * (host/rqcheck.c), which compares them with requant.h's int64 definition. */
#ifndef HAR_REQUANT_FORMS_H
#define HAR_REQUANT_FORMS_H

#include <stdint.h>

#include "harm.h"

/* ReLU and upper clip of an unsigned output: the ReLU without a branch (about half the values
 * are negative, and a taken branch costs 3 cycles on this core), the upper clip as a branch that
 * is not taken in the common case (1 cycle). The empty asm keeps the compiler from turning the
 * mask back into a branch. */
static inline __attribute__((always_inline)) int32_t rq_relu_clip(int32_t r, int32_t hi) {
  int32_t neg = r >> 31;
  __asm__("" : "+r"(neg));
  r &= ~neg;
  if (__builtin_expect(r > hi, 0)) r = hi;
  return r;
}

/* One unsigned output of a prepared layer from its channel's record {bias, q1, q2, q3}
 * (harm.h, enum harm_rq_kind; the proofs of exactness are in src/prepare.c). */
static inline __attribute__((always_inline)) uint8_t rq_form_u8(int kind, int32_t acc, int32_t q1, int32_t q2, int32_t q3, int32_t hi) {
  switch (kind) {
    case HARM_RQ_THRESH2: /* [t1 < acc] + [t2 < acc] + [t3 < acc]: three slt, no clip */
      return (uint8_t)((q1 < acc) + (q2 < acc) + (q3 < acc));
    case HARM_RQ_MUL32: /* (acc * m + r) >> s, exact in int32 */
      return (uint8_t)rq_relu_clip((acc * q1 + q2) >> q3, hi);
    default: /* HARM_RQ_MULH: the high word of the 64-bit product is one mulh on RV32IM */
      return (uint8_t)rq_relu_clip(((int32_t)(((int64_t)acc * q1) >> 32) + q2) >> q3, hi);
  }
}

#endif
