import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  NotFoundError,
  PreconditionFailedError,
  StoreUnavailableError,
  type ArtifactStore,
  type Body,
  type ObjectInfo,
  type PutOptions,
  type PutResult,
} from './artifact-store';
import { HashingStream, sha256 } from './hashing';

export interface S3StoreOptions {
  readonly bucket: string;
  readonly endpoint?: string;
  /** The endpoint clients outside the cluster use for presigned links, when it differs. */
  readonly publicEndpoint?: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Multipart part size in bytes (>= 5 MiB); also the threshold above which uploads go in parts. */
  readonly partSize?: number;
  readonly queueSize?: number;
}

const MIB = 1024 * 1024;

/**
 * Artifacts in S3 (or any S3-compatible server). Uploads stream through lib-storage (multipart
 * above `partSize`), the SDK's default integrity checksums stay on in both directions, and a
 * SHA-256 of every upload is computed on the way for manifests. Conditional writes use
 * If-None-Match / If-Match on PutObject (single-request bodies: Buffer or string).
 */
export class S3Store implements ArtifactStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly signer: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3StoreOptions) {
    const base: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      maxAttempts: 4,
    };
    this.client = new S3Client({ ...base, endpoint: options.endpoint });
    this.signer = options.publicEndpoint
      ? new S3Client({ ...base, endpoint: options.publicEndpoint })
      : this.client;
    this.bucket = options.bucket;
    this.partSize = Math.max(5 * MIB, options.partSize ?? 8 * MIB);
    this.queueSize = options.queueSize ?? 4;
  }

  async ensureReady(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      if (status(e) !== 404 && status(e) !== 403) throw wrap(e, `head bucket ${this.bucket}`);
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists')
          throw wrap(err, `create bucket ${this.bucket}`);
      }
    }
  }

  async put(key: string, body: Body, options: PutOptions = {}): Promise<PutResult> {
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const bytes = Buffer.from(body);
      try {
        const out = await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: bytes,
            ContentType: options.contentType,
            Metadata: options.metadata,
            IfNoneMatch: options.ifNoneMatch,
            IfMatch: options.ifMatch,
          }),
        );
        return { key, etag: out.ETag ?? '', size: bytes.length, sha256: sha256(bytes) };
      } catch (e) {
        throw mapError(e, key, options);
      }
    }
    if (options.ifMatch || options.ifNoneMatch) {
      throw new RangeError('conditional writes take a Buffer or string body, not a stream');
    }
    return this.upload(key, body, options);
  }

  async putFile(key: string, path: string, options: PutOptions = {}): Promise<PutResult> {
    if (options.ifMatch || options.ifNoneMatch)
      throw new RangeError('conditional writes take a Buffer or string body');
    return this.upload(key, createReadStream(path), options);
  }

  private async upload(key: string, body: Readable, options: PutOptions): Promise<PutResult> {
    const hashing = new HashingStream();
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: body.pipe(hashing),
        ContentType: options.contentType,
        Metadata: options.metadata,
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    body.on('error', (e) => hashing.destroy(e));
    try {
      const out = await upload.done();
      return { key, etag: out.ETag ?? '', size: hashing.bytes, sha256: hashing.digest() };
    } catch (e) {
      throw mapError(e, key, options);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      if (!out.Body) throw new NotFoundError(key);
      return out.Body as Readable;
    } catch (e) {
      throw mapError(e, key);
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    return retryChecksumMismatch(async () => {
      const stream = await this.get(key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
  }

  async read(key: string): Promise<{ body: Buffer; etag: string } | null> {
    return retryChecksumMismatch(() => this.readOnce(key));
  }

  private async readOnce(key: string): Promise<{ body: Buffer; etag: string } | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      if (!out.Body) return null;
      const body = Buffer.from(await out.Body.transformToByteArray());
      return { body, etag: out.ETag ?? '' };
    } catch (e) {
      const mapped = mapError(e, key);
      if (mapped instanceof NotFoundError) return null;
      throw mapped;
    }
  }

  async getToFile(key: string, path: string): Promise<ObjectInfo> {
    const info = await this.head(key);
    if (!info) throw new NotFoundError(key);
    const hashing = new HashingStream();
    await pipeline(await this.get(key), hashing, createWriteStream(path));
    if (hashing.bytes !== info.size)
      throw new StoreUnavailableError(`short read of ${key}: ${hashing.bytes} of ${info.size} bytes`);
    return info;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType,
        metadata: out.Metadata,
      };
    } catch (e) {
      if (status(e) === 404) return null;
      throw mapError(e, key);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        );
      } catch (e) {
        throw mapError(e, prefix);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        out.push({
          key: o.Key,
          size: o.Size ?? 0,
          etag: o.ETag ?? '',
          lastModified: o.LastModified ?? new Date(0),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
    } catch (e) {
      throw mapError(e, fromKey);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      throw mapError(e, key);
    }
  }

  async presignGet(key: string, ttlSeconds: number, downloadName?: string): Promise<string> {
    const disposition = downloadName
      ? `attachment; filename="${downloadName.replace(/["\\]/g, '_')}"`
      : undefined;
    return getSignedUrl(
      this.signer,
      new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentDisposition: disposition }),
      { expiresIn: ttlSeconds },
    );
  }

  async presignPut(key: string, ttlSeconds: number, contentType?: string): Promise<string> {
    return getSignedUrl(
      this.signer,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
      {
        expiresIn: ttlSeconds,
      },
    );
  }

  async close(): Promise<void> {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }
}

/**
 * A small object read while another writer replaces it can fail the SDK's checksum validation on
 * servers that store the checksum apart from the bytes; reading again gets a consistent copy.
 * Anything else, and a mismatch that persists, is thrown.
 */
async function retryChecksumMismatch<T>(read: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await read();
    } catch (e) {
      if (i >= attempts || !/checksum mismatch/i.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 20 * i));
    }
  }
}

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function wrap(e: unknown, what: string): Error {
  return new StoreUnavailableError(`${what}: ${(e as Error).message}`, e);
}

function mapError(e: unknown, key: string, options: PutOptions = {}): Error {
  if (e instanceof NotFoundError || e instanceof RangeError) return e;
  const code = status(e);
  if (code === 404 || (e as { name?: string }).name === 'NoSuchKey') return new NotFoundError(key);
  if (code === 412 || code === 409) {
    return new PreconditionFailedError(key, options.ifNoneMatch ? 'If-None-Match' : 'If-Match');
  }
  if (e instanceof S3ServiceException && code !== undefined && code < 500) return e;
  return wrap(e, `S3 ${key}`);
}
