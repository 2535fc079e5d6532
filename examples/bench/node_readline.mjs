// Node row of the benchmark: `node node_readline.mjs PORT`: node:readline over a
// net.Socket. Prints `elapsed_ns lines bytes maxrss_kb`, timed from connect to EOF.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import readline from 'node:readline';

const port = Number(process.argv[2]);
const start = process.hrtime.bigint();
const sock = net.createConnection({ host: '127.0.0.1', port });
const rl = readline.createInterface({ input: sock, crlfDelay: Infinity });
let lines = 0;
let bytes = 0;
for await (const line of rl) {
  lines += 1;
  bytes += line.length + 1;
}
const elapsed = process.hrtime.bigint() - start;
// VmHWM, not maxRSS: the latter keeps the parent's peak across fork+exec.
const hwm = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1];
console.log(`${elapsed} ${lines} ${bytes} ${hwm}`);
