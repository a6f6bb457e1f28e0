import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

// The container and Kubernetes files cannot run here (no Docker engine): check what can be checked.
const ROOT = join(__dirname, '..');
const SERVICES = ['gateway', 'ingest', 'analysis', 'mixing', 'mastering', 'packaging'];

interface ComposeService {
  image?: string;
  build?: { dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };

  it('runs Kafka, an S3 server and every service', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICES, 'kafka', 's3'].sort());
  });

  it.each(SERVICES)('starts %s from the one image, with the Kafka and S3 settings', (name) => {
    const s = compose.services[name];
    expect(s.build?.dockerfile).toBe('deploy/docker/Dockerfile');
    expect(s.command).toEqual([name]);
    expect(s.environment).toMatchObject({
      PRESSLINE_MODE: 'distributed',
      KAFKA_BROKERS: 'kafka:9092',
      S3_ENDPOINT: 'http://s3:7070',
    });
    expect(Object.keys(s.depends_on ?? {}).sort()).toEqual(['kafka', 's3']);
    expect(existsSync(join(ROOT, 'apps', name, 'src', 'main.ts'))).toBe(true);
  });
});

describe('deploy/docker', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy', 'docker', 'Dockerfile'), 'utf8');
  const entrypoint = readFileSync(join(ROOT, 'deploy', 'docker', 'entrypoint.sh'), 'utf8');

  it('builds with the same setup script as CI and a fresh clone', () => {
    expect(dockerfile).toMatch(/RUN PRESSLINE_BOOTSTRAP=runtime scripts\/setup\.sh/);
    expect(readFileSync(join(ROOT, 'scripts', 'test-all.sh'), 'utf8')).toMatch(/scripts\/setup\.sh/);
  });

  it('targets Node 24 like the project', () => {
    expect(dockerfile).toMatch(/FROM node:24-/);
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe('24');
    expect(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines
        .node,
    ).toBe('>=24');
  });

  it.each([...SERVICES, 'pressline'])('can start %s', (name) => {
    expect(entrypoint).toMatch(new RegExp(`\\b${name}\\b`));
  });
});

// Kubernetes manifests are checked field by field below.
type Manifest = Record<string, any>;

describe('deploy/k8s', () => {
  const dir = join(ROOT, 'deploy', 'k8s');
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
  };
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => ({
        file: f,
        doc: d.toJS() as Manifest,
      })),
    );

  it('lists every manifest in the kustomization', () => {
    expect([...kustomization.resources].sort()).toEqual(
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
  });

  it.each(SERVICES)(
    'has one Deployment for %s, configured by env, with liveness and readiness probes',
    (name) => {
      const deployments = docs.filter((d) => d.doc.kind === 'Deployment' && d.doc.metadata.name === name);
      expect(deployments).toHaveLength(1);
      const container = deployments[0].doc.spec.template.spec.containers[0];
      expect(container.args).toEqual([name]);
      expect(
        container.envFrom.map((e: Record<string, { name: string }>) => Object.values(e)[0].name).sort(),
      ).toEqual(['pressline-config', 'pressline-secrets']);
      expect(container.livenessProbe).toBeDefined();
      expect(container.readinessProbe).toBeDefined();
    },
  );

  it('gives workers more grace than their drain timeout', () => {
    const config = docs.find((d) => d.doc.kind === 'ConfigMap')!.doc.data as Record<string, string>;
    const drainSeconds = Number(config.PRESSLINE_DRAIN_TIMEOUT_MS) / 1000;
    for (const d of docs.filter((x) => x.doc.kind === 'Deployment' && x.doc.metadata.name !== 'gateway')) {
      expect(d.doc.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds);
    }
  });
});
