import { ConfigError, loadConfig, parseApiKeys } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded mode', () => {
    expect(loadConfig({}).PRESSLINE_MODE).toBe('embedded');
  });
  it('lists every bad variable in one error', () => {
    try {
      loadConfig({ PRESSLINE_MODE: 'distributed', PORT: 'eighty', PRESSLINE_CONCURRENCY: '0' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/PRESSLINE_CONCURRENCY/);
      expect(problems).toMatch(/KAFKA_BROKERS: required in distributed mode/);
    }
  });
});

describe('parseApiKeys', () => {
  it('reads tenant:key:secret entries', () => {
    expect(parseApiKeys('a:key-aaaa,b:key-bbbb:whsec')).toEqual([
      { tenantId: 'a', key: 'key-aaaa', webhookSecret: 'key-aaaa' },
      { tenantId: 'b', key: 'key-bbbb', webhookSecret: 'whsec' },
    ]);
  });
  it('refuses a short key without echoing it', () => {
    expect(() => parseApiKeys('a:123')).toThrow(/a:\*\*\*/);
  });
});
