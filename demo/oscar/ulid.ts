// OSCaR keys a child across NGOs by a ULID (GlobalIdentity). No ULID package is installed, and the
// format is small: 48-bit milliseconds + 80 random bits, Crockford base32, 26 characters.
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newUlid(now: Date): string {
  let time = now.getTime();
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(16);
  let randomPart = '';
  for (let i = 0; i < 16; i++) randomPart += CROCKFORD[random[i]! % 32];
  return timePart + randomPart;
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
