/* The twin's debug UART and exit device (device-sim/memory-map.ts, PERIPHERALS). */
#include "fw.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

void uart_puts(const char *s) {
  while (*s) REG32(PERIPHERAL_UART_BASE + PERIPHERAL_UART_TX) = (uint32_t)(uint8_t)*s++;
}

void uart_put_hex(uint32_t v) {
  char buf[11];
  buf[0] = '0';
  buf[1] = 'x';
  for (int i = 0; i < 8; i++) {
    uint32_t nib = (v >> (28 - 4 * i)) & 0xFu;
    buf[2 + i] = (char)(nib < 10u ? '0' + nib : 'a' + nib - 10u);
  }
  buf[10] = 0;
  uart_puts(buf);
}

void uart_put_dec(uint32_t v) {
  char buf[11];
  int i = 10;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u && i > 0);
  uart_puts(&buf[i]);
}

void fw_exit(uint32_t code) {
  REG32(PERIPHERAL_EXIT_BASE + PERIPHERAL_EXIT_CODE) = code;
  for (;;) {
  }
}

void fw_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  uart_puts("har-fw: trap mcause=");
  uart_put_hex(mcause);
  uart_puts(" mepc=");
  uart_put_hex(mepc);
  uart_puts(" mtval=");
  uart_put_hex(mtval);
  uart_puts("\n");
  fw_exit(FW_EXIT_TRAP_BASE | (mcause & 0xFFu));
}
