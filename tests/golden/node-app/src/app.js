const express = require("express");

const app = express();
const port = process.env.PORT || 3000;

app.get("/", (req, res) => res.json({ hello: "world" }));
app.get("/health", (req, res) => res.send("ok"));

const server = app.listen(port, () => console.log(`listening on ${port}`));

process.on("SIGTERM", () => server.close(() => process.exit(0)));
