/* The custom-0 SIMD dot products of the emulated core (docs/ARCHITECTURE.md, "Custom SIMD dot
 * products"): R-type, opcode 0x0B, rd = rd + sum_i rs1.lane[i] * rs2.lane[i], one cycle.
 *   funct7: 0 = 4 x 8-bit, 1 = 8 x 4-bit, 2 = 16 x 2-bit (lane 0 in the least significant bits)
 *   funct3: 0 = signed x signed, 1 = unsigned x unsigned, 2 = unsigned rs1 x signed rs2
 * PULP counterparts: pv.sdotsp.b / pv.sdotusp.b (XpulpV2), pv.sdotusp.n / pv.sdotusp.c (XpulpNN).
 * Activations go in rs1, weights in rs2. Host builds of the kernels (device-sim/firmware/host/)
 * use a C model of these instead; nothing else differs. */
#ifndef HAR_SIMD_H
#define HAR_SIMD_H

#include <stdint.h>

/* 4 x (int8 activation * int8 weight): the signed input window. pv.sdotsp.b */
static inline int32_t sdot8_ss(int32_t acc, uint32_t act, uint32_t wgt) {
  __asm__(".insn r 0x0b, 0, 0, %0, %1, %2" : "+r"(acc) : "r"(act), "r"(wgt));
  return acc;
}
/* 4 x (uint8 activation * int8 weight). pv.sdotusp.b */
static inline int32_t sdot8_us(int32_t acc, uint32_t act, uint32_t wgt) {
  __asm__(".insn r 0x0b, 2, 0, %0, %1, %2" : "+r"(acc) : "r"(act), "r"(wgt));
  return acc;
}
/* 8 x (uint4 activation * int4 weight). pv.sdotusp.n */
static inline int32_t sdot4_us(int32_t acc, uint32_t act, uint32_t wgt) {
  __asm__(".insn r 0x0b, 2, 1, %0, %1, %2" : "+r"(acc) : "r"(act), "r"(wgt));
  return acc;
}
/* 16 x (uint2 activation * int2 weight). pv.sdotusp.c */
static inline int32_t sdot2_us(int32_t acc, uint32_t act, uint32_t wgt) {
  __asm__(".insn r 0x0b, 2, 2, %0, %1, %2" : "+r"(acc) : "r"(act), "r"(wgt));
  return acc;
}

/* The inner loops of src/kernels_simd.c (PULP-NN style "matmul" kernels), generated once per
 * dot-product flavour. A trip is written in assembly (RISC-V has no register+register
 * addressing, and the compiler spills around this many live values), reading words of each
 * activation row and of 4 weight rows. Every load is issued at least 4 instructions before its first use,
 * so the core's load-use stall never triggers. The last words % 4 are done in C with SDOT.
 *
 * SIMD_DOT_4X3: 4 output channels x 3 output steps: per word 7 loads and 12 dot products;
 *   a trip covers 8 words: 56 loads, 96 dot products, 7 pointer increments and one branch for
 *   4 x 3 x 8 x lanes MACs (12 accumulators, 27 registers in all); then one 4-word block if
 *   words % 8 >= 4, and the last words % 4 in C.
 * SIMD_DOT_4X1: 4 output channels x 1 step (linear layers): per word 5 loads, 4 dot products. */
/* The dot products of one word step: 4 weight words (y0..y3) times 3 activation words
 * (x0..x2) into 12 accumulators s<step><channel>, or times 1 activation word into 4. */
#define SIMD_DOTS_4X3(F3, F7)                                                                         \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s00], %[x0], %[y0]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s10], %[x1], %[y0]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s20], %[x2], %[y0]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s01], %[x0], %[y1]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s11], %[x1], %[y1]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s21], %[x2], %[y1]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s02], %[x0], %[y2]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s12], %[x1], %[y2]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s22], %[x2], %[y2]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s03], %[x0], %[y3]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s13], %[x1], %[y3]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s23], %[x2], %[y3]\n\t"
#define SIMD_DOTS_4X1(F3, F7)                                                                         \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s00], %[x0], %[y0]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s01], %[x0], %[y1]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s02], %[x0], %[y2]\n\t"                                          \
  ".insn r 0x0b, " #F3 ", " #F7 ", %[s03], %[x0], %[y3]\n\t"

#define SIMD_STEP_4X3(F3, F7, OFF)                                                                    \
  "lw %[x0], " #OFF "(%[a0])\n\t lw %[x1], " #OFF "(%[a1])\n\t lw %[x2], " #OFF "(%[a2])\n\t"           \
  "lw %[y0], " #OFF "(%[w0])\n\t lw %[y1], " #OFF "(%[w1])\n\t lw %[y2], " #OFF "(%[w2])\n\t"           \
  "lw %[y3], " #OFF "(%[w3])\n\t"                                                                     \
  SIMD_DOTS_4X3(F3, F7)

#define SIMD_DOT_4X3(NAME, SDOT, F3, F7)                                                               \
  static inline __attribute__((always_inline)) void NAME(const uint32_t *a0, const uint32_t *a1, const uint32_t *a2, const uint32_t *w,    \
                   uint32_t row_words, int32_t acc[12]) {                                             \
    const uint32_t *w0 = w, *w1 = w0 + row_words, *w2 = w1 + row_words, *w3 = w2 + row_words;         \
    int32_t s00 = acc[0], s01 = acc[1], s02 = acc[2], s03 = acc[3];                                   \
    int32_t s10 = acc[4], s11 = acc[5], s12 = acc[6], s13 = acc[7];                                   \
    int32_t s20 = acc[8], s21 = acc[9], s22 = acc[10], s23 = acc[11];                                 \
    const uint32_t *end8 = a0 + (row_words & ~7u);                                                    \
    if (a0 != end8) {                                                                                 \
      uint32_t x0, x1, x2, y0, y1, y2, y3;                                                            \
      __asm__ volatile("1:\n\t" SIMD_STEP_4X3(F3, F7, 0) SIMD_STEP_4X3(F3, F7, 4)                     \
                           SIMD_STEP_4X3(F3, F7, 8) SIMD_STEP_4X3(F3, F7, 12)                         \
                           SIMD_STEP_4X3(F3, F7, 16) SIMD_STEP_4X3(F3, F7, 20)                        \
                           SIMD_STEP_4X3(F3, F7, 24) SIMD_STEP_4X3(F3, F7, 28)                        \
                       "addi %[a0], %[a0], 32\n\t addi %[a1], %[a1], 32\n\t addi %[a2], %[a2], 32\n\t" \
                       "addi %[w0], %[w0], 32\n\t addi %[w1], %[w1], 32\n\t addi %[w2], %[w2], 32\n\t" \
                       "addi %[w3], %[w3], 32\n\t bne %[a0], %[end], 1b\n\t"                          \
                       : [s00] "+r"(s00), [s01] "+r"(s01), [s02] "+r"(s02), [s03] "+r"(s03),          \
                         [s10] "+r"(s10), [s11] "+r"(s11), [s12] "+r"(s12), [s13] "+r"(s13),          \
                         [s20] "+r"(s20), [s21] "+r"(s21), [s22] "+r"(s22), [s23] "+r"(s23),          \
                         [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [w0] "+r"(w0), [w1] "+r"(w1),   \
                         [w2] "+r"(w2), [w3] "+r"(w3), [x0] "=&r"(x0), [x1] "=&r"(x1),                \
                         [x2] "=&r"(x2), [y0] "=&r"(y0), [y1] "=&r"(y1), [y2] "=&r"(y2), [y3] "=&r"(y3) \
                       : [end] "r"(end8)                                                              \
                       : "memory");                                                                   \
    }                                                                                                 \
    if (row_words & 4u) {                                                                             \
      uint32_t x0, x1, x2, y0, y1, y2, y3;                                                            \
      __asm__ volatile(SIMD_STEP_4X3(F3, F7, 0) SIMD_STEP_4X3(F3, F7, 4)                              \
                           SIMD_STEP_4X3(F3, F7, 8) SIMD_STEP_4X3(F3, F7, 12)                         \
                       : [s00] "+r"(s00), [s01] "+r"(s01), [s02] "+r"(s02), [s03] "+r"(s03),          \
                         [s10] "+r"(s10), [s11] "+r"(s11), [s12] "+r"(s12), [s13] "+r"(s13),          \
                         [s20] "+r"(s20), [s21] "+r"(s21), [s22] "+r"(s22), [s23] "+r"(s23),          \
                         [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [y0] "=&r"(y0),              \
                         [y1] "=&r"(y1), [y2] "=&r"(y2), [y3] "=&r"(y3)                               \
                       : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [w0] "r"(w0), [w1] "r"(w1),        \
                         [w2] "r"(w2), [w3] "r"(w3)                                                   \
                       : "memory");                                                                   \
      a0 += 4; a1 += 4; a2 += 4; w0 += 4; w1 += 4; w2 += 4; w3 += 4;                                  \
    }                                                                                                 \
    for (uint32_t n = 0; n < (row_words & 3u); n++) {                                                 \
      uint32_t x0 = a0[n], x1 = a1[n], x2 = a2[n], y0 = w0[n], y1 = w1[n], y2 = w2[n], y3 = w3[n];    \
      s00 = SDOT(s00, x0, y0); s10 = SDOT(s10, x1, y0); s20 = SDOT(s20, x2, y0);                      \
      s01 = SDOT(s01, x0, y1); s11 = SDOT(s11, x1, y1); s21 = SDOT(s21, x2, y1);                      \
      s02 = SDOT(s02, x0, y2); s12 = SDOT(s12, x1, y2); s22 = SDOT(s22, x2, y2);                      \
      s03 = SDOT(s03, x0, y3); s13 = SDOT(s13, x1, y3); s23 = SDOT(s23, x2, y3);                      \
    }                                                                                                 \
    acc[0] = s00; acc[1] = s01; acc[2] = s02; acc[3] = s03;                                           \
    acc[4] = s10; acc[5] = s11; acc[6] = s12; acc[7] = s13;                                           \
    acc[8] = s20; acc[9] = s21; acc[10] = s22; acc[11] = s23;                                         \
  }

#define SIMD_STEP_4X1(F3, F7, OFF)                                                                    \
  "lw %[x0], " #OFF "(%[a0])\n\t lw %[y0], " #OFF "(%[w0])\n\t lw %[y1], " #OFF "(%[w1])\n\t"           \
  "lw %[y2], " #OFF "(%[w2])\n\t lw %[y3], " #OFF "(%[w3])\n\t"                                       \
  SIMD_DOTS_4X1(F3, F7)

#define SIMD_DOT_4X1(NAME, SDOT, F3, F7)                                                               \
  static void NAME(const uint32_t *a0, const uint32_t *w, uint32_t row_words, int32_t acc[4]) {       \
    const uint32_t *w0 = w, *w1 = w0 + row_words, *w2 = w1 + row_words, *w3 = w2 + row_words;         \
    int32_t s00 = acc[0], s01 = acc[1], s02 = acc[2], s03 = acc[3];                                   \
    const uint32_t *end4 = a0 + (row_words & ~3u);                                                    \
    if (a0 != end4) {                                                                                 \
      uint32_t x0, y0, y1, y2, y3;                                                                    \
      __asm__ volatile("1:\n\t" SIMD_STEP_4X1(F3, F7, 0) SIMD_STEP_4X1(F3, F7, 4)                     \
                           SIMD_STEP_4X1(F3, F7, 8) SIMD_STEP_4X1(F3, F7, 12)                         \
                       "addi %[a0], %[a0], 16\n\t addi %[w0], %[w0], 16\n\t addi %[w1], %[w1], 16\n\t" \
                       "addi %[w2], %[w2], 16\n\t addi %[w3], %[w3], 16\n\t bne %[a0], %[end], 1b\n\t" \
                       : [s00] "+r"(s00), [s01] "+r"(s01), [s02] "+r"(s02), [s03] "+r"(s03),          \
                         [a0] "+r"(a0), [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3),   \
                         [x0] "=&r"(x0), [y0] "=&r"(y0), [y1] "=&r"(y1), [y2] "=&r"(y2), [y3] "=&r"(y3) \
                       : [end] "r"(end4)                                                              \
                       : "memory");                                                                   \
    }                                                                                                 \
    for (uint32_t n = 0; n < (row_words & 3u); n++) {                                                 \
      uint32_t x0 = a0[n];                                                                            \
      s00 = SDOT(s00, x0, w0[n]); s01 = SDOT(s01, x0, w1[n]);                                         \
      s02 = SDOT(s02, x0, w2[n]); s03 = SDOT(s03, x0, w3[n]);                                         \
    }                                                                                                 \
    acc[0] = s00; acc[1] = s01; acc[2] = s02; acc[3] = s03;                                           \
  }

/* The inner loops on prepared layers (src/prepare.c: harm_layer.wq), whose 4 weight rows are
 * interleaved word by word, so that one pointer with fixed offsets reaches all four: word n of
 * row j at w + 16n + 4j bytes. One asm statement covers the whole row: 8-word trips in a loop,
 * then blocks of 4, 2 and 1 words as row_words requires, so the accumulators never leave their
 * registers and no word is left to C. A row that is a whole number of trips (the usual case)
 * skips the tails with one taken branch.
 *
 * SIMD_DOTQ_4X3: 4 output channels x 3 output steps. Per word: 3 activation loads, 4 weight
 *   loads, 12 dot products (each activation word used 4 times, each weight word 3 times);
 *   per 8-word trip 4 pointer increments and the loop branch: 56 + 96 + 5 = 157 instructions
 *   for 96 dot products, i.e. 1.64 instructions per dot product (per 4, 8 or 16 MACs at 8, 4, 2
 *   bits). 12 accumulators + 7 operands + 4 pointers + end + row_words = 25 registers.
 * SIMD_DOTQ_4X1: 4 channels x 1 step (linear layers): per word 5 loads and 4 dot products. */
#define SIMD_QSTEP_4X3(F3, F7, A, W0, W1, W2, W3)                                                      \
  "lw %[x0], " #A "(%[a0])\n\t lw %[x1], " #A "(%[a1])\n\t lw %[x2], " #A "(%[a2])\n\t"                   \
  "lw %[y0], " #W0 "(%[w])\n\t lw %[y1], " #W1 "(%[w])\n\t lw %[y2], " #W2 "(%[w])\n\t"                   \
  "lw %[y3], " #W3 "(%[w])\n\t"                                                                         \
  SIMD_DOTS_4X3(F3, F7)

#define SIMD_QSTEP_4X1(F3, F7, A, W0, W1, W2, W3)                                                      \
  "lw %[x0], " #A "(%[a0])\n\t lw %[y0], " #W0 "(%[w])\n\t lw %[y1], " #W1 "(%[w])\n\t"                   \
  "lw %[y2], " #W2 "(%[w])\n\t lw %[y3], " #W3 "(%[w])\n\t"                                             \
  SIMD_DOTS_4X1(F3, F7)

/* Word blocks of one row: 8 (the loop body), 4, 2 and 1 words from the current pointers. */
#define SIMD_QWORDS8(STEP, F3, F7)                                                                     \
  STEP(F3, F7, 0, 0, 4, 8, 12) STEP(F3, F7, 4, 16, 20, 24, 28) STEP(F3, F7, 8, 32, 36, 40, 44)           \
  STEP(F3, F7, 12, 48, 52, 56, 60) STEP(F3, F7, 16, 64, 68, 72, 76) STEP(F3, F7, 20, 80, 84, 88, 92)     \
  STEP(F3, F7, 24, 96, 100, 104, 108) STEP(F3, F7, 28, 112, 116, 120, 124)
#define SIMD_QWORDS4(STEP, F3, F7)                                                                     \
  STEP(F3, F7, 0, 0, 4, 8, 12) STEP(F3, F7, 4, 16, 20, 24, 28) STEP(F3, F7, 8, 32, 36, 40, 44)           \
  STEP(F3, F7, 12, 48, 52, 56, 60)
#define SIMD_QWORDS2(STEP, F3, F7) STEP(F3, F7, 0, 0, 4, 8, 12) STEP(F3, F7, 4, 16, 20, 24, 28)
#define SIMD_QWORDS1(STEP, F3, F7) STEP(F3, F7, 0, 0, 4, 8, 12)

/* The trip structure shared by both shapes; ADVANCE(bytes) moves the activation pointers. */
#define SIMD_QROW(STEP, F3, F7, ADVANCE)                                                               \
  "beq %[a0], %[end], 2f\n\t"                                                                          \
  ".balign 4\n"                                                                                        \
  "1:\n\t" SIMD_QWORDS8(STEP, F3, F7) ADVANCE("32") "addi %[w], %[w], 128\n\t bne %[a0], %[end], 1b\n" \
  "2:\n\t andi %[x0], %[rw], 7\n\t beqz %[x0], 5f\n\t andi %[x0], %[rw], 4\n\t beqz %[x0], 3f\n\t"   \
  SIMD_QWORDS4(STEP, F3, F7) ADVANCE("16") "addi %[w], %[w], 64\n"                                    \
  "3:\n\t andi %[x0], %[rw], 2\n\t beqz %[x0], 4f\n\t"                                               \
  SIMD_QWORDS2(STEP, F3, F7) ADVANCE("8") "addi %[w], %[w], 32\n"                                     \
  "4:\n\t andi %[x0], %[rw], 1\n\t beqz %[x0], 5f\n\t"                                               \
  SIMD_QWORDS1(STEP, F3, F7)                                                                           \
  "5:\n\t"
#define SIMD_QADVANCE3(B) "addi %[a0], %[a0], " B "\n\t addi %[a1], %[a1], " B "\n\t addi %[a2], %[a2], " B "\n\t"
#define SIMD_QADVANCE1(B) "addi %[a0], %[a0], " B "\n\t"

#define SIMD_DOTQ_4X3(NAME, F3, F7)                                                                    \
  static inline __attribute__((always_inline)) void NAME(const uint32_t *a0, const uint32_t *a1,       \
                                                         const uint32_t *a2, const uint32_t *w,        \
                                                         uint32_t row_words, int32_t acc[12]) {        \
    int32_t s00 = acc[0], s01 = acc[1], s02 = acc[2], s03 = acc[3];                                   \
    int32_t s10 = acc[4], s11 = acc[5], s12 = acc[6], s13 = acc[7];                                   \
    int32_t s20 = acc[8], s21 = acc[9], s22 = acc[10], s23 = acc[11];                                 \
    const uint32_t *end8 = a0 + (row_words & ~7u);                                                    \
    uint32_t x0, x1, x2, y0, y1, y2, y3;                                                              \
    __asm__ volatile(SIMD_QROW(SIMD_QSTEP_4X3, F3, F7, SIMD_QADVANCE3)                                \
                     : [s00] "+r"(s00), [s01] "+r"(s01), [s02] "+r"(s02), [s03] "+r"(s03),            \
                       [s10] "+r"(s10), [s11] "+r"(s11), [s12] "+r"(s12), [s13] "+r"(s13),            \
                       [s20] "+r"(s20), [s21] "+r"(s21), [s22] "+r"(s22), [s23] "+r"(s23),            \
                       [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [w] "+r"(w), [x0] "=&r"(x0),      \
                       [x1] "=&r"(x1), [x2] "=&r"(x2), [y0] "=&r"(y0), [y1] "=&r"(y1), [y2] "=&r"(y2), \
                       [y3] "=&r"(y3)                                                                 \
                     : [end] "r"(end8), [rw] "r"(row_words)                                           \
                     : "memory");                                                                     \
    acc[0] = s00; acc[1] = s01; acc[2] = s02; acc[3] = s03;                                           \
    acc[4] = s10; acc[5] = s11; acc[6] = s12; acc[7] = s13;                                           \
    acc[8] = s20; acc[9] = s21; acc[10] = s22; acc[11] = s23;                                         \
  }

#define SIMD_DOTQ_4X1(NAME, F3, F7)                                                                    \
  static inline __attribute__((always_inline)) void NAME(const uint32_t *a0, const uint32_t *w,        \
                                                         uint32_t row_words, int32_t acc[4]) {         \
    int32_t s00 = acc[0], s01 = acc[1], s02 = acc[2], s03 = acc[3];                                   \
    const uint32_t *end8 = a0 + (row_words & ~7u);                                                    \
    uint32_t x0, y0, y1, y2, y3;                                                                      \
    __asm__ volatile(SIMD_QROW(SIMD_QSTEP_4X1, F3, F7, SIMD_QADVANCE1)                                \
                     : [s00] "+r"(s00), [s01] "+r"(s01), [s02] "+r"(s02), [s03] "+r"(s03),            \
                       [a0] "+r"(a0), [w] "+r"(w), [x0] "=&r"(x0), [y0] "=&r"(y0), [y1] "=&r"(y1),    \
                       [y2] "=&r"(y2), [y3] "=&r"(y3)                                                 \
                     : [end] "r"(end8), [rw] "r"(row_words)                                           \
                     : "memory");                                                                     \
    acc[0] = s00; acc[1] = s01; acc[2] = s02; acc[3] = s03;                                           \
  }

#endif
