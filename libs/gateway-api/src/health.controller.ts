import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { GATEWAY_OPTIONS, type GatewayOptions } from './tokens';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: the store and the bus answer. */
  @Get('readyz')
  async ready() {
    if (!(await this.options.ready()))
      throw new ServiceUnavailableException({
        error: { code: 'not-ready', message: 'dependencies not ready' },
      });
    return { status: 'ready' };
  }
}
