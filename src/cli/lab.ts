// `tls13 lab`: serves the lab page (docs/lab.html, one self-contained file) on 127.0.0.1 and prints its
// URL. The page needs no server (it also works from file://); this is for people who prefer a URL.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { integer, type Command } from './args.js';
import { UsageError } from './io.js';

const DEFAULT_PORT = 8080;

/** docs/lab.html, two directories up from src/cli (three from dist/src/cli). */
function labPage(): Buffer {
  for (const up of ['../../docs/lab.html', '../../../docs/lab.html']) {
    try {
      return readFileSync(new URL(up, import.meta.url));
    } catch {
      // not at this level
    }
  }
  throw new UsageError('lab: docs/lab.html is missing (npm run lab builds it)');
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'serve the lab page: run, step through and tamper with handshakes in a browser',
  usage: ['tls13 lab [--port P]'],
  description: `Serves the lab (docs/lab.html) on 127.0.0.1 and prints its URL. The lab runs this engine in the browser: pick a scenario or set the options, step through the handshake record by record, look at every byte and secret, and tamper with records in flight to see which check catches it. The page is one offline file: opening docs/lab.html directly works too. Ctrl-C stops the server.`,
  options: { port: { type: 'string', value: 'P', help: `the port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)` } },
  async run(args, io) {
    const port = integer(args, 'port', 0, 65535) ?? DEFAULT_PORT;
    labPage();
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      } else if (path === '/' || path === '/lab.html') {
        // Read on every request, so a rebuilt page is served without a restart.
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
        response.end(request.method === 'HEAD' ? undefined : labPage());
      } else {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: the lab is at /\n');
      }
    });
    return new Promise<number>((resolve) => {
      const stop = () => {
        server.close();
        server.closeAllConnections();
      };
      const signals = io.signal ? [] : (['SIGINT', 'SIGTERM'] as const);
      for (const s of signals) process.once(s, stop);
      io.signal?.addEventListener('abort', stop);
      server.on('error', (error: NodeJS.ErrnoException) => {
        const hint = error.code === 'EADDRINUSE' ? ' (another program uses it: try --port 0)' : '';
        io.stderr.write(`tls13: cannot listen on 127.0.0.1:${port}: ${error.message}${hint}\n`);
        resolve(2);
      });
      server.on('close', () => {
        for (const s of signals) process.off(s, stop);
        io.signal?.removeEventListener('abort', stop);
        resolve(0);
      });
      server.listen(port, '127.0.0.1', () => {
        io.stdout.write(`the lab is at http://127.0.0.1:${(server.address() as AddressInfo).port}/ (Ctrl-C stops)\n`);
      });
    });
  },
};
