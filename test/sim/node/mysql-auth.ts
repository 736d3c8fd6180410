/** `mysql_native_password` on the server side (reference §9). */
import { createHash, timingSafeEqual } from 'node:crypto';

function sha1(...parts: Buffer[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** SHA1(SHA1(password)): what the server stores; empty for an empty password. */
export function passwordHashStage2(password: string): string {
  return password === '' ? '' : sha1(sha1(Buffer.from(password, 'utf8'))).toString('hex');
}

/** True when the client's auth response proves knowledge of the password behind `stage2Hex`. */
export function verifyNativePassword(options: { scramble: Buffer; token: Buffer; stage2Hex: string }): boolean {
  if (options.stage2Hex === '') return options.token.length === 0;
  if (options.token.length !== 20) return false;
  const stage2 = Buffer.from(options.stage2Hex, 'hex');
  const mask = sha1(options.scramble, stage2);
  const stage1 = Buffer.alloc(20);
  for (let i = 0; i < 20; i++) stage1[i] = (options.token[i] as number) ^ (mask[i] as number);
  return timingSafeEqual(sha1(stage1), stage2);
}
