import { S3Client, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { describeArtifactStoreContract } from '../../testing/src/store-contract';
import { s3OptionsFromEnv } from '../../testing/src/infra-env';
import { S3Store } from './s3-store';

// Against the real S3 server (versitygw locally, a container with Docker): never a mock.
describeArtifactStoreContract(
  'S3Store',
  async () => new S3Store({ ...s3OptionsFromEnv(), partSize: 5 * 1024 * 1024 }),
  {
    bigObjectBytes: 13 * 1024 * 1024, // three parts of 5 MiB
  },
);

describe('S3Store links', () => {
  it('signs a download link that a plain HTTP client can use', async () => {
    const store = new S3Store(s3OptionsFromEnv());
    await store.ensureReady();
    await store.put('links/hello.txt', 'hello over http');
    const url = await store.presignGet('links/hello.txt', 60, 'hello.txt');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello over http');
    await store.close();
  });

  it('signs an upload link that a plain HTTP PUT can use', async () => {
    const store = new S3Store(s3OptionsFromEnv());
    await store.ensureReady();
    const url = await store.presignPut('links/uploaded.bin', 60);
    const res = await fetch(url, { method: 'PUT', body: Buffer.from('uploaded bytes') });
    expect(res.status).toBe(200);
    expect((await store.getBuffer('links/uploaded.bin')).toString()).toBe('uploaded bytes');
    await store.close();
  });

  it('leaves no unfinished multipart upload behind', async () => {
    const opts = s3OptionsFromEnv();
    const client = new S3Client({ endpoint: opts.endpoint, region: opts.region, forcePathStyle: true });
    const out = await client.send(new ListMultipartUploadsCommand({ Bucket: opts.bucket }));
    expect(out.Uploads ?? []).toHaveLength(0);
    client.destroy();
  });
});
