import { createServer } from 'node:http';

/**
 * The HTTP ceiling for the read benchmarks: a bare Node server answering a fixed JSON body
 * (read from stdin) on the port given as the first argument.
 */
const chunks: Buffer[] = [];
process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
process.stdin.on('end', () => {
  const body = Buffer.concat(chunks);
  createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  }).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready'));
});
