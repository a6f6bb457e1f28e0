import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { verifyDownloadToken } from '@pressline/releases';
import type { ArtifactStore } from '@pressline/storage';
import { ARTIFACT_STORE, GATEWAY_OPTIONS, type GatewayOptions } from './tokens';

/** Serves the gateway's own signed links (stores that cannot presign: the local folder). */
@ApiTags('downloads')
@Controller('v1/downloads')
export class DownloadsController {
  constructor(
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
  ) {}

  @Get(':token')
  @ApiOperation({ summary: 'Download an artifact through a signed, expiring link' })
  async download(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const link = verifyDownloadToken(this.options.linkSecret, token);
    const info = link ? await this.store.head(link.key) : null;
    if (!link || !info)
      throw new NotFoundException({ error: { code: 'not-found', message: 'unknown or expired link' } });
    res.setHeader('content-length', String(info.size));
    res.setHeader('content-type', info.contentType ?? 'application/octet-stream');
    if (link.fileName)
      res.setHeader(
        'content-disposition',
        `attachment; filename="${link.fileName.replace(/["\\\r\n]/g, '_')}"`,
      );
    await pipeline(await this.store.get(link.key), res);
  }
}
