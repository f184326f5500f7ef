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

#endif
