/* riscv-arch-test / RISCOF target environment for the har-gateway ISS (device-sim/iss).
 * Link with link.ld next to this file (L2 at 0x1C000000) and run
 *   har-gateway mcu run test.elf --signature test.signature
 * The run ends when RVMODEL_HALT writes 1 to `tohost` (exit code 0); the signature is the
 * words between begin_signature and end_signature, one 8-digit hex word per line.
 * Written for this project after the RVMODEL_* interface of riscv-arch-test (spec/TestFormatSpec). */
#ifndef HAR_ISS_MODEL_TEST_H
#define HAR_ISS_MODEL_TEST_H

#define RVMODEL_DATA_SECTION                                \
  .pushsection .tohost, "aw", @progbits;                    \
  .align 8; .global tohost; tohost: .word 0, 0;             \
  .align 8; .global fromhost; fromhost: .word 0, 0;         \
  .popsection;

/* tohost = 1: pass (the riscv-tests convention); the ISS stops at the store. */
#define RVMODEL_HALT                                        \
  li x1, 1;                                                 \
  la t5, tohost;                                            \
har_iss_write_tohost:                                       \
  sw x1, 0(t5);                                             \
  sw x0, 4(t5);                                             \
  j har_iss_write_tohost;

#define RVMODEL_BOOT

#define RVMODEL_DATA_BEGIN                                  \
  RVMODEL_DATA_SECTION                                      \
  .align 4; .global begin_signature; begin_signature:

#define RVMODEL_DATA_END                                    \
  .align 4; .global end_signature; end_signature:

/* No console in compliance runs (the debug UART is memory-map.ts PERIPHERALS.uart). */
#define RVMODEL_IO_INIT
#define RVMODEL_IO_WRITE_STR(_R, _STR)
#define RVMODEL_IO_CHECK()
#define RVMODEL_IO_ASSERT_GPR_EQ(_S, _R, _I)
#define RVMODEL_IO_ASSERT_SFPR_EQ(_F, _R, _I)
#define RVMODEL_IO_ASSERT_DFPR_EQ(_D, _R, _I)

/* No interrupt sources are modelled. */
#define RVMODEL_SET_MSW_INT
#define RVMODEL_CLEAR_MSW_INT
#define RVMODEL_CLEAR_MTIMER_INT
#define RVMODEL_CLEAR_MEXT_INT

#endif
