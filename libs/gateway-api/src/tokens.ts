/** Injection tokens of the gateway module. */
export const RELEASE_SERVICE = Symbol('ReleaseService');
export const ARTIFACT_STORE = Symbol('ArtifactStore');
export const GATEWAY_OPTIONS = Symbol('GatewayOptions');

export interface GatewayOptions {
  /** key -> tenant */
  readonly apiKeys: ReadonlyMap<string, string>;
  readonly linkSecret: string;
  readonly maxUploadBytes: number;
  /** Readiness: resolves true when the gateway's dependencies answer. */
  readonly ready: () => Promise<boolean>;
}
