import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLogs } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts authorization headers, passwords and keys wherever they appear', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', destination });
    log.info(
      {
        req: {
          headers: { authorization: 'Bearer th_secret', 'x-api-key': 'k', 'x-tracehouse-key': 'th_otlp' },
        },
        config: { password: 'p4ss', apiKey: 'th_abc' },
        CLICKHOUSE_PASSWORD: 'chpw',
      },
      'request',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('th_secret');
    expect(text).not.toContain('th_otlp');
    expect(text).not.toContain('p4ss');
    expect(text).not.toContain('th_abc');
    expect(text).not.toContain('chpw');
    expect(lines[0]?.msg).toBe('request');
    expect(lines[0]?.service).toBe('test');
  });

  it('redacts alert webhook secrets and channel URLs (Slack URLs carry a token)', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', destination });
    log.info(
      { rule: { secret: 'whsec_x', channels: [{ type: 'slack', url: 'https://hooks.slack.com/T/B/tok' }] } },
      'rule',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('whsec_x');
    expect(text).not.toContain('tok');
  });

  it('honours the level', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', level: 'warn', destination });
    log.info('hidden');
    log.warn('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });
});

describe('prettyLogs', () => {
  it('is pretty on a terminal unless asked for JSON, and JSON elsewhere unless asked to be pretty', () => {
    expect([prettyLogs(undefined, true), prettyLogs('auto', true), prettyLogs('json', true)]).toEqual([
      true,
      true,
      false,
    ]);
    expect([prettyLogs(undefined, false), prettyLogs('pretty', false)]).toEqual([false, true]);
  });
});
