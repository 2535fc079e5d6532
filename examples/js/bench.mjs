// jco rows of the benchmark: `node bench.mjs MODE PORT`: the jco-transpiled sockfile
// component called from Node. MODE: readline (one call per line), readlines (batches of
// 64 KiB, list<list<u8>>), packed (readlines-packed: one buffer + line ends).
// Prints `elapsed_ns lines bytes maxrss_kb`, timed from connect to EOF.
// The peer runs in another process (the benchmark driver): sockfile's calls block the
// Node thread, as every synchronous jco call does.
import { socket } from './dist/sockfile.js';
import { readFileSync } from 'node:fs';

const [mode, portArg] = process.argv.slice(2);
const start = process.hrtime.bigint();
const sock = socket.createConnection('127.0.0.1', Number(portArg), undefined);
const f = sock.makefile('rb', undefined, undefined, undefined, undefined).val;
let lines = 0;
let bytes = 0;
if (mode === 'readline') {
  for (;;) {
    const line = f.readline(undefined);
    if (line.length === 0) break;
    lines += 1;
    bytes += line.length;
  }
} else if (mode === 'readlines') {
  for (;;) {
    const batch = f.readlines(65536);
    if (batch.length === 0) break;
    lines += batch.length;
    for (const l of batch) bytes += l.length;
  }
} else {
  for (;;) {
    const [data, ends] = f.readlinesPacked(65536);
    if (ends.length === 0) break;
    lines += ends.length;
    bytes += data.length;
  }
}
sock.close();
const elapsed = process.hrtime.bigint() - start;
// VmHWM, not maxRSS: the latter keeps the parent's peak across fork+exec.
const hwm = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1];
console.log(`${elapsed} ${lines} ${bytes} ${hwm}`);
