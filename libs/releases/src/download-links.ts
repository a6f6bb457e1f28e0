import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Download links the gateway signs itself (for stores that cannot presign, i.e. the local folder):
 * `<base>/v1/downloads/<payload>.<mac>`, payload = base64url({k: key, e: expiry, n: file name}).
 * The link is a capability like an S3 presigned URL: it names one key and expires.
 */
export function signDownloadToken(
  secret: string,
  key: string,
  ttlSeconds: number,
  fileName?: string,
  now = Date.now(),
): string {
  const payload = Buffer.from(
    JSON.stringify({ k: key, e: Math.floor(now / 1000) + ttlSeconds, n: fileName }),
  ).toString('base64url');
  const mac = createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

export function verifyDownloadToken(
  secret: string,
  token: string,
  now = Date.now(),
): { key: string; fileName?: string } | null {
  const [payload, mac] = token.split('.');
  if (!payload || !mac) return null;
  const expected = Buffer.from(createHmac('sha256', secret).update(payload).digest('base64url'));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      k: string;
      e: number;
      n?: string;
    };
    if (typeof body.k !== 'string' || typeof body.e !== 'number' || body.e < now / 1000) return null;
    return { key: body.k, fileName: body.n };
  } catch {
    return null;
  }
}
