import t from 'tap';
import { Writable } from 'node:stream';
import { REDACTED, createLogger } from '../../../agent/contract/log.ts';
import { loadConfig } from '../../../agent/config.ts';

function capture(): { stream: Writable & { write(chunk: string): boolean }; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('') };
}

t.test('MYSQL_PWD never reaches a log line, by key or by value', async (t) => {
  const env = {
    COMPONENT_NAME: 'be',
    POD_NAME: 'prod-be-0',
    POD_NAMESPACE: 'data',
    MYSQL_PWD: 'hunter2-"quoted"',
  };
  const config = loadConfig(env);
  const out = capture();
  const log = createLogger({ secrets: [config.mysqlPassword], destination: out.stream });
  log.info({ env }, 'env dump');
  log.info({ config }, 'config dump');
  log.info({ password: config.mysqlPassword, nested: { password: 'x' } }, 'by key');
  log.warn(`connect failed for root:${config.mysqlPassword}@fe`);
  log.error({ err: new Error(`Access denied, tried ${config.mysqlPassword}`) }, 'error object');
  log.info({ args: ['--password', config.mysqlPassword] }, 'argv');
  const text = out.lines();
  t.notMatch(text, 'hunter2', 'no trace of the secret');
  t.match(text, REDACTED);
  const lines = text.trim().split('\n');
  t.equal(lines.length, 6);
  for (const line of lines) {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    t.type(parsed.time, 'string');
    t.type(parsed.level, 'string');
  }
});

t.test('levels filter and short secrets do not scrub ordinary text', async (t) => {
  const out = capture();
  const log = createLogger({ level: 'warn', secrets: ['a', ''], destination: out.stream });
  log.info('hidden');
  log.warn('a warning about a cat');
  const text = out.lines();
  t.notMatch(text, 'hidden');
  t.match(text, 'a warning about a cat');
});
