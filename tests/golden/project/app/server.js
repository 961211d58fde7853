const http = require("node:http");
http.createServer((_req, res) => res.end("hello from shipshape\n")).listen(8080);
