/* Firmware-wide definitions: devices (include/memory_map.h) and the exit codes the twin reads. */
#ifndef HAR_FW_H
#define HAR_FW_H

#include <stdint.h>
#include "memory_map.h"

/* Exit device codes written by the firmware (the twin reports them as faults). */
#define FW_EXIT_TRAP_BASE 0x100u /* 0x100 | mcause: the firmware trapped */

void fw_exit(uint32_t code) __attribute__((noreturn));
void fw_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) __attribute__((noreturn));
void uart_puts(const char *s);
void uart_put_hex(uint32_t v);
void uart_put_dec(uint32_t v);

#endif
