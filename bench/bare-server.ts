import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer } from 'node:http';

/**
 * The HTTP ceilings for the read benchmarks, answering a fixed JSON body (read from stdin) on
 * the port given as the second argument: `node` is a bare node:http server; `nest` is a Nest
 * application on Express with one route and nothing else, the ceiling of the API's own stack.
 */
const [kind, port] = [process.argv[2], Number(process.argv[3])];
const chunks: Buffer[] = [];
process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
process.stdin.on('end', () => {
  const body = Buffer.concat(chunks);
  const listening = kind === 'nest' ? listenNest(JSON.parse(body.toString()) as unknown) : listenNode(body);
  void listening.then(() => console.log('ready'));
});

function listenNode(body: Buffer): Promise<void> {
  return new Promise((listening) =>
    createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    }).listen(port, '127.0.0.1', listening),
  );
}

async function listenNest(body: unknown): Promise<void> {
  @Controller()
  class BareController {
    @Get()
    get(): unknown {
      return body;
    }
  }
  @Module({ controllers: [BareController] })
  class BareModule {}
  const app = await NestFactory.create(BareModule, { logger: false });
  await app.listen(port, '127.0.0.1');
}
