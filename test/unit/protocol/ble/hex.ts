export const fromHex = (text: string): Uint8Array => Uint8Array.from((text.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)));
