import { createConnection } from 'sockfile/async';
import { startServer } from '/work/main/examples/js/server.mjs';
const server = await startServer();
const sock = await createConnection('127.0.0.1', server.address().port, { timeout: 5 });
const f = await sock.makefile('rwb');
await f.close();
console.log('closed');
try { console.log(await f.read(1)); } catch (e) { console.log('err', e.name, e.message); }
server.close();
