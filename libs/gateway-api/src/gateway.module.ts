import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ReleaseService } from '@pressline/releases';
import type { ArtifactStore } from '@pressline/storage';
import { ApiKeyGuard } from './api-key.guard';
import { DownloadsController } from './downloads.controller';
import { ApiErrorFilter } from './error.filter';
import { HealthController } from './health.controller';
import { ReleasesController } from './releases.controller';
import { ARTIFACT_STORE, GATEWAY_OPTIONS, RELEASE_SERVICE, type GatewayOptions } from './tokens';

/** The HTTP edge of the line, as a module: apps/gateway and `pressline serve` both mount it. */
@Module({})
export class GatewayModule {
  static forRoot(deps: {
    releases: ReleaseService;
    store: ArtifactStore;
    options: GatewayOptions;
  }): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [ReleasesController, DownloadsController, HealthController],
      providers: [
        { provide: RELEASE_SERVICE, useValue: deps.releases },
        { provide: ARTIFACT_STORE, useValue: deps.store },
        { provide: GATEWAY_OPTIONS, useValue: deps.options },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        ApiKeyGuard,
      ],
    };
  }
}

/** Serves the OpenAPI document at /docs (UI) and /docs-json. */
export function setupOpenApi(app: INestApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('Pressline gateway')
    .setDescription(
      'Submit releases (metadata, tracks, delivery profiles), upload their audio, follow every step of every track, and download the deliverables. Every call needs an API key; each key belongs to one tenant.',
    )
    .setVersion(version)
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
  });
}
