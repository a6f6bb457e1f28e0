/**
 * Music industry identifiers, checked as DDEX and the issuing agencies define them.
 * Pure functions: no I/O.
 */

/** ISRC (ISO 3901): CC-XXX-YY-NNNNN, 12 characters; hyphens and case accepted on input. */
export function normaliseIsrc(value: string): string {
  return value.replace(/-/g, '').toUpperCase();
}

export function isValidIsrc(value: string): boolean {
  return /^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$/.test(normaliseIsrc(value));
}

/** GS1 check digit (mod 10, weights 3 and 1 from the right) for UPC-A, EAN-13, GTIN-14, EAN-8. */
export function gs1CheckDigitValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 2, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += Number(digits[i]) * w;
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

/** UPC-A (12) or EAN-13 (13) with a valid check digit; also GTIN-14 and EAN-8, which DDEX ICPN allows. */
export function isValidUpc(value: string): boolean {
  return /^([0-9]{8}|[0-9]{12,14})$/.test(value) && gs1CheckDigitValid(value);
}
