// Helpers the translated code calls for the M extension's upper-half products (Vol. I §7.1:
// "MULH, MULHU, and MULHSU perform the same multiplication but return the upper XLEN bits of
// the full 2 x XLEN-bit product, for signed x signed, unsigned x unsigned, and signed rs1 x
// unsigned rs2 multiplication, respectively"). 16-bit limbs keep every partial product exact
// in a double, so no BigInt is needed on the hot path.

/** Upper 32 bits of the unsigned 64-bit product, as int32. */
export function mulhu(a: number, b: number): number {
  const ua = a >>> 0;
  const ub = b >>> 0;
  const al = ua & 0xffff;
  const ah = ua >>> 16;
  const bl = ub & 0xffff;
  const bh = ub >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const hh = ah * bh;
  const mid = Math.floor(ll / 65536) + (lh % 65536) + (hl % 65536);
  return (hh + Math.floor(lh / 65536) + Math.floor(hl / 65536) + Math.floor(mid / 65536)) | 0;
}

/** Upper 32 bits of the signed x signed product: mulhu corrected for the operands' signs (mod 2^32). */
export function mulh(a: number, b: number): number {
  let r = mulhu(a, b);
  if (a < 0) r = (r - b) | 0;
  if (b < 0) r = (r - a) | 0;
  return r;
}

/** Upper 32 bits of signed a x unsigned b. */
export function mulhsu(a: number, b: number): number {
  const r = mulhu(a, b);
  return a < 0 ? (r - b) | 0 : r;
}
