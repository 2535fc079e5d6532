// jco rows of the benchmark: `node test/bench.mjs MODE PORT` (the bench driver runs it).
// MODE: lines (the module's `for (const line of file)`), text-lines (its text lines,
// utf-8), readline (the raw jco `readline` per call), packed (raw `readlines-packed`);
// async-lines, async-text-lines, async-readline: the same through `sockfile/async` (`for
// await`, and `await f.readline()` per line), its worker pool started before the clock
// (a process starts it once: one connection opened and closed first).
// Prints `elapsed_ns lines bytes maxrss_kb`, timed from connect to EOF.
import { readFileSync } from 'node:fs';
import { createConnection } from '../index.js';
import * as aio from '../async.js';

const [mode, portArg] = process.argv.slice(2);
if (mode.startsWith('async-')) {
  // Start the pool: a refused connection still starts its worker.
  await aio.createConnection('127.0.0.1', 1).catch(() => {});
  const start = process.hrtime.bigint();
  const sock = await aio.createConnection('127.0.0.1', Number(portArg));
  let lines = 0;
  let bytes = 0;
  if (mode === 'async-readline') {
    const f = await sock.makefile('rb');
    for (;;) {
      const line = await f.readline();
      if (line.length === 0) break;
      lines += 1;
      bytes += line.length;
    }
    await f.close();
  } else {
    const f = mode === 'async-lines'
      ? await sock.makefile('rb')
      : await sock.makefile('r', { encoding: 'utf-8' });
    for await (const line of f) {
      lines += 1;
      bytes += line.length;
    }
    await f.close();
  }
  await sock.close();
  const elapsed = process.hrtime.bigint() - start;
  const hwm = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1];
  console.log(`${elapsed} ${lines} ${bytes} ${hwm}`);
  process.exit(0);
}
const start = process.hrtime.bigint();
const sock = createConnection('127.0.0.1', Number(portArg));
let lines = 0;
let bytes = 0;
if (mode === 'lines') {
  for (const line of sock.makefile('rb')) {
    lines += 1;
    bytes += line.length;
  }
} else if (mode === 'text-lines') {
  for (const line of sock.makefile('r', { encoding: 'utf-8' })) {
    lines += 1;
    bytes += line.length;
  }
} else if (mode === 'readline') {
  const f = sock.makefile('rb').wit;
  for (;;) {
    const line = f.readline(undefined);
    if (line.length === 0) break;
    lines += 1;
    bytes += line.length;
  }
} else {
  const f = sock.makefile('rb').wit;
  for (;;) {
    const [data, ends] = f.readlinesPacked(65536);
    if (ends.length === 0) break;
    lines += ends.length;
    bytes += data.length;
  }
}
sock.close();
const elapsed = process.hrtime.bigint() - start;
const hwm = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1];
console.log(`${elapsed} ${lines} ${bytes} ${hwm}`);
