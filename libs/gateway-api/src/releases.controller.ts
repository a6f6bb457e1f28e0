import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
  Req,
  UseGuards,
  PayloadTooLargeException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Transform, type TransformCallback } from 'node:stream';
import { ValidationFailedError, type ReleaseService } from '@pressline/releases';
import { ApiKeyGuard, type TenantRequest } from './api-key.guard';
import { batchSubmissionSchema, releaseSubmissionSchema } from './schemas';
import { GATEWAY_OPTIONS, RELEASE_SERVICE, type GatewayOptions } from './tokens';

class SizeLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit)
      return done(
        new PayloadTooLargeException({
          error: { code: 'file-too-large', message: `uploads are limited to ${this.limit} bytes` },
        }),
      );
    done(null, chunk);
  }
}

@ApiTags('releases')
@ApiBearerAuth()
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class ReleasesController {
  constructor(
    @Inject(RELEASE_SERVICE) private readonly releases: ReleaseService,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
  ) {}

  @Post('releases')
  @ApiOperation({
    summary: 'Submit a release',
    description:
      'Creates the release and answers with one upload target per file: PUT the bytes to `uploadUrl` (presigned, S3) or to `apiPath` (streamed through the gateway), then POST .../start. With `?start=true` the release starts at once (for files already uploaded).',
  })
  @ApiBody({ schema: releaseSubmissionSchema })
  async create(@Req() req: TenantRequest, @Body() body: unknown) {
    return this.releases.create(req.tenantId!, body);
  }

  @Post('batches')
  @ApiOperation({
    summary: 'Submit several releases at once',
    description:
      'Each release is validated on its own; the answer lists the created ones and the refused ones with their problems.',
  })
  @ApiBody({ schema: batchSubmissionSchema })
  async batch(@Req() req: TenantRequest, @Body() body: { releases?: unknown[] }) {
    if (!body || !Array.isArray(body.releases) || body.releases.length === 0 || body.releases.length > 100) {
      throw new ValidationFailedError(['releases: an array of 1 to 100 releases is required']);
    }
    const created = [];
    const refused = [];
    for (const [index, r] of body.releases.entries()) {
      try {
        created.push(await this.releases.create(req.tenantId!, r));
      } catch (e) {
        if (!(e instanceof ValidationFailedError)) throw e;
        refused.push({ index, problems: e.problems });
      }
    }
    return { created, refused };
  }

  @Get('releases')
  @ApiOperation({ summary: "List the tenant's releases, newest first" })
  async list(@Req() req: TenantRequest, @Query('limit') limit?: string) {
    return {
      releases: await this.releases.list(
        req.tenantId!,
        Math.min(500, Math.max(1, Number(limit ?? 100) || 100)),
      ),
    };
  }

  @Get('releases/:releaseId')
  @ApiOperation({ summary: 'Status of a release: every track, every step, progress and errors' })
  @ApiParam({ name: 'releaseId' })
  async get(
    @Req() req: TenantRequest,
    @Param('releaseId') releaseId: string,
    @Query('history') history?: string,
  ) {
    return this.releases.get(req.tenantId!, releaseId, { history: history === 'true' });
  }

  @Put('releases/:releaseId/tracks/:trackId/sources/:index')
  @ApiOperation({ summary: 'Upload one file of a track, streamed to the store (any content type)' })
  async upload(
    @Req() req: TenantRequest,
    @Param('releaseId') releaseId: string,
    @Param('trackId') trackId: string,
    @Param('index', ParseIntPipe) index: number,
  ) {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.options.maxUploadBytes) {
      throw new PayloadTooLargeException({
        error: {
          code: 'file-too-large',
          message: `uploads are limited to ${this.options.maxUploadBytes} bytes`,
        },
      });
    }
    const limited = req.pipe(new SizeLimit(this.options.maxUploadBytes));
    req.on('error', (e) => limited.destroy(e));
    return this.releases.putSource(req.tenantId!, releaseId, trackId, index, limited);
  }

  @Post('releases/:releaseId/start')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start processing every track of the release' })
  async start(@Req() req: TenantRequest, @Param('releaseId') releaseId: string) {
    return this.releases.start(req.tenantId!, releaseId);
  }

  @Get('releases/:releaseId/artifacts')
  @ApiOperation({
    summary: 'Every artifact of the release (the package first), with time-limited download links',
  })
  async artifacts(@Req() req: TenantRequest, @Param('releaseId') releaseId: string) {
    return { artifacts: await this.releases.artifacts(req.tenantId!, releaseId) };
  }

  @Post('releases/:releaseId/tracks/:trackId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run a failed track again (steps that succeeded are not redone)' })
  async retry(
    @Req() req: TenantRequest,
    @Param('releaseId') releaseId: string,
    @Param('trackId') trackId: string,
  ) {
    return this.releases.retry(req.tenantId!, releaseId, trackId);
  }

  @Post('releases/:releaseId/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel the release: steps not yet started are skipped' })
  async cancel(@Req() req: TenantRequest, @Param('releaseId') releaseId: string) {
    return this.releases.cancel(req.tenantId!, releaseId);
  }
}
