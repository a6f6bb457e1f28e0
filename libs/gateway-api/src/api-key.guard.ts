import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { GATEWAY_OPTIONS, type GatewayOptions } from './tokens';

export interface TenantRequest extends Request {
  tenantId?: string;
}

function digestKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/**
 * API keys: `Authorization: Bearer <key>` or `X-API-Key: <key>`. Each key belongs to one tenant,
 * and every handler works inside that tenant only. Keys are compared in constant time.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Array<{ digest: Buffer; tenantId: string }>;

  constructor(@Inject(GATEWAY_OPTIONS) options: GatewayOptions) {
    this.keys = [...options.apiKeys.entries()].map(([key, tenantId]) => ({
      digest: digestKey(key),
      tenantId,
    }));
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<TenantRequest>();
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ')
      ? header.slice(7).trim()
      : (req.headers['x-api-key'] as string | undefined);
    if (!given)
      throw new UnauthorizedException({
        error: { code: 'unauthorized', message: 'an API key is required (Authorization: Bearer <key>)' },
      });
    const d = digestKey(given);
    const match = this.keys.find((k) => timingSafeEqual(k.digest, d));
    if (!match)
      throw new UnauthorizedException({ error: { code: 'unauthorized', message: 'unknown API key' } });
    req.tenantId = match.tenantId;
    return true;
  }
}
