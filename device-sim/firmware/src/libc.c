/* The two C library functions the compiler may emit calls to in freestanding code (struct copies
 * and zeroing loops); there is no other libc. */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memset(void *dst, int v, size_t n) {
  uint8_t *d = dst;
  while (n--) *d++ = (uint8_t)v;
  return dst;
}
