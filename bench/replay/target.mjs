// Minimal HTTP target for the replay benchmark: reads the request body, answers 200 with an
// empty body, keep-alive. The same server is measured with autocannon and with meterscope replay.
// Usage: node bench/replay/target.mjs [port]   (prints "listening <port>")
import http from 'node:http';

const port = Number(process.argv[2] ?? 12300);
let requests = 0;
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
const stop = () => {
  console.log(`requests ${requests}`);
  server.close();
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
