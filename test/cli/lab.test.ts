// `tls13 lab` serves docs/lab.html on 127.0.0.1 and prints where.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from './helpers.js';

const page = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'lab.html'), 'utf8');

describe('tls13 lab', () => {
  it('serves the lab page at the URL it prints, and nothing else', async () => {
    const lab = startCli(['lab', '--port', '0']);
    const url = await waitFor(() => /^the lab is at (http:\/\/127\.0\.0\.1:\d+\/) /m.exec(lab.stdout.text)?.[1]);
    try {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toBe(page);
      expect((await fetch(`${url}secrets.txt`)).status).toBe(404);
      expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    } finally {
      expect(await lab.stop()).toBe(0);
    }
  });

  it('says what is wrong with a port in one line', async () => {
    const result = await runCli(['lab', '--port', '70000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('tls13: --port 70000: expected a whole number from 0 to 65535\n');
  });

  it('is listed in tls13 --help', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}lab +serve the lab page/m);
  });
});
