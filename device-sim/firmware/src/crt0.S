/* Reset entry of the inference firmware: stack, trap vector, bss, then main (which never
 * returns). RISC-V privileged spec 3.1.7 (mtvec, direct mode: the low two bits are 0). */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la sp, __stack_top
  la t0, fw_trap_entry
  csrw mtvec, t0
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  call main
  li a0, 0
  call fw_exit

/* Any trap (illegal instruction, access fault, misaligned access, ecall, ebreak) ends the run:
 * fw_trap reports mcause/mepc/mtval on the UART and halts through the exit device. */
  .section .text, "ax", @progbits
  .p2align 2
  .globl fw_trap_entry
fw_trap_entry:
  la sp, __stack_top
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call fw_trap
3:
  j 3b
